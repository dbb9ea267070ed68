"""``python -m verp <group> <job> ...``: the app's jobs from the command line.

Each group registers its commands with an ``add_*_commands(subparsers)`` function; a command
sets ``func`` to a callable taking the parsed arguments and returning an exit code.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from verp.media import jobs as media
from verp.records.admin import add_admin_commands
from verp.worker import add_worker_command


def add_media_commands(subparsers: argparse._SubParsersAction) -> None:
    """The ``media`` group: probe, prepare, proxy, cut, still, thumbs."""
    group = subparsers.add_parser("media", help="probe, convert and cut clip files")
    jobs = group.add_subparsers(dest="job", required=True)

    p = jobs.add_parser("probe", help="print a clip's facts as JSON")
    p.add_argument("src")
    p.set_defaults(func=_probe)

    p = jobs.add_parser("prepare", help="make a browser-playable MP4 (remux or transcode)")
    p.add_argument("src")
    p.add_argument("dst")
    p.add_argument("--proxy", action="store_true", help="a small quick 480p review copy instead")
    p.set_defaults(func=_prepare)

    p = jobs.add_parser("cut", help="cut a moment into its own MP4")
    p.add_argument("src")
    p.add_argument("dst")
    p.add_argument("--start", type=float, required=True, help="seconds")
    p.add_argument("--end", type=float, required=True, help="seconds")
    p.add_argument("--exact", action="store_true", help="re-encode so it starts on the exact frame")
    p.set_defaults(func=_cut)

    p = jobs.add_parser("still", help="save the frame at a time as .jpg or .png")
    p.add_argument("src")
    p.add_argument("dst")
    p.add_argument("--at", type=float, required=True, help="seconds")
    p.add_argument("--max-width", type=int)
    p.set_defaults(func=_still)

    p = jobs.add_parser("thumbs", help="save evenly spaced thumbnails into a folder")
    p.add_argument("src")
    p.add_argument("dst_dir")
    p.add_argument("--count", type=int, default=12)
    p.add_argument("--width", type=int, default=320)
    p.set_defaults(func=_thumbs)


def _probe(args: argparse.Namespace) -> int:
    print(json.dumps(media.probe(args.src).to_dict(), indent=2))
    return 0


def _prepare(args: argparse.Namespace) -> int:
    job = media.make_review_proxy if args.proxy else media.prepare
    info = job(args.src, args.dst, progress=_progress_printer())
    print(f"\n{args.dst}: {info.width}x{info.height}, {info.duration_s:.1f} s", file=sys.stderr)
    return 0


def _cut(args: argparse.Namespace) -> int:
    result = media.cut(args.src, args.dst, args.start, args.end, exact=args.exact)
    print(json.dumps(result.to_dict(), indent=2))
    return 0


def _still(args: argparse.Namespace) -> int:
    print(media.still(args.src, args.dst, args.at, max_width=args.max_width))
    return 0


def _thumbs(args: argparse.Namespace) -> int:
    for path in media.thumbnails(args.src, args.dst_dir, args.count, width=args.width):
        print(path)
    return 0


def _progress_printer():
    def show(fraction: float) -> None:
        print(f"\r{fraction:4.0%}", end="", file=sys.stderr, flush=True)

    return show


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m verp", description="VERP Workshop jobs")
    groups = parser.add_subparsers(dest="group", required=True)
    add_media_commands(groups)
    add_admin_commands(groups)
    add_worker_command(groups)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; a bad input gives a one-line message on stderr and exit code 2."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except media.MediaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. an output folder that cannot be written
        print(f"error: {exc.strerror}: {exc.filename}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
