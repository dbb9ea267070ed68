"""How much address space a media job needs: the figure behind ``RLIMIT_AS`` (``VERP_MEDIA_MEMORY_MB``).

Makes a short 4K clip (H.264, or HEVC with ``--hevc``) and runs the worker's own job on it — the review
copy then the full-quality transcode to 1080p, x264 with its automatic threads — in the same kind of
child process the worker uses, without limits, and prints the child's peak address space (``VmPeak``)
and peak resident memory (``VmHWM``). Set the limit well above the peak address space: glibc reserves
address space per thread (stacks, malloc arenas) that is never touched.

    python bench/limits_bench.py [--seconds 2] [--hevc]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = """
import json, sys
from verp.media import jobs
src, work = sys.argv[1], sys.argv[2]
jobs.make_review_proxy(src, work + "/proxy.mp4")
jobs.prepare(src, work + "/playable.mp4")
status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
print(json.dumps({k: status[k].strip() for k in ("VmPeak", "VmHWM", "Threads")}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2)
    parser.add_argument("--hevc", action="store_true")
    args = parser.parse_args()
    from tests.support.media import make_clip

    with tempfile.TemporaryDirectory() as work:
        codec = "hevc" if args.hevc else "h264"
        src = make_clip(
            Path(work) / "4k.mp4", seconds=args.seconds, width=3840, height=2160, fps=30, codec=codec
        )
        env = dict(os.environ, MALLOC_ARENA_MAX="2")  # as the worker runs its media children
        command = [sys.executable, "-c", CHILD, str(src), work]
        out = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT, env=env)
        figures = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"4K {codec} {args.seconds:g} s → review copy + 1080p x264: {figures}")


if __name__ == "__main__":
    main()
