"""The child process of ``verp.media.sandbox``: ``python -m verp.media.child SPEC``.

Kept apart from the sandbox (the parent's side, which knows the task queue and the settings) so that a
child imports nothing but the media layer and the module of its work: a child that only looks at a file
or makes one picture starts in about a tenth of a second, not the most of a second that the database
layer's imports took.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import json
import os
import resource
import signal
import sys

from verp.media.jobs import MediaError

# Media jobs run below the pages' priority: on a machine that runs the app and a worker side by side, a
# long transcode takes the cores only while nobody's page needs them (bench/pages_bench.py
# --during-transcode measures it). On Linux the child is scheduled as SCHED_IDLE: a page's thread that
# wakes takes the core at once (nice 10 alone still left a 9 ms page about 10 ms slower at its p95).
# The CPU limit counts CPU seconds, so it is not shortened by waiting. Priority is not enough on its
# own: a transcode on every core still slowed the pages' reruns by up to 2 times (the cores' shared
# caches), so the child also leaves ``VERP_MEDIA_SPARE_CORES`` of them (default 1) to the pages.
MEDIA_NICE = 10
TELL = "tell"  # a line the child prints while it works: something for the parent to pass on


def tell(*what: object) -> None:
    """Tell the parent something while the work goes on (how far it has got): one line on stdout, which
    the parent reads as it comes and hands to its caller (``sandbox.run_limited``'s ``heard``)."""
    print(json.dumps([TELL, *what]), flush=True)


def child_main(spec: dict) -> list:
    """Import the work, set the limits (before any media is opened), run, report."""
    _die_with_parent()
    module, _, name = spec["target"].partition(":")
    target = getattr(importlib.import_module(module), name)
    resource.setrlimit(resource.RLIMIT_AS, (spec["memory"], spec["memory"]))
    resource.setrlimit(resource.RLIMIT_CPU, (spec["cpu"], spec["cpu"] + 5))
    _below_the_pages(spec.get("spare_cores", 0))
    try:
        returned = target(*spec["args"])
    except MemoryError:
        return ["memory", ""]
    except MediaError as exc:
        return ["memory", ""] if isinstance(exc.__cause__, MemoryError) else ["media", str(exc)]
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which decides
        return ["error", repr(exc)]
    return ["ok", returned]


def _below_the_pages(spare_cores: int) -> None:
    """Lower this process (and the decoding threads it will start) below every page's thread, and keep
    it off ``spare_cores`` of the cores it could run on (never all of them). The codecs count the cores
    left when they choose their number of threads."""
    if spare_cores > 0 and hasattr(os, "sched_setaffinity"):  # Linux
        cores = sorted(os.sched_getaffinity(0))
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, cores[min(spare_cores, len(cores) - 1) :])
    with contextlib.suppress(OSError):
        os.nice(MEDIA_NICE)
    if hasattr(os, "SCHED_IDLE"):  # Linux
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def _die_with_parent() -> None:
    """A worker that stops (or is killed) takes its media child with it (Linux; elsewhere a no-op)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent was already gone before the line above
            sys.exit(1)


def report(result: list) -> str:
    """The child's last line; a returned value JSON cannot carry is left out (the work itself was done)."""
    try:
        return json.dumps(result)
    except (TypeError, ValueError):
        return json.dumps([result[0], None])


if __name__ == "__main__":
    print(report(child_main(json.loads(sys.argv[1]))), flush=True)
