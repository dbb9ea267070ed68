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

from verp.core.config import Settings
from verp.core.tasks import Cancelled, GiveUp

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


def run_limited(
    target: str,
    args: list,
    limits: Limits,
    still_wanted: Callable[[], bool],
    poll_s: float = 1.0,
    settings: Settings | None = None,
) -> object:
    """Run the function ``target`` (``"package.module:function"``) with ``args`` in a fresh child process
    under ``limits``; return what it returned (JSON: numbers, strings, lists, dicts) once it has finished.
    The child reads its settings from the environment, pointed at ``settings``' data folder and database
    when they are given.

    Raises ``GiveUp`` with the message of a ``MediaError`` (the file is the problem), ``LimitExceeded``
    when the child ran out of memory or time or died, and ``Cancelled`` when ``still_wanted()`` turned
    false meanwhile (the clip was deleted): the child is stopped at once then.
    """
    spec = json.dumps({"target": target, "args": args, "memory": limits.memory_bytes, "cpu": limits.cpu_s})
    command = [sys.executable, "-m", "verp.media.child", spec]
    env = dict(os.environ)
    if settings is not None:  # the child works on the caller's data folder and database, whatever the env
        env.update(VERP_DATA_DIR=str(settings.data_dir), VERP_DATABASE_URL=settings.database_url)
    with tempfile.TemporaryFile() as out, subprocess.Popen(command, stdout=out, env=env) as child:
        try:
            while child.poll() is None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.wait(poll_s)
                if child.poll() is None and not still_wanted():
                    raise Cancelled("the clip was deleted while it was being prepared")
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        out.seek(0)
        lines = out.read().decode(errors="replace").strip().splitlines()
    result = json.loads(lines[-1]) if lines and lines[-1].startswith("[") else None
    return _raise_for(result, child.returncode)


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
