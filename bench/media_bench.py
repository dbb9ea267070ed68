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
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import cast

import av
import numpy as np
from av.audio.stream import AudioStream
from av.video.stream import VideoStream

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from verp.media import jobs as media  # noqa: E402
from verp.media import transcode as tx  # noqa: E402

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
        v = cast(VideoStream, out.add_stream(codec, rate=rate, options=video_opts))
        v.width, v.height, v.pix_fmt = width, height, "yuv420p"
        v.bit_rate = 16_000_000 if height >= 1080 else 6_000_000
        v.thread_type = "AUTO"
        a = cast(AudioStream, out.add_stream(audio_codec, rate=48000))
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


# Which inputs each job reads, by a word of its name (the 300 s clip is always needed: its
# duration places the cut, the stills and the thumbnails).
_INPUT_OF_JOB = {"minute": ("60s", "prepare"), "webm": ("webm",), "hevc": ("hevc", "proxy")}


def inputs(cache: Path, quick: bool, only: list[str] | None = None) -> dict[str, Path]:
    """The input clips, made on first use; with ``only``, just those the chosen jobs read."""
    cache.mkdir(parents=True, exist_ok=True)
    s = (lambda full, q: q) if quick else (lambda full, q: full)
    hd = (1920, 1080)
    plans = {
        "long": (cache / f"h264_{s(300, 20)}s.mp4", s(300, 20), hd, "libx264", "mp4"),
        "minute": (cache / f"h264_{s(60, 8)}s.mp4", s(60, 8), hd, "libx264", "mp4"),
        "webm": (cache / f"vp8_{s(30, 5)}s.webm", s(30, 5), (1280, 720), "libvpx", "webm"),
        "hevc": (cache / f"hevc_{s(20, 4)}s.mov", s(20, 4), hd, "libx265", "mov"),
    }

    def needed(key: str) -> bool:
        words = [w.lower() for w in only or []]
        hints = _INPUT_OF_JOB.get(key, ())
        return not only or key == "long" or any(h in w or w in h for w in words for h in hints)

    return {key: make_input(*plan) for key, plan in plans.items() if needed(key)}


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


def run_command(cmd: list[str]) -> tuple[float, float, float]:
    """Wall time (process start included), peak RSS (MB) and CPU seconds of one command."""
    start, peak = time.perf_counter(), 0.0
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    while True:  # sample its high-water mark until it exits
        with contextlib.suppress(OSError):
            peak = max(peak, _peak_rss_mb(proc.pid))
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.002)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"failed: {cmd}")
    return time.perf_counter() - start, peak, usage.ru_utime + usage.ru_stime


def run_ffmpeg(*commands: list[str]) -> tuple[float, float, float]:
    """Wall time of the ffmpeg commands run one after another, largest peak RSS (MB), CPU seconds."""
    total, peak, cpu = 0.0, 0.0, 0.0
    for cmd in commands:
        t, rss, c = run_command(["ffmpeg", "-nostdin", "-v", "error", "-y", *cmd])
        total, peak, cpu = total + t, max(peak, rss), cpu + c
    return total, peak, cpu


# Jobs that run in the child (looked up by name so the spawn start method can find them).


def job_probe(src: str) -> str:
    return media.probe(src).video_codec


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


_WORK: list[Path] = []  # the folder the jobs write into, emptied before each job


def paired(repeat: int, *jobs: Callable[[], tuple]) -> list[list[tuple[float, float, float, object]]]:
    """Run the jobs one after another, ``repeat`` rounds; every round's result of every job.

    Running them back to back in each round gives each pair the same load of the moment on a shared
    machine. Before each job, untimed, the outputs of the last one are deleted and everything synced:
    every job then writes new files (as the app does: a temporary name, renamed into place), and no
    job pays for freeing another's 600 MB or for its write-back.
    """
    results: list[list] = [[] for _ in jobs]
    for _ in range(repeat):
        for k, job in enumerate(jobs):
            for folder in _WORK:
                _empty(folder)
            os.sync()
            results[k].append(job())
    return results


def _empty(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            path.unlink()


@dataclass(frozen=True)
class Figures:
    """One job's median over the rounds, and its median ratio to another job of the same rounds."""

    seconds: float
    rss_mb: float
    cpu_s: float
    extra: object


def median_of(runs: list[tuple]) -> Figures:
    return Figures(
        statistics.median(r[0] for r in runs),
        max(r[1] for r in runs),
        statistics.median(r[2] for r in runs),
        runs[0][3] if len(runs[0]) > 3 else None,
    )


def pair_ratios(ours: list[tuple], ref: list[tuple], index: int = 0) -> list[float]:
    """Each round's ours ÷ ref (wall time, or CPU time with index 2): the spread is the error bar."""
    return [a[index] / max(b[index], 1e-6) for a, b in zip(ours, ref, strict=True)]


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def bench(
    files: dict[str, Path], work: Path, repeat: int, slow_repeat: int, only: list[str] | None = None
) -> list[dict]:
    rows: list[dict] = []

    def wanted(name: str) -> bool:
        return not only or any(word.lower() in name.lower() for word in only)

    long, dur = str(files["long"]), media.probe(files["long"]).duration_s
    mid = dur / 2 - 10

    def row(name, ours_runs, ref_runs, limit, mem_limit, note="", ok=True, ref_name="ffmpeg"):
        ours, ref = median_of(ours_runs), median_of(ref_runs)
        ratios = pair_ratios(ours_runs, ref_runs)
        ratio, cpu_ratio = statistics.median(ratios), statistics.median(pair_ratios(ours_runs, ref_runs, 2))
        ok = ok and ratio <= limit and (mem_limit is None or ours.rss_mb <= mem_limit)
        spread = f"pairs {min(ratios):.2f}–{max(ratios):.2f}" if len(ratios) > 1 else ""
        note = "; ".join(filter(None, [spread, note, f"load {_load()}"]))
        rows.append(
            {"name": name, "ours": ours, "ref": ref, "ratio": ratio, "cpu_ratio": cpu_ratio, "limit": limit,
             "mem": mem_limit, "ok": ok, "note": note, "ref_name": ref_name}
        )  # fmt: skip
        print_rows(rows[-1:])  # as we go: a long run can be read (or stopped) part way

    def child(*args):
        return lambda: run_in_child(*args)

    def ffmpeg(*cmds):
        return lambda: run_ffmpeg(*cmds)

    if wanted("probe"):
        name = f"probe, {files['long'].name} ({files['long'].stat().st_size / 1e6:.0f} MB)"
        ffprobe = ["ffprobe", "-v", "error", "-show_format", "-show_streams", long]
        ours_runs, ref_runs = paired(repeat, child("job_probe", long), lambda: run_command(ffprobe))
        ours = median_of(ours_runs)
        note = (
            f"verp {ours.seconds * 1000:.0f} ms wall, {ours.cpu_s * 1000:.0f} ms CPU (target ≤ 50 ms); "
            "ffprobe's time includes its process start"
        )
        row(name, ours_runs, ref_runs, float("inf"), 150, note, ok=ours.seconds <= 0.05, ref_name="ffprobe")

    for key in ("minute", "long"):
        if key not in files:
            continue
        name = f"prepare by remux, {files[key].name}"
        if not wanted(name):
            continue
        src, out = str(files[key]), str(work / "remux.mp4")
        ff = ["-i", src, *_MAP, "-c", "copy", *_FASTSTART, str(work / "ff.mp4")]
        ours_runs, ref_runs = paired(repeat, child("job_prepare", src, out), ffmpeg(ff))
        row(name, ours_runs, ref_runs, 1.3, 150)

    if wanted("cut 20 s from the middle (copy)"):
        ff = [
            "-ss",
            f"{mid}",
            "-i",
            long,
            "-t",
            "20",
            *_MAP,
            "-c",
            "copy",
            *_FASTSTART,
            str(work / "ffcut.mp4"),
        ]
        ours_runs, ref_runs = paired(
            repeat, child("job_cut", long, str(work / "cut.mp4"), mid, mid + 20), ffmpeg(ff)
        )
        note = f"real start {ours_runs[0][3]:.2f} s"
        row("cut 20 s from the middle (copy)", ours_runs, ref_runs, 1.5, 150, note)

    # Both times one second past a keyframe (the inputs have one every 2 s), so the two stills
    # decode the same number of frames and only the distance from the start differs.
    late, early = min(251.0, dur - 5), 5.0
    if wanted(f"still at {late:.0f} s vs still at 5 s"):
        ff = [*_THREADS, "-ss", f"{late}", "-i", long, "-frames:v", "1", str(work / "ff.jpg")]
        ours_runs, first_runs, ref_runs = paired(
            repeat,
            child("job_still", long, str(work / "late.jpg"), late),
            child("job_still", long, str(work / "early.jpg"), early),
            ffmpeg(ff),
        )
        row(f"still at {late:.0f} s", ours_runs, ref_runs, 1.5, 150)
        row(f"still at {late:.0f} s vs still at 5 s", ours_runs, first_runs, 1.3, 150, ref_name="verp at 5 s")

    if wanted("12 thumbnails"):
        times = [dur * (i + 0.5) / 12 for i in range(12)]
        cmds = [
            [
                *_THREADS,
                "-skip_frame",
                "nokey",
                "-ss",
                f"{t}",
                "-i",
                long,
                "-frames:v",
                "1",
                "-vf",
                "scale=320:-2",
            ]
            + [str(work / f"ff{i}.jpg")]
            for i, t in enumerate(times)
        ]
        ours_runs, ref_runs = paired(
            repeat, child("job_thumbs", long, str(work / "thumbs"), 12), ffmpeg(*cmds)
        )
        distinct = min(cast(int, r[3]) for r in ours_runs)
        row("12 thumbnails", ours_runs, ref_runs, 0.6, 150, f"{distinct}/12 distinct", ok=distinct == 12)

    for key in ("webm", "hevc"):
        if key not in files:
            continue
        name = f"full transcode of {files[key].name}"
        if not wanted(name):
            continue
        src = str(files[key])
        ff = [*_THREADS, "-i", src, *_MAP, *_X264, *_THREADS, *_FASTSTART, str(work / f"ff{key}.mp4")]
        job = child("job_prepare", src, str(work / f"{key}.mp4"))
        ours_runs, ref_runs = paired(slow_repeat, job, ffmpeg(ff))
        row(name, ours_runs, ref_runs, 1.1, 400)

    if "hevc" in files and wanted("review proxy of HEVC clip vs decoding it (PyAV)"):
        hevc = str(files["hevc"])
        ours_runs, ref_runs, ff_decode = paired(
            slow_repeat,
            child("job_proxy", hevc, str(work / "proxy.mp4")),
            child("job_decode", hevc),
            ffmpeg([*_THREADS, "-i", hevc, "-f", "null", "-"]),
        )
        note = f"ffmpeg -f null decode {median_of(ff_decode).seconds:.2f} s"
        row(
            "review proxy of HEVC clip vs decoding it (PyAV)",
            ours_runs,
            ref_runs,
            1.5,
            400,
            note,
            ref_name="PyAV decode",
        )
    return rows


# The same choices the jobs make: the first video and first audio stream, a faststart MP4, and the
# codecs' thread count (FFmpeg's automatic one, as ``verp.media.transcode.THREADS`` says).
_MAP = ["-map", "0:v:0", "-map", "0:a:0?"]
_FASTSTART = ["-movflags", "+faststart"]
_THREADS = ["-threads", str(tx.THREADS)]
_X264 = [
    "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
    "-c:a", "aac", "-b:a", "128k", "-ac", "2",
]  # fmt: skip


def print_header() -> None:
    with open("/proc/cpuinfo") as f:
        models = [ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")]
    cpu = models[0] if models else platform.processor()
    stamp = time.strftime("%Y-%m-%d %H:%M %Z")
    print(f"{stamp}  nproc={os.cpu_count()}  CPU: {cpu}  av {av.__version__}  load {_load()}")
    head = ["job", "verp s", "ref", "ref s", "ratio", "CPU ratio", "target", "verp MB", "ref MB"]
    print("| " + " | ".join([*head, "result", "note"]) + " |")
    print("|---|---:|---|" + "---:|" * (len(head) - 3) + "---|---|", flush=True)


def print_rows(rows: list[dict]) -> None:
    for r in rows:
        ours, ref, limit, mem = r["ours"], r["ref"], r["limit"], r["mem"]
        target = "" if limit == float("inf") else f"≤ {limit}"
        target += (", " if target and mem else "") + (f"≤ {mem} MB" if mem else "")
        cells = [r["name"], f"{ours.seconds:.3f}", r["ref_name"], f"{ref.seconds:.3f}", f"{r['ratio']:.2f}"]
        cells += [f"{r['cpu_ratio']:.2f}", target, f"{ours.rss_mb:.0f}", f"{ref.rss_mb:.0f}"]
        print("| " + " | ".join([*cells, "PASS" if r["ok"] else "FAIL", r["note"]]) + " |", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short inputs for a smoke run")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/verp-bench"))
    parser.add_argument("--repeat", type=int, default=5, help="interleaved rounds per job; the median counts")
    parser.add_argument("--slow-repeat", type=int, default=3, help="interleaved rounds per transcode job")
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
    files = inputs(args.cache, args.quick, args.only)
    names = ", ".join(p.name for p in files.values())
    print(f"inputs ready in {time.perf_counter() - t:.0f} s: {names}", flush=True)
    with tempfile.TemporaryDirectory(dir=args.cache) as work:
        _WORK.append(Path(work))
        print_header()
        rows = bench(files, Path(work), args.repeat, args.slow_repeat, args.only)
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
