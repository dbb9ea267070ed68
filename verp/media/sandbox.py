"""Media work in a child process with hard limits, so one hostile file cannot take the worker's machine.

The headers are checked before anything is decoded (``verp.media.jobs.probe``), but a file can still lie
about itself. So each media job runs in a fresh child process whose address space (``RLIMIT_AS``) and CPU
time (``RLIMIT_CPU``, in proportion to the clip's length) the kernel caps: past either, the child alone
fails or is stopped, and the worker says so in words a teacher can act on.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from verp.core.config import Settings
from verp.core.tasks import Cancelled, GiveUp
from verp.media.child import TELL

log = logging.getLogger(__name__)
MB = 1024 * 1024
MIN_CPU_S = 60  # opening, probing and a short clip's copy, whatever the clip's length

TOO_MUCH_MEMORY = (
    "This clip needs more memory to prepare than the server allows for one clip. "
    "Try exporting it from the phone or camera at 1080p."
)
TOO_MUCH_TIME = (
    "Preparing this clip took far longer than a clip of its length should, so it was stopped. "
    "Try exporting it from the phone or camera as an MP4 at 1080p."
)
STOPPED = "Preparing this clip stopped unexpectedly."


class LimitExceeded(Exception):
    """The child went past a limit (or died); the message is for the clip's owner."""


class WorkFailed(LimitExceeded):
    """The child's work raised an unexpected error (a reader's bug on a strange file, say): the child
    ran to its end; the message is ``STOPPED`` as for a child that died."""


@dataclass(frozen=True)
class Limits:
    memory_bytes: int
    cpu_s: int
    spare_cores: int = 0  # cores of this machine the child leaves to the pages (never all of them)

    @classmethod
    def of(cls, settings: Settings, cpu_s: int) -> Limits:
        """The address space measured for a 4K transcode, ``cpu_s`` seconds of CPU, the spare cores."""
        return cls(settings.media_memory_mb * MB, cpu_s, settings.media_spare_cores)

    @classmethod
    def for_clip(cls, settings: Settings, duration_s: float) -> Limits:
        """CPU in proportion to the clip's length."""
        return cls.of(settings, max(MIN_CPU_S, round(settings.media_cpu_s_per_clip_s * duration_s)))


# The child's whole environment: what a Python process and the codecs need, none of the service's own
# settings (the database's address and password, the signing key). It opens no database: the worker
# writes what it tells. (It runs as the service's user: this narrows what a file that got the better of
# a decoder could reach, it is no wall. See docs/trust.md.)
CHILD_ENVIRONMENT = (
    "PATH",
    "HOME",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_CTYPE",
    "PYTHONUTF8",
    "PYTHONIOENCODING",
    "TMPDIR",
    "TZ",
    "PYTHONPATH",
    "LD_LIBRARY_PATH",
    "MALLOC_ARENA_MAX",
)
LONGEST_LINE = 64 * 1024  # a child's line longer than this is nothing it should say, and is dropped


def run_limited(
    target: str,
    args: list,
    limits: Limits,
    still_wanted: Callable[[], bool],
    poll_s: float = 1.0,
    heard: Callable[[list], None] | None = None,
) -> object:
    """Run the function ``target`` (``"package.module:function"``) with ``args`` in a fresh child process
    under ``limits``, with a bare environment; return what it returned (JSON: numbers, strings, lists,
    dicts) once it has finished. What the child tells meanwhile (``verp.media.child.tell``: its progress)
    is passed to ``heard`` here, in the caller's thread, at most every ``poll_s``.

    Raises ``GiveUp`` with the message of a ``MediaError`` (the file is the problem), ``LimitExceeded``
    when the child ran out of memory or time or died, and ``Cancelled`` when ``still_wanted()`` turned
    false meanwhile (the clip was deleted): the child is stopped at once then. The child's output goes to
    a file, never a pipe, and its whole process group is killed at the end: nothing it starts can keep
    the caller waiting.
    """
    spec = json.dumps(
        {
            "target": target,
            "args": args,
            "memory": limits.memory_bytes,
            "cpu": limits.cpu_s,
            "spare_cores": limits.spare_cores,
        }
    )
    command = [sys.executable, "-m", "verp.media.child", spec]
    env = {name: os.environ[name] for name in CHILD_ENVIRONMENT if name in os.environ}
    with tempfile.NamedTemporaryFile(prefix="verp-child-") as out, open(out.name, "rb") as reading:
        said = _Said(reading)
        child = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=out, env=env, start_new_session=True
        )
        try:
            while child.poll() is None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.wait(poll_s)
                said.pass_on(heard)
                if child.poll() is None and not still_wanted():
                    raise Cancelled("the clip was deleted while it was being prepared")
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.pid, signal.SIGKILL)  # the child, and anything it started
            child.wait()
        said.pass_on(heard)
    return _raise_for(said.result, child.returncode)


class _Said:
    """The child's lines, read from its output file as they come: its tells, and its result (its last
    line that is not a tell). At most ``LONGEST_LINE`` of a line is ever held."""

    def __init__(self, reading: IO[bytes]) -> None:
        self.reading = reading
        self.partial = b""
        self.waiting: list[list] = []  # tells not yet passed on
        self.result: list | None = None

    def pass_on(self, heard: Callable[[list], None] | None) -> None:
        """Read what the child wrote since last time; hand its tells to ``heard``."""
        while chunk := self.reading.read(LONGEST_LINE):
            self._take(chunk)
        waiting, self.waiting = self.waiting, []
        for what in waiting:
            if heard is not None:
                heard(what)

    def _take(self, chunk: bytes) -> None:
        *lines, self.partial = (self.partial + chunk).split(b"\n")
        if len(self.partial) > LONGEST_LINE:
            self.partial = b""  # no line of this length is the child's to say: drop it
        for raw in lines:
            if len(raw) > LONGEST_LINE or not raw.strip().startswith(b"["):
                continue
            with contextlib.suppress(ValueError):
                line = json.loads(raw)
                if isinstance(line, list) and line and line[0] == TELL:
                    self.waiting = [*self.waiting[-99:], line[1:]] if len(line) > 1 else self.waiting
                elif isinstance(line, list) and line:
                    self.result = line


def _raise_for(result: list | None, exitcode: int | None) -> object:
    kind, message = result or ("died", "")
    if kind == "ok":
        return message
    if kind == "media":
        raise GiveUp(message)
    if kind == "memory":
        raise LimitExceeded(TOO_MUCH_MEMORY)
    if exitcode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise LimitExceeded(TOO_MUCH_TIME)
    log.warning("media child ended with %s (%s): %s", exitcode, kind, message)
    if kind == "error":
        raise WorkFailed(STOPPED)
    raise LimitExceeded(TOO_MUCH_MEMORY if exitcode == -signal.SIGSEGV else STOPPED)
