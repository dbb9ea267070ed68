"""Playback memory benchmark: five viewers stream a 300 s clip at once from a real app server.

    python bench/playback_bench.py [--clip PATH] [--viewers 5] [--target-mb 400]

Starts ``streamlit run app.py`` on a throwaway data folder, links the clip in as a stored file, and has
``--viewers`` HTTP clients fetch it through the signed playback URL the pages use (each reading the whole
file in 1 MB pieces, with a few range requests to seek, as a browser does). It samples the server's
resident memory throughout and prints the peak beside the target. Without ``--clip`` it uses (or makes)
the 300 s 1080p input of ``bench/media_bench.py`` in /tmp/verp-bench.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.browser import start_app  # noqa: E402
from verp.core.accounts import create_person  # noqa: E402
from verp.core.config import load_settings  # noqa: E402
from verp.core.models import Clip  # noqa: E402
from verp.core.store import Store  # noqa: E402
from verp.web import Grant, media_url  # noqa: E402


def owners_link(settings, origin: str) -> str:
    """A playback link as the clip's owner gets it: the route checks the clip row on every request."""
    store = Store.open(settings)
    owner = create_person(store, "Bench Viewer", "a long bench passphrase")
    with store.transaction() as s:
        name = "bench/playable.mp4"
        s.add(
            Clip(
                id="bench",
                owner_id=owner.id,
                title="Bench",
                original_filename="bench.mp4",
                stored_name=name,
                playable_name=name,
            )
        )
    store.engine.dispose()
    return media_url(settings, origin, "bench/playable.mp4", Grant.owner(owner.id, "bench"))


def default_clip() -> Path:
    path = Path("/tmp/verp-bench/h264_300s.mp4")
    if not path.exists():
        spec = importlib.util.spec_from_file_location("media_bench", ROOT / "bench" / "media_bench.py")
        assert spec is not None and spec.loader is not None  # the file is beside this one
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.inputs(path.parent, quick=False)
    return path


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def view(url: str, size: int, results: list) -> None:
    """Read the whole clip, seeking twice with range requests on the way, as a player does."""
    started, got = time.monotonic(), 0
    for offset in (size // 2, size // 4):
        request = urllib.request.Request(url, headers={"Range": f"bytes={offset}-{offset + (1 << 20) - 1}"})
        with urllib.request.urlopen(request) as response:
            assert response.status == 206
            got += len(response.read())
    with urllib.request.urlopen(url) as response:
        while chunk := response.read(1 << 20):
            got += len(chunk)
    results.append((got, time.monotonic() - started))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", type=Path)
    parser.add_argument("--viewers", type=int, default=5)
    parser.add_argument("--target-mb", type=float, default=400)
    args = parser.parse_args(argv)
    clip = args.clip or default_clip()
    work = Path(tempfile.mkdtemp(prefix="verp-playback-"))
    data = work / "data"
    stored = data / "clips" / "bench" / "playable.mp4"
    stored.parent.mkdir(parents=True)
    try:
        os.link(clip, stored)  # no 600 MB copy when both are on one filesystem
    except OSError:
        shutil.copyfile(clip, stored)
    os.environ["VERP_DATA_DIR"] = str(data)
    settings = load_settings()
    server = start_app(data)
    try:
        idle = rss_mb(server.process.pid)
        url = owners_link(settings, server.url)
        results: list = []
        viewers = [
            threading.Thread(target=view, args=(url, clip.stat().st_size, results))
            for _ in range(args.viewers)
        ]
        peak, started = idle, time.monotonic()
        for viewer in viewers:
            viewer.start()
        while any(v.is_alive() for v in viewers):
            peak = max(peak, rss_mb(server.process.pid))
            time.sleep(0.05)
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    size_mb = clip.stat().st_size / 2**20
    print(f"clip: {clip.name}, {size_mb:.0f} MB; viewers: {args.viewers}; all done in {elapsed:.1f} s")
    print(f"bytes read per viewer: {sorted({got for got, _ in results})}")
    print(f"server RSS idle: {idle:.0f} MB; peak while streaming: {peak:.0f} MB", end="; ")
    print(f"target ≤ {args.target_mb:.0f} MB")
    ok = peak <= args.target_mb and len(results) == args.viewers
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
