"""Typed names never become Markdown: no element on My clips, Review, Groups or the projector's series
opening carries a live link or image."""

from __future__ import annotations

import re

from tests.support.apptest import open_app, open_page, open_section
from tests.support.markdown import HOSTILE_NAME, markdown_strings
from tests.support.media import make_clip
from tests.support.series import group_with_two_sessions
from tests.support.upload import send_upload, uploader_reports
from tests.support.workshop import make_workshop, share_moment
from verp.core.accounts import create_person
from verp.core.models import FreezeFrame
from verp.review import clips
from verp.ui.text import escape_markdown
from verp.workshop import groups, workshops

# A file name keeps no folders, so the hostile name has no slash: all of it reaches the pages.
HOSTILE = "[x](http:evil.example) ![i](https:evil.example?a.png) *b*"
# Elsewhere a typed name may hold what the browser turns into a link, an icon or a picture by itself,
# after taking the backslashes out: a bare address, an e-mail address, Streamlit's icon and logo codes.
HOSTILE_WORDS = (
    HOSTILE
    + " https://evil.example/x www.evil.example ann@evil.example :material_warning: :streamlit: A -> B"
)
LIVE_MARKDOWN = re.compile(r"(?<!\\)\]\(|(?<!\\)!\[|(?<!\\)\*b(?<!\\)\*")
# What the browser's Markdown does to text once its escapes are read (GFM's bare links, Streamlit's codes).
LIVE_AFTER_ESCAPES = re.compile(
    r"https?://|www\.|[-.\w+]+@[-\w]+(\.[-\w]+)+|:material_\w+:|:streamlit:| (->|<-|--|>=|<=|~=) ", re.I
)


def _live(at) -> list[str]:
    return [body for body in markdown_strings(at) if _is_live(body)]


def _is_live(body: str) -> bool:
    return bool(LIVE_MARKDOWN.search(body) or LIVE_AFTER_ESCAPES.search(re.sub(r"\\(.)", r"\1", body)))


def test_the_checker_sees_live_markdown():
    assert _is_live(HOSTILE) and _is_live(escape_markdown_without_joiners(HOSTILE_WORDS))
    assert not _is_live(r"\[x\]\(http\:evil\.example\) \!\[i\]\(y\) \*b\*")


def test_escaped_words_are_all_still_there():
    """Nothing a person typed is lost: the escape adds only backslashes and invisible word joiners."""
    escaped = escape_markdown(HOSTILE_WORDS)
    assert not _is_live(escaped)
    assert re.sub(r"\\(.)", r"\1", escaped).replace("\u2060", "") == HOSTILE_WORDS


def escape_markdown_without_joiners(words: str) -> str:
    return escape_markdown(words).replace("\u2060", "")


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


def test_a_members_name_stays_text_on_the_projectors_series_opening(store, teacher):
    """A display name is typed by its owner; session N's "Since session N−1" step heads each member's
    card with it, on the room's screen."""
    member = create_person(store, HOSTILE_NAME, "a long enough passphrase here")
    _, _, second = group_with_two_sessions(store, teacher.id, member.id)
    workshops.go_to_step(store, teacher.id, second.id, "series_opening")
    at = open_page("present", query={"w": workshops.present_token(store, teacher.id, second.id)})
    assert not at.exception
    assert at.subheader, "the member's card is drawn"
    assert _live(at) == []


def test_a_groups_name_stays_text_on_groups(store, teacher, colleague):
    groups.create_group(store, teacher.id, HOSTILE_WORDS, [colleague.id], 3)
    at = open_page("groups", teacher.id)
    assert not at.exception
    assert at.subheader, "the group is listed"
    assert _live(at) == []


def test_a_moments_title_stays_text_in_plans_timings(store, teacher, colleague):
    """Each step's minutes box is labelled with the moment's title, typed by the clip's owner."""
    w = make_workshop(store, teacher.id)
    share_moment(store, colleague.id, w.id, "Story " + HOSTILE_WORDS)
    at = open_page("plan", teacher.id)
    open_section(at, f"timings_{w.id}")
    assert not at.exception
    assert any("Story" in box.label for box in at.number_input), "the moment's step has its box"
    assert _live(at) == []


def test_a_moments_title_stays_text_in_plans_list_of_moments(store, teacher, colleague):
    """Each shared moment is a section on Plan, headed with its title as its owner typed it."""
    w = make_workshop(store, teacher.id)
    share_moment(store, colleague.id, w.id, "Story " + HOSTILE_WORDS)
    at = open_page("plan", teacher.id)
    assert not at.exception
    assert any(e.label.startswith("Story") for e in at.expander), "the moment's section is drawn"
    assert _live(at) == []


def test_a_freeze_frame_caption_stays_text_on_controls_jump_buttons(store, teacher, colleague):
    """The owner's caption of a freeze-frame names Control's "Go to" button for it."""
    w = make_workshop(store, teacher.id)
    _, moment_id = share_moment(store, colleague.id, w.id, "Circle time")
    with store.transaction() as s:  # the owner's caption, as Review keeps it
        s.add(FreezeFrame(moment_id=moment_id, at_s=2.0, caption=HOSTILE_WORDS, chain_part="initiative"))
    workshops.open_workshop(store, teacher.id, w.id)
    moment_step = next(step for step in workshops.steps(store, w.id) if step.moment is not None)
    workshops.go_to_step(store, teacher.id, w.id, moment_step.key)
    at = open_page("control", teacher.id)
    assert not at.exception
    assert [b.label for b in at.button if (b.key or "").startswith("pb_mark_")], "the jump button is drawn"
    assert _live(at) == []
