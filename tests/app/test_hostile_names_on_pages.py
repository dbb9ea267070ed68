"""A clip's name is shown as the words it is, never as Markdown (no links, no remote images)."""

from tests.support.apptest import open_app
from tests.support.media import make_clip
from verp.review import clips
from verp.ui.text import escape_markdown

HOSTILE_TITLE = "![seen](http://tracker.example/p.png) [click](http://evil.example) **loud** :red[x] $x$"


def test_escaped_words_keep_no_markdown_meaning():
    escaped = escape_markdown(HOSTILE_TITLE + "\n# heading")
    for construct in ("![", "](", "**", ":red[", "$x$", "\n#"):
        assert construct not in escaped
    assert escaped.replace("\\", "") == (HOSTILE_TITLE + " # heading")


def test_a_hostile_clip_name_is_escaped_in_the_heading_and_the_message(store, teacher, tmp_path):
    source = make_clip(tmp_path / "x.mp4", seconds=1)
    with source.open("rb") as f:
        clip = clips.add_clip(store, teacher.id, "x.mp4", f)
    clips.rename_clip(store, teacher.id, clip.id, HOSTILE_TITLE)
    at = open_app("pages/my_clips.py", teacher)
    assert not at.exception
    assert [h.value for h in at.subheader] == [escape_markdown(HOSTILE_TITLE)]

    hostile_file = ("**loud** ![x](y) [click](z).mp4", b"not video", "video/mp4")
    at.file_uploader(key="upload_0").set_value(hostile_file)
    at.run()
    assert at.error[0].value == escape_markdown(
        "“**loud** ![x](y) [click](z).mp4”: This is not a video file we can read."
    )
