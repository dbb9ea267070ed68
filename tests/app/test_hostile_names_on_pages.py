"""A clip's name is shown as the words it is, never as Markdown (no links, no remote images)."""

from tests.support.apptest import open_app
from tests.support.media import make_clip
from tests.support.upload import send_upload, uploader_reports
from verp.review import clips
from verp.ui.text import WORD_JOINER, escape_markdown

HOSTILE_TITLE = "![seen](http://tracker.example/p.png) [click](http://evil.example) **loud** :red[x] $x$"


def test_escaped_words_keep_no_markdown_meaning():
    escaped = escape_markdown(HOSTILE_TITLE + "\n# heading")
    for construct in ("![", "](", "**", ":red[", "$x$", "\n#"):
        assert construct not in escaped
    assert escaped.replace("\\", "").replace(WORD_JOINER, "") == (HOSTILE_TITLE + " # heading")


def test_a_hostile_clip_name_is_escaped_in_the_heading_and_the_message(store, teacher, tmp_path, monkeypatch):
    source = make_clip(tmp_path / "x.mp4", seconds=1)
    with source.open("rb") as f:
        clip = clips.add_clip(store, teacher.id, "x.mp4", f)
    clips.rename_clip(store, teacher.id, clip.id, HOSTILE_TITLE)
    at = open_app("pages/my_clips.py", teacher)
    assert not at.exception
    assert [h.value for h in at.subheader] == [escape_markdown(HOSTILE_TITLE)]

    hostile = "**loud** ![x](y) [click](z).mp4"
    sent = send_upload(store, teacher.id, hostile, make_clip(tmp_path / "y.mp4", seconds=1).read_bytes())
    uploader_reports(monkeypatch, sent.clip_id)
    at.run()
    assert at.success[0].value == escape_markdown("Saved “**loud** ![x](y) [click](z)”.")


def test_a_hostile_display_name_is_words_in_the_sidebar(store):
    from verp.core.accounts import create_person

    hostile = "![seen](http://t.example/p.png) [click](http://e.example) :red[x]"  # within 80 characters
    person = create_person(store, hostile, "correct horse battery")
    at = open_app(person=person)  # the app's frame draws the sidebar (a switched-to page runs alone here)
    [said] = [c.value for c in at.sidebar.caption]
    assert said == f"Signed in as  \n**{escape_markdown(hostile)}**"
    for construct in ("![", "](", ":red["):
        assert construct not in said


def test_a_hostile_workshop_title_is_words_in_controls_heading(store, teacher, colleague):
    """While a workshop is live Control names it in a heading: a facilitator's title, typed, is words."""
    from tests.support.apptest import open_page
    from tests.support.workshop import make_workshop, share_moment
    from verp.workshop import workshops

    w = make_workshop(store, teacher.id, HOSTILE_TITLE)
    share_moment(store, colleague.id, w.id, "Circle time")
    workshops.open_workshop(store, teacher.id, w.id)
    at = open_page("control", teacher.id)
    assert not at.exception
    assert at.header[0].value == f"{escape_markdown(w.title)} · {w.held_on:%d %b %Y}"
    for construct in ("![", "](", "**", ":red["):
        assert construct not in at.header[0].value
