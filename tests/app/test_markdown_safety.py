"""Typed names never become Markdown: no element on My clips or Review carries a live link or image."""

from __future__ import annotations

import re

from tests.support.apptest import open_app, open_section
from tests.support.markdown import markdown_strings
from tests.support.media import make_clip
from tests.support.upload import send_upload, uploader_reports
from verp.review import clips

# A file name keeps no folders, so the hostile name has no slash: all of it reaches the pages.
HOSTILE = "[x](http:evil.example) ![i](https:evil.example?a.png) *b*"
LIVE_MARKDOWN = re.compile(r"(?<!\\)\]\(|(?<!\\)!\[|(?<!\\)\*b(?<!\\)\*")


def _live(at) -> list[str]:
    return [body for body in markdown_strings(at) if LIVE_MARKDOWN.search(body)]


def test_the_checker_sees_live_markdown():
    assert LIVE_MARKDOWN.search(HOSTILE)
    assert not LIVE_MARKDOWN.search(r"\[x\]\(http://evil\.example\) \!\[i\]\(y\) \*b\*")


def test_a_hostile_file_name_stays_text_on_my_clips_and_review(store, teacher, tmp_path, monkeypatch):
    data = make_clip(tmp_path / "a.mp4", seconds=2).read_bytes()
    at = open_app("pages/my_clips.py", teacher)
    uploader_reports(monkeypatch, send_upload(store, teacher.id, HOSTILE + ".mp4", data).clip_id)
    at.run()
    assert not at.exception
    assert at.success and at.subheader, "the upload was saved and listed"
    assert _live(at) == []

    [clip] = clips.list_clips(store, teacher.id)
    open_section(at, f"rename_open_{clip.id}")  # the rename box holds the name too
    assert at.text_input(key=f"title_{clip.id}").value and _live(at) == []
    at.button(key=f"delete_{clip.id}").click().run()
    at.button(key=f"confirm_{clip.id}").click().run()
    assert not at.exception and at.success
    assert _live(at) == []


def test_deleting_a_clip_on_review_names_it_as_text(store, teacher, tmp_path):
    with make_clip(tmp_path / "a.mp4", seconds=2).open("rb") as f:
        clip = clips.add_clip(store, teacher.id, HOSTILE + ".mp4", f)
    at = open_app("pages/review.py", teacher)
    at.button(key=f"delete_clip_{clip.id}").click().run()
    at.button(key=f"yes_delete_clip_{clip.id}").click().run()
    assert not at.exception and at.success
    assert _live(at) == []
