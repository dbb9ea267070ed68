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
import threading
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

    @classmethod
    def for_clip(cls, settings: Settings, duration_s: float) -> Limits:
        """The address space measured for a 4K transcode; CPU in proportion to the clip's length."""
        cpu = max(MIN_CPU_S, round(settings.media_cpu_s_per_clip_s * duration_s))
        return cls(settings.media_memory_mb * MB, cpu)


# The child's whole environment: what a Python process and the codecs need, never the service's own
# settings (the database's address and password, the signing key): a file that got the better of a
# decoder would find no secret in the child. It opens no database; the worker writes what it tells.
CHILD_ENVIRONMENT = (
    "PATH",
    "HOME",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_CTYPE",
    "TMPDIR",
    "TZ",
    "PYTHONPATH",
    "LD_LIBRARY_PATH",
    "MALLOC_ARENA_MAX",
)


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
    false meanwhile (the clip was deleted): the child is stopped at once then.
    """
    spec = json.dumps({"target": target, "args": args, "memory": limits.memory_bytes, "cpu": limits.cpu_s})
    command = [sys.executable, "-m", "verp.media.child", spec]
    env = {name: os.environ[name] for name in CHILD_ENVIRONMENT if name in os.environ}
    with subprocess.Popen(command, stdout=subprocess.PIPE, env=env) as child:
        said = _Said(child.stdout)
        try:
            while child.poll() is None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.wait(poll_s)
                said.pass_on(heard)
                if child.poll() is None and not still_wanted():
                    raise Cancelled("the clip was deleted while it was being prepared")
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
            said.join()
        said.pass_on(heard)
    return _raise_for(said.result, child.returncode)


class _Said:
    """The child's lines, read as they come on a thread of their own (a pipe left unread would stop a
    child that tells a lot): its tells, and its result (the last line)."""

    def __init__(self, stream: IO[bytes] | None) -> None:
        self.lines: list[list] = []
        self.passed = 0
        self.reader = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.reader.start()

    def _read(self, stream: IO[bytes] | None) -> None:
        for raw in stream or ():
            line = raw.decode(errors="replace").strip()
            if line.startswith("["):
                with contextlib.suppress(ValueError):
                    self.lines.append(json.loads(line))

    def join(self) -> None:
        self.reader.join(10)

    def pass_on(self, heard: Callable[[list], None] | None) -> None:
        """Hand the tells not yet passed on to ``heard`` (the latest progress is all that matters)."""
        while self.passed < len(self.lines):
            line = self.lines[self.passed]
            if line and line[0] == TELL and heard is not None and len(line) > 1:
                heard(line[1:])
            self.passed += 1

    @property
    def result(self) -> list | None:
        last = self.lines[-1] if self.lines else None
        return last if isinstance(last, list) and last and last[0] != TELL else None


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
