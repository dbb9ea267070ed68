"""Upload memory benchmark: several large clips arrive at once through the resumable upload route.

    python bench/upload_bench.py [--uploads 3] [--size-mb 500] [--chunk-mb 8] [--target-mb 250]

Starts ``streamlit run app.py`` on a throwaway data folder, makes an account, and has ``--uploads`` HTTP
clients send a ``--size-mb`` clip each at the same time, in ``--chunk-mb`` PATCHes, exactly as the
page's uploader does (tus 1.0 core). Each completed upload becomes a clip (probed, thumbnailed, remuxed)
inside the server. The server's resident memory is sampled throughout; the peak is printed beside the
target, with the load average, the time taken and the clips made.

The clip is a short real video padded with zeros to the size asked for (a sparse file, made in an
instant): the server treats every byte the same, and the probe reads only the video's index.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.browser import start_app  # noqa: E402
from tests.support.media import make_clip  # noqa: E402
from verp.core.accounts import create_person  # noqa: E402
from verp.core.config import load_settings  # noqa: E402
from verp.core.sessions import start_session  # noqa: E402
from verp.core.store import Store  # noqa: E402
from verp.review import clips  # noqa: E402
from verp.web_uploads import UPLOAD_ROUTE, upload_token  # noqa: E402


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def padded_clip(folder: Path, size_mb: int) -> Path:
    path = folder / f"clip_{size_mb}mb.mp4"
    make_clip(path, seconds=2)
    with open(path, "r+b") as f:
        f.truncate(size_mb << 20)  # zeros after the video: sparse on disk, ignored by the probe
    return path


def send(port: int, token: str, path: Path, chunk: int, results: list) -> None:
    """Create an upload and PATCH it chunk by chunk from the file (never read whole)."""
    size = path.stat().st_size
    auth = {"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600, blocksize=1 << 20)
    meta = "filename " + base64.b64encode(path.name.encode()).decode()
    connection.request(
        "POST", UPLOAD_ROUTE, headers={**auth, "Upload-Length": str(size), "Upload-Metadata": meta}
    )
    created = connection.getresponse()
    created.read()
    location = created.getheader("Location")
    if location is None:
        results.append(f"refused: {created.status}")
        return
    offset, answer = 0, None
    with open(path, "rb") as f:
        while offset < size:
            length = min(chunk, size - offset)
            headers = {
                **auth,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
                "Content-Length": str(length),
            }
            connection.request("PATCH", location, body=_Slice(f, length), headers=headers)
            answer = connection.getresponse()
            answer.read()
            if answer.status != 204:
                results.append(f"refused: {answer.status}")
                return
            offset = int(answer.getheader("Upload-Offset") or 0)
    results.append(answer.getheader("Verp-Clip-Id") if answer is not None else None)


class _Slice:
    """``length`` bytes of an open file, read in pieces as http.client sends them."""

    def __init__(self, f, length: int) -> None:
        self.f, self.left = f, length

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        data = self.f.read(n)
        self.left -= len(data)
        return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=3)
    parser.add_argument("--size-mb", type=int, default=500)
    parser.add_argument("--chunk-mb", type=int, default=8)
    parser.add_argument("--target-mb", type=float, default=250)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="verp-upload-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        clip = padded_clip(Path(tmp), args.size_mb)
        env = {"VERP_MAX_UPLOAD_MB": str(max(args.size_mb + 1, 500))}
        server = start_app(data_dir, env)
        try:
            settings = load_settings({"VERP_DATA_DIR": str(data_dir), **env})
            store = Store.open(settings)
            person = create_person(store, "Bench Teacher", "a long bench passphrase")
            signed_in = start_session(store, person.id).session_id  # as a signed-in page holds one
            token = upload_token(settings, person.id, signed_in)
            idle = rss_mb(server.process.pid)
            results: list[str | None] = []
            peak, done = idle, threading.Event()

            def sample() -> None:
                nonlocal peak
                while not done.is_set():
                    peak = max(peak, rss_mb(server.process.pid))
                    time.sleep(0.05)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            load_before = os.getloadavg()
            started = time.monotonic()
            senders = [
                threading.Thread(target=send, args=(server.port, token, clip, args.chunk_mb << 20, results))
                for _ in range(args.uploads)
            ]
            for thread in senders:
                thread.start()
            for thread in senders:
                thread.join()
            elapsed = time.monotonic() - started
            done.set()
            sampler.join()
            made = clips.list_clips(store, person.id)
            store.engine.dispose()
        finally:
            server.stop()

    load = " / ".join(f"{a:.1f}" for a in load_before)
    verdict = "PASS" if peak < args.target_mb and len(made) == args.uploads else "FAIL"
    print("| uploads | size each | chunk | time | clips made | server RSS idle | peak | added | target |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {args.uploads} | {args.size_mb} MB | {args.chunk_mb} MB | {elapsed:.1f} s | {len(made)} "
        f"| {idle:.0f} MB | **{peak:.0f} MB** | {peak - idle:.0f} MB "
        f"| peak < {args.target_mb:.0f} MB {verdict} |"
    )
    print(f"load average before (1/5/15 min): {load}; results: {results}")


if __name__ == "__main__":
    main()
