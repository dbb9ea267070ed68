"""Settings read from the environment, with embedded defaults that need no other server.

Every setting has a default that works on a single laptop: SQLite and clip files under ``./data``.
A deployment overrides them with environment variables (see the README's settings table).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from verp.core.errors import VerpError

DEFAULT_MAX_UPLOAD_MB = 500
DEFAULT_MAX_RECORDING_S = 600
DEFAULT_RETENTION_DAYS = 60  # a clip's delete-by date, counted from when it was added
DEFAULT_RETENTION_MAX_DAYS = 365  # the latest a consent record may set it, counted the same way
DEFAULT_RECORDS_DAYS = 365  # a workshop's reflections, participants and next steps, from its close
DEFAULT_AUDIT_DAYS = 730  # audit rows
DEFAULT_MAX_CLIP_S = 1200
# RLIMIT_AS of a media job's child. Measured with bench/limits_bench.py on this 2-core machine: a 4K
# HEVC clip made into its review copy and then its 1080p x264 copy (automatic threads: frame threads,
# lookahead, the decoder's own) peaked at about 0.80 GB of address space (VmPeak) and 0.47 GB resident;
# 4K H.264 at 0.80 GB / 0.39 GB. The limit leaves 2.5 times that for more cores (x264 adds threads per
# core) and glibc's per-thread reservations.
DEFAULT_MEDIA_MEMORY_MB = 2048
# OWASP's password storage guidance for argon2id: 19 MiB of memory, two passes, one lane.
DEFAULT_PASSPHRASE_MEMORY_KIB = 19456
DEFAULT_PASSPHRASE_TIME_COST = 2
DEFAULT_TRUSTED_PROXIES = ("127.0.0.1", "::1")  # a reverse proxy on the same machine
MIN_SECRET_KEY_CHARS = 32
MIN_SECRET_KEY_BITS = 128


class ConfigError(VerpError):
    """A setting that would make the service unsafe or unusable; the message says what to change."""


@dataclass(frozen=True)
class Settings:
    """What a running app needs to know about where it keeps things and its limits."""

    data_dir: Path
    database_url: str
    max_upload_mb: int = DEFAULT_MAX_UPLOAD_MB
    max_recording_s: int = DEFAULT_MAX_RECORDING_S
    ice_servers: list[dict] = field(default_factory=list)
    facilitator_emails: frozenset[str] = frozenset()
    retention_days: int = DEFAULT_RETENTION_DAYS
    retention_max_days: int = DEFAULT_RETENTION_MAX_DAYS
    records_days: int = DEFAULT_RECORDS_DAYS
    audit_days: int = DEFAULT_AUDIT_DAYS
    # Hostile media: refused from the headers before anything is decoded (see verp.media.jobs.probe).
    max_clip_s: int = DEFAULT_MAX_CLIP_S
    max_frame_long_side: int = 3840
    max_frame_short_side: int = 2160
    max_clip_fps: int = 240
    max_clip_streams: int = 16
    # Media jobs run in a child process with these limits (see verp.media.sandbox).
    media_memory_mb: int = DEFAULT_MEDIA_MEMORY_MB
    media_cpu_s_per_clip_s: int = 12
    # Cores a media job leaves to the pages: beside the app, a transcode on every core slowed the pages'
    # reruns by up to 2 times even at the lowest priority (the cores' shared caches); on all cores but
    # one, by 1.34 at most (bench/README.md). 0 on a machine that only runs workers.
    media_spare_cores: int = 1
    # The background worker (``python -m verp worker``).
    worker_concurrency: int = 1
    task_attempts: int = 3
    passphrase_memory_kib: int = DEFAULT_PASSPHRASE_MEMORY_KIB
    passphrase_time_cost: int = DEFAULT_PASSPHRASE_TIME_COST
    trusted_proxies: tuple[str, ...] = DEFAULT_TRUSTED_PROXIES
    configured_secret_key: str | None = field(default=None, repr=False)

    @property
    def clips_dir(self) -> Path:
        return self.data_dir / "clips"

    @property
    def tmp_dir(self) -> Path:
        return self.data_dir / "tmp"

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    def secret_key(self) -> str:
        """The key that signs sign-in tokens and playback URLs.

        Taken from ``VERP_SECRET_KEY`` when set (needed when several instances share one service);
        otherwise made once and kept in the data directory so a restart does not sign everyone out.
        Kept once read: a page signs several links on every run.
        """
        known = self.__dict__.get("_secret_key")
        if known is None:
            known = self.__dict__["_secret_key"] = self._secret_key()
        return known

    def _secret_key(self) -> str:
        if key := self.configured_secret_key:
            check_secret_key(key)
            return key
        path = self.data_dir / "secret.key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            # Each writer has its own temporary file: a shared one could be unlinked under another
            # instance, or truncated and rewritten after it had become the key (two keys, or an empty one).
            tmp = path.with_name(f".secret.{os.getpid()}.{secrets.token_hex(8)}.tmp")
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as f:
                    f.write(secrets.token_urlsafe(48))
                with contextlib.suppress(FileExistsError):
                    os.link(tmp, path)  # first writer wins when two instances start together
            finally:
                tmp.unlink(missing_ok=True)
        return path.read_text().strip()


def check_secret_key(key: str) -> None:
    """Refuse a key that someone set but that could be guessed: it signs playback links and Present links.

    The estimate is the key's length times the Shannon entropy of its characters; a random
    ``secrets.token_urlsafe(32)`` has about 240 bits, a repeated word or a short phrase far fewer.
    """
    counts = Counter(key)
    per_char = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values()) if key else 0.0
    repeated = key in (key + key)[1:-1]  # one shorter piece typed over and over
    too_short = len(key) < MIN_SECRET_KEY_CHARS or len(counts) < 16
    if too_short or repeated or per_char * len(key) < MIN_SECRET_KEY_BITS:
        raise ConfigError(
            "VERP_SECRET_KEY is set but too weak to protect sign-ins and video links: use at least "
            f"{MIN_SECRET_KEY_CHARS} random characters, for example the output of "
            '`python -c "import secrets; print(secrets.token_urlsafe(48))"`, or unset it to let the app '
            "make and keep a strong one in the data folder."
        )


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Build settings from ``env`` (default: the process environment).

    From the process environment they are built once for each set of ``VERP_*`` values and working
    folder (every page run asks, several times): a changed variable gives new settings at the next ask.
    """
    if env is None:
        ours = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("VERP_")))
        try:
            cwd = os.getcwd()
        except FileNotFoundError:  # the working folder was removed: nothing to key a relative path on
            return _build_settings(dict(ours))
        return _settings_for(ours, cwd)
    return _build_settings(dict(env))


@lru_cache(maxsize=16)
def _settings_for(env: tuple[tuple[str, str], ...], cwd: str) -> Settings:
    return _build_settings(dict(env))  # ``cwd`` is in the key: a relative VERP_DATA_DIR is resolved in it


def _build_settings(env: dict[str, str]) -> Settings:
    data_dir = Path(env.get("VERP_DATA_DIR", "data")).resolve()
    url = env.get("VERP_DATABASE_URL") or f"sqlite:///{data_dir / 'verp.db'}"
    ice = json.loads(env["VERP_ICE_SERVERS"]) if env.get("VERP_ICE_SERVERS") else []
    emails = {e.strip().lower() for e in env.get("VERP_FACILITATOR_EMAILS", "").split(",")}
    return Settings(
        data_dir=data_dir,
        database_url=url,
        max_upload_mb=int(env.get("VERP_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB)),
        max_recording_s=int(env.get("VERP_MAX_RECORDING_S", DEFAULT_MAX_RECORDING_S)),
        ice_servers=ice,
        facilitator_emails=frozenset(e for e in emails if e),
        **_retention(env),
        max_clip_s=int(env.get("VERP_MAX_CLIP_S", DEFAULT_MAX_CLIP_S)),
        media_memory_mb=int(env.get("VERP_MEDIA_MEMORY_MB", DEFAULT_MEDIA_MEMORY_MB)),
        media_spare_cores=max(0, int(env.get("VERP_MEDIA_SPARE_CORES", 1))),
        worker_concurrency=int(env.get("VERP_WORKER_CONCURRENCY", 1)),
        task_attempts=max(1, int(env.get("VERP_TASK_ATTEMPTS", 3))),
        passphrase_memory_kib=int(env.get("VERP_PASSPHRASE_MEMORY_KIB", DEFAULT_PASSPHRASE_MEMORY_KIB)),
        passphrase_time_cost=int(env.get("VERP_PASSPHRASE_TIME_COST", DEFAULT_PASSPHRASE_TIME_COST)),
        trusted_proxies=_list(env.get("VERP_TRUSTED_PROXIES"), DEFAULT_TRUSTED_PROXIES),
        configured_secret_key=env.get("VERP_SECRET_KEY") or None,
    )


def _retention(env: dict[str, str]) -> dict[str, int]:
    """How long things are kept, in days; the maximum is never below the default."""
    keep = int(env.get("VERP_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))
    return {
        "retention_days": keep,
        "retention_max_days": max(keep, int(env.get("VERP_RETENTION_MAX_DAYS", DEFAULT_RETENTION_MAX_DAYS))),
        "records_days": int(env.get("VERP_RECORDS_DAYS", DEFAULT_RECORDS_DAYS)),
        "audit_days": int(env.get("VERP_AUDIT_DAYS", DEFAULT_AUDIT_DAYS)),
    }


def _list(value: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if value is None:
        return default
    return tuple(item.strip() for item in value.split(",") if item.strip())


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()
