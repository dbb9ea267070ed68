"""Time verp.media.jobs beside the ffmpeg command line doing the same job on the same file.

    python bench/media_bench.py            # full inputs (first run generates ~10 min of them)
    python bench/media_bench.py --quick    # short inputs, a smoke run in about a minute

Inputs are generated with PyAV and cached (default /tmp/verp-bench). Every job runs in a fresh
child process so its peak RSS (ru_maxrss) is its own. The ffmpeg CLI is needed only here.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing as mp
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from verp.media import jobs as media  # noqa: E402

# ---------------------------------------------------------------- inputs


def make_input(path: Path, seconds: float, size: tuple[int, int], codec: str, fmt: str) -> Path:
    """A noisy moving picture (so encoders have real work) with a tone, cached by name."""
    if path.exists():
        return path
    width, height = size
    tmp = path.with_suffix(".part" + path.suffix)
    video_opts = {
        "libx264": {"preset": "ultrafast", "g": "60"},
        "libx265": {"preset": "ultrafast", "x265-params": "log-level=none:keyint=60"},
        "libvpx": {"deadline": "realtime", "cpu-used": "8", "g": "60"},
    }[codec]
    audio_codec = "libopus" if fmt == "webm" else "aac"
    rate = 30
    with av.open(str(tmp), "w", format=fmt) as out:
        v = out.add_stream(codec, rate=rate, options=video_opts)
        v.width, v.height, v.pix_fmt = width, height, "yuv420p"
        v.bit_rate = 16_000_000 if height >= 1080 else 6_000_000
        v.thread_type = "AUTO"
        a = out.add_stream(audio_codec, rate=48000)
        a.layout = "stereo"
        _write_frames(out, v, a, seconds, rate)
    tmp.rename(path)
    return path


def _write_frames(out, v, a, seconds: float, rate: int) -> None:
    w, h = v.width, v.height
    rng = np.random.default_rng(1)
    noise = [rng.integers(0, 40, size=(h, w), dtype=np.uint8) for _ in range(8)]
    ramp = np.tile(np.linspace(16, 200, w, dtype=np.uint8), (h, 1))
    chroma = np.full((h // 2, w), 128, np.uint8)
    chroma[: h // 4] = 100
    samples, spf = 0, 1024 if a.codec_context.name == "aac" else 960
    for i in range(int(seconds * rate)):
        luma = np.roll(ramp, i * 8, axis=1) + noise[i % len(noise)]
        for bit in range(16):  # the frame number as a barcode: no two frames look alike
            luma[:64, bit * 64 : bit * 64 + 60] = 235 if i >> bit & 1 else 16
        frame = av.VideoFrame.from_ndarray(np.vstack([luma, chroma]), format="yuv420p")
        frame.pts, frame.time_base = i, Fraction(1, rate)
        out.mux(v.encode(frame))
        while samples < (i + 1) * 48000 / rate:
            t = (samples + np.arange(spf)) / 48000
            tone = (0.1 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
            af = av.AudioFrame.from_ndarray(np.vstack([tone, tone]), format="fltp", layout="stereo")
            af.sample_rate, af.pts = 48000, samples
            out.mux(a.encode(af))
            samples += spf
    out.mux(v.encode())
    out.mux(a.encode())


def inputs(cache: Path, quick: bool) -> dict[str, Path]:
    cache.mkdir(parents=True, exist_ok=True)
    s = (lambda full, q: q) if quick else (lambda full, q: full)
    hd = (1920, 1080)
    return {
        "long": make_input(cache / f"h264_{s(300, 20)}s.mp4", s(300, 20), hd, "libx264", "mp4"),
        "minute": make_input(cache / f"h264_{s(60, 8)}s.mp4", s(60, 8), hd, "libx264", "mp4"),
        "webm": make_input(cache / f"vp8_{s(30, 5)}s.webm", s(30, 5), (1280, 720), "libvpx", "webm"),
        "hevc": make_input(cache / f"hevc_{s(20, 4)}s.mov", s(20, 4), hd, "libx265", "mov"),
    }


# ---------------------------------------------------------------- running jobs


def _child(conn, fn_name: str, args: tuple) -> None:
    fn = globals()[fn_name]
    cpu, start = _cpu_s(), time.perf_counter()
    extra = fn(*args)
    elapsed = time.perf_counter() - start
    conn.send((elapsed, _peak_rss_mb(os.getpid()), _cpu_s() - cpu, extra))


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # all threads of this process
    return usage.ru_utime + usage.ru_stime


def _peak_rss_mb(pid: int) -> float:
    """VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the (big) parent."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def run_in_child(fn_name: str, *args) -> tuple[float, float, float, object]:
    """Seconds, peak RSS in MB, CPU seconds and the job's result, from a fresh process."""
    parent, child = mp.Pipe()
    proc = mp.get_context("spawn").Process(target=_child, args=(child, fn_name, args))
    proc.start()
    result = parent.recv()
    proc.join()
    return result


def run_ffmpeg(*commands: list[str]) -> tuple[float, float, float]:
    """Wall time of the commands run one after another, largest peak RSS (MB), CPU seconds."""
    start, peak, cpu = time.perf_counter(), 0.0, 0.0
    for cmd in commands:
        proc = subprocess.Popen(["ffmpeg", "-nostdin", "-v", "error", "-y", *cmd])
        while True:  # sample its high-water mark until it exits
            with contextlib.suppress(OSError):
                peak = max(peak, _peak_rss_mb(proc.pid))
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            time.sleep(0.005)
        if os.waitstatus_to_exitcode(status):
            raise SystemExit(f"ffmpeg failed: {cmd}")
        cpu += usage.ru_utime + usage.ru_stime
    return time.perf_counter() - start, peak, cpu


# Jobs that run in the child (looked up by name so the spawn start method can find them).


def job_prepare(src: str, dst: str) -> str:
    return media.prepare(src, dst).video_codec


def job_proxy(src: str, dst: str) -> str:
    return media.make_review_proxy(src, dst).video_codec


def job_cut(src: str, dst: str, start: float, end: float) -> float:
    return media.cut(src, dst, start, end).start_s


def job_still(src: str, dst: str, at: float) -> None:
    media.still(src, dst, at)


def job_thumbs(src: str, dst_dir: str, count: int) -> int:
    paths = media.thumbnails(src, dst_dir, count)
    return len({p.read_bytes() for p in paths})


def job_decode(src: str) -> int:
    with av.open(src) as c:
        v = c.streams.video[0]
        v.thread_type = "AUTO"
        return sum(1 for _ in c.decode(v))


# ---------------------------------------------------------------- the table


def best_of(
    repeat: int, *jobs: Callable[[], tuple], rounds: list | None = None
) -> list[tuple[float, float, float, object]]:
    """Run the jobs interleaved `repeat` times; keep each one's fastest time, highest RSS and
    least CPU time. If given, `rounds` receives each round's wall times, one list per round.

    Interleaving and the minimum make the comparison fair on a shared, noisy machine; syncing
    first stops one job's write-back (a 600 MB remux) from slowing the next.
    """
    best: list = [None] * len(jobs)
    for _ in range(repeat):
        times = []
        for k, job in enumerate(jobs):
            os.sync()
            t, rss, cpu, *extra = job()
            times.append(t)
            old = best[k] or (t, rss, cpu)
            best[k] = (min(t, old[0]), max(rss, old[1]), min(cpu, old[2]), *extra[:1])
        if rounds is not None:
            rounds.append(times)
    return best  # type: ignore[return-value]


def round_ratios(rounds: list[list[float]]) -> str:
    """The first job's time over the second's in each round: back-to-back pairs share the
    machine's load of the moment, so their spread shows how much of a ratio is noise."""
    if len(rounds) < 2:
        return ""
    return "per-round ratios " + ", ".join(f"{r[0] / r[1]:.2f}" for r in rounds)


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def bench(
    files: dict[str, Path], work: Path, repeat: int, slow_repeat: int, only: list[str] | None = None
) -> list[tuple]:
    rows = []

    def wanted(name: str) -> bool:
        return not only or any(word.lower() in name.lower() for word in only)

    long, dur = str(files["long"]), media.probe(files["long"]).duration_s
    mid = dur / 2 - 10

    def row(name, ours, ref, limit, mem_limit, note="", ok=True):
        ratio, cpu_ratio = ours[0] / ref[0], ours[2] / max(ref[2], 1e-3)
        ok = ok and ratio <= limit and (mem_limit is None or ours[1] <= mem_limit)
        rows.append((name, ours[0], ref[0], ratio, cpu_ratio, limit, ours[1], ref[1], mem_limit, ok, note))
        print_rows(rows[-1:])  # as we go: a long run can be read (or stopped) part way

    def child(*args):
        return lambda: run_in_child(*args)

    def ffmpeg(*cmds):
        return lambda: run_ffmpeg(*cmds)

    for key in ("minute", "long"):
        name = f"prepare by remux, {files[key].name}"
        if not wanted(name):
            continue
        src, out = str(files[key]), str(work / "remux.mp4")
        ff = ["-i", src, "-c", "copy", "-movflags", "+faststart", str(work / "ff.mp4")]
        ours, ref = best_of(repeat, child("job_prepare", src, out), ffmpeg(ff))
        row(name, ours, ref, 1.3, 150)

    if wanted("cut 20 s from the middle (copy)"):
        ff = ["-ss", f"{mid}", "-i", long, "-t", "20", "-c", "copy", str(work / "ffcut.mp4")]
        ours, ref = best_of(repeat, child("job_cut", long, str(work / "cut.mp4"), mid, mid + 20), ffmpeg(ff))
        row("cut 20 s from the middle (copy)", ours, ref, 1.5, 150, f"real start {ours[3]:.2f} s")

    late, early = min(250.0, dur - 5), 5.0
    if wanted(f"still at {late:.0f} s vs still at 5 s"):
        ff = ["-ss", f"{late}", "-i", long, "-frames:v", "1", str(work / "ff.jpg")]
        ours, first, ref = best_of(
            repeat,
            child("job_still", long, str(work / "late.jpg"), late),
            child("job_still", long, str(work / "early.jpg"), early),
            ffmpeg(ff),
        )
        row(f"still at {late:.0f} s", ours, ref, 1.5, 150)
        row(f"still at {late:.0f} s vs still at 5 s", ours, first, 2.0, 150)

    if wanted("12 thumbnails"):
        times = [dur * (i + 0.5) / 12 for i in range(12)]
        cmds = [
            ["-skip_frame", "nokey", "-ss", f"{t}", "-i", long, "-frames:v", "1", "-vf", "scale=320:-2"]
            + [str(work / f"ff{i}.jpg")]
            for i, t in enumerate(times)
        ]
        ours, ref = best_of(repeat, child("job_thumbs", long, str(work / "thumbs"), 12), ffmpeg(*cmds))
        row("12 thumbnails", ours, ref, 0.6, 150, f"{ours[3]}/12 distinct", ok=ours[3] == 12)

    for key in ("webm", "hevc"):
        name = f"full transcode of {files[key].name}"
        if not wanted(name):
            continue
        src = str(files[key])
        ff = ["-i", src, *_X264, str(work / f"ff{key}.mp4")]
        job = child("job_prepare", src, str(work / f"{key}.mp4"))
        rounds: list = []
        before = _load()
        ours, ref = best_of(slow_repeat, job, ffmpeg(ff), rounds=rounds)
        note = "; ".join(filter(None, [round_ratios(rounds), f"load {before} → {_load()}"]))
        row(name, ours, ref, 1.1, 400, note)

    if wanted("review proxy of HEVC clip vs decoding it (PyAV)"):
        hevc = str(files["hevc"])
        ours, ref, ff_decode = best_of(
            slow_repeat,
            child("job_proxy", hevc, str(work / "proxy.mp4")),
            child("job_decode", hevc),
            ffmpeg(["-i", hevc, "-f", "null", "-"]),
        )
        note = f"ffmpeg -f null decode {ff_decode[0]:.2f} s"
        row("review proxy of HEVC clip vs decoding it (PyAV)", ours, ref, 1.5, 400, note)
    return rows


_X264 = [
    "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
    "-c:a", "aac", "-b:a", "128k", "-ac", "2", "-movflags", "+faststart",
]  # fmt: skip


def print_header() -> None:
    with open("/proc/cpuinfo") as f:
        models = [ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")]
    cpu = models[0] if models else platform.processor()
    stamp = time.strftime("%Y-%m-%d %H:%M %Z")
    print(f"{stamp}  nproc={os.cpu_count()}  CPU: {cpu}  av {av.__version__}  load {_load()}")
    head = ["job", "verp s", "ref s", "ratio", "CPU ratio", "target", "verp MB", "ref MB"]
    print("| " + " | ".join([*head, "result", "note"]) + " |")
    print("|---|" + "---:|" * (len(head) - 1) + "---|---|", flush=True)


def print_rows(rows: list[tuple]) -> None:
    for name, ours, ref, ratio, cpu_ratio, limit, rss, ref_rss, mem, ok, note in rows:
        cells = [name, f"{ours:.2f}", f"{ref:.2f}", f"{ratio:.2f}", f"{cpu_ratio:.2f}"]
        cells += [f"≤ {limit}" + (f", ≤ {mem} MB" if mem else ""), f"{rss:.0f}", f"{ref_rss:.0f}"]
        print("| " + " | ".join([*cells, "PASS" if ok else "FAIL", note]) + " |", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short inputs for a smoke run")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/verp-bench"))
    parser.add_argument("--repeat", type=int, default=3, help="runs per job; the fastest counts")
    parser.add_argument("--slow-repeat", type=int, default=1, help="runs per transcode job")
    parser.add_argument(
        "--only",
        action="append",
        metavar="WORDS",
        help="run only the jobs whose name contains WORDS (case-insensitive; repeatable), "
        "e.g. --only transcode",
    )
    args = parser.parse_args(argv)
    if shutil.which("ffmpeg") is None:
        print(
            "The benchmark compares against the ffmpeg CLI: apt-get install -y ffmpeg",
            file=sys.stderr,
        )
        return 2
    t = time.perf_counter()
    files = inputs(args.cache, args.quick)
    names = ", ".join(p.name for p in files.values())
    print(f"inputs ready in {time.perf_counter() - t:.0f} s: {names}", flush=True)
    with tempfile.TemporaryDirectory(dir=args.cache) as work:
        print_header()
        rows = bench(files, Path(work), args.repeat, args.slow_repeat, args.only)
    return 0 if all(r[9] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
