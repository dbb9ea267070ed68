"""``python -m verp media ...``: JSON from probe, files from jobs, one-line errors with exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.media import make_audio_only, make_clip, make_text_file
from verp.__main__ import main
from verp.media import jobs as media

ROOT = Path(__file__).resolve().parents[2]


def test_probe_prints_clip_facts_as_json(tmp_path, capsys):
    src = make_clip(tmp_path / "a.mp4", rotation=90)
    assert main(["media", "probe", str(src)]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert facts["width"] == 120 and facts["rotation"] == 90 and facts["browser_playable"]


def test_prepare_cut_still_and_thumbs_write_their_files(tmp_path, capsys):
    src = make_clip(tmp_path / "a.webm", seconds=3, codec="vp8", container="webm")
    assert main(["media", "prepare", str(src), str(tmp_path / "p.mp4")]) == 0
    assert media.probe(tmp_path / "p.mp4").browser_playable
    assert main(["media", "prepare", "--proxy", str(src), str(tmp_path / "x.mp4")]) == 0
    assert main(["media", "cut", str(src), str(tmp_path / "c.mp4"), "--start", "1", "--end", "2"]) == 0
    assert json.loads(capsys.readouterr().out)["end_s"] > 1
    assert main(["media", "still", str(src), str(tmp_path / "s.jpg"), "--at", "1.5"]) == 0
    assert main(["media", "thumbs", str(src), str(tmp_path / "t"), "--count", "3"]) == 0
    assert len(list((tmp_path / "t").glob("*.jpg"))) == 3


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["probe", "{text}"], "not a video file"),
        (["probe", "{audio}"], "sound only"),
        (["cut", "{clip}", "{out}", "--start", "2", "--end", "1"], "end after it starts"),
        (["still", "{clip}", "{out}.png", "--at", "99"], "outside the clip"),
    ],
)
def test_bad_input_prints_one_line_and_exits_2(tmp_path, capsys, argv, message):
    paths = {
        "text": make_text_file(tmp_path / "notes.mp4"),
        "audio": make_audio_only(tmp_path / "voice.m4a"),
        "clip": make_clip(tmp_path / "a.mp4"),
        "out": tmp_path / "out.mp4",
    }
    assert main(["media", *[a.format(**paths) for a in argv]]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_module_runs_as_a_program_without_traceback(tmp_path):
    bad = make_text_file(tmp_path / "notes.mp4")
    run = subprocess.run(
        [sys.executable, "-m", "verp", "media", "probe", str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert run.stderr == "error: This is not a video file we can read.\n"


def test_output_that_cannot_be_written_is_a_one_line_error(tmp_path, capsys):
    src = make_clip(tmp_path / "a.mp4")
    assert main(["media", "still", str(src), str(src / "s.jpg"), "--at", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
