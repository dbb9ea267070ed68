"""One rule of what a workshop may show: withdraw, remove, delete and expiry each hide a moment, and the
reflections about it, from every screen and every export."""

from __future__ import annotations

import io
from datetime import timedelta

import pandas as pd
import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from tests.support.paths import ROOT
from tests.support.review import add_consent
from tests.support.summary import open_whole_summary
from tests.support.workshop import go_to_index, make_workshop, share_moment
from verp.core import models
from verp.core.models import Clip, Consent, FreezeFrame, Moment, MomentTag, Reflection, today, utcnow
from verp.records import export, retention, summary
from verp.review import clips, moments, sharing
from verp.room import shown
from verp.room.shown import Viewer, may_watch, shown_moments
from verp.workshop import reflections, workshops

HIDDEN_TEXT = "CIRCLEREFLECTION seen in the hidden moment"
KEPT_TEXT = "SNACKREFLECTION seen in the kept moment"
GENERAL_TEXT = "GENERALREFLECTION about the whole session"


def _reflect(
    store, workshop_id: int, moment_id: int | None, title: str, text: str, status: str = "approved"
) -> None:
    with store.transaction() as s:
        row = Reflection(workshop_id=workshop_id, moment_id=moment_id, moment_title=title, text=text)
        s.add(row)
        row.status = status


def _clip_of(store, moment_id: int) -> str:
    with store.transaction() as s:
        return s.get(Moment, moment_id).clip_id


@pytest.fixture
def room(store, teacher, colleague):
    """A live workshop showing Circle time (to be hidden) and Snack time, with reflections on both."""
    w = make_workshop(store, teacher.id)
    circle_share, circle = share_moment(store, colleague.id, w.id, "Circle time", position=0)
    _, snack = share_moment(store, colleague.id, w.id, "Snack time", position=1)
    for moment_id in (circle, snack):
        add_consent(store, colleague.id, _clip_of(store, moment_id))
    _reflect(store, w.id, circle, "Circle time", HIDDEN_TEXT)
    _reflect(store, w.id, snack, "Snack time", KEPT_TEXT)
    _reflect(store, w.id, None, "", GENERAL_TEXT)
    # and one of each waiting in Control's queue for the facilitator's approval
    _reflect(store, w.id, circle, "Circle time", f"{HIDDEN_TEXT} (waiting)", status="pending")
    _reflect(store, w.id, snack, "Snack time", f"{KEPT_TEXT} (waiting)", status="pending")
    w = workshops.open_workshop(store, teacher.id, w.id)
    go_to_index(store, teacher.id, w.id, 3)  # a prompt of Circle time: the room is looking at it
    return w, circle_share, circle


def _expire(store, moment_id: int) -> None:
    with store.transaction() as s:
        clip_id = s.get(Moment, moment_id).clip_id
        s.query(Consent).filter(Consent.clip_id == clip_id).update({"delete_by": today()})
        s.query(Clip).filter(Clip.id == clip_id).update({"delete_by": today()})
    # A date passing changes no state version: the phones' copy of the order (at most
    # running_order.STEPS_CACHE_S old) is let go here as time would let it go.
    store.__dict__.pop("_recent_steps", None)


HIDE = {
    "withdrawn by its owner": lambda st, t, c, w, share, m: sharing.withdraw_share(st, c.id, share),
    "removed by the facilitator": lambda st, t, c, w, share, m: workshops.remove_share(st, t.id, w.id, share),
    "moment deleted": lambda st, t, c, w, share, m: moments.delete_moment(st, c.id, m),
    "clip deleted": lambda st, t, c, w, share, m: clips.delete_clip(st, c.id, _clip_of(st, m)),
    "past its delete-by date": lambda st, t, c, w, share, m: _expire(st, m),
}


def _everything_shown(store, workshop_id: int) -> str:
    """The words of every view and export of the workshop, as one text."""
    w = workshops.get_workshop(store, workshop_id)
    order = workshops.steps(store, workshop_id)  # Present and Control step through these
    # The step Present, Control and Join's "on the screen now" draw: a step list kept a second or two
    # for the room's state version (filled by the look before the moment was hidden).
    on_screen, _ = workshops.room_step(store, w, recent=True)
    wall = [r.text for g in reflections.wall(store, workshop_id) for r in g.reflections]
    waiting = [r.text for r in reflections.pending(store, w.facilitator_id, workshop_id)]  # Control's queue
    plan = [m.title for m in workshops.shown_moments(store, workshop_id)]
    agenda = [item.title for item in workshops.agenda(store, workshop_id)]
    result = summary.workshop_summary(store, workshop_id)
    pdf = PdfReader(io.BytesIO(export.summary_pdf(result, include_stills=True)))
    csv = pd.read_csv(io.BytesIO(export.reflections_csv(result)), dtype=str, keep_default_na=False)
    parts = [
        *(f"{s.title} {s.moment.title if s.moment else ''}" for s in order),
        on_screen.title,
        on_screen.moment.title if on_screen.moment else "",
        *wall,
        *waiting,
        *plan,
        *agenda,
        *(m.title for m in result.moments),
        result.reflections.to_csv(),
        *(g.label for g in result.by_moment),
        "\n".join(page.extract_text() for page in pdf.pages),
        export.summary_markdown(result),
        csv.to_csv(),
    ]
    return "\n".join(parts)


@pytest.mark.parametrize("how", list(HIDE))
def test_a_hidden_moment_leaves_every_view_and_export_with_its_reflections(
    store, teacher, colleague, room, how
):
    w, share_id, moment_id = room
    before = _everything_shown(store, w.id)
    assert "Circle time" in before and HIDDEN_TEXT in before
    HIDE[how](store, teacher, colleague, w, share_id, moment_id)
    after = _everything_shown(store, w.id)
    assert "Circle time" not in after and HIDDEN_TEXT not in after
    assert "Snack time" in after and KEPT_TEXT in after and GENERAL_TEXT in after
    assert f"{KEPT_TEXT} (waiting)" in after
    assert not may_watch_now(store, teacher, colleague, w, moment_id)


def may_watch_now(store, teacher, colleague, w, moment_id) -> bool:
    with store.transaction() as s:
        return any(
            may_watch(s, viewer, moment_id, w.id)
            for viewer in (Viewer(person_id=teacher.id), Viewer(projector_of=w.id))
        )


def test_the_facilitator_and_the_projector_may_watch_only_while_the_workshop_is_open(
    store, teacher, colleague, room
):
    w, _, moment_id = room
    stranger = Viewer(person_id=colleague.id + 100)
    with store.transaction() as s:
        assert may_watch(s, Viewer(person_id=colleague.id), moment_id)  # the owner
        assert may_watch(s, Viewer(person_id=teacher.id), moment_id, w.id)
        assert may_watch(s, Viewer(projector_of=w.id), moment_id)
        assert not may_watch(s, stranger, moment_id)
        assert not may_watch(s, Viewer(projector_of=w.id + 1), moment_id)
    workshops.close_workshop(store, teacher.id, w.id)
    assert not may_watch_now(store, teacher, colleague, w, moment_id)
    assert [m.title for m in shown_moments(store, w.id)] == ["Circle time", "Snack time"]  # the record


def _summary_screen(teacher_id: int) -> str:
    at = AppTest.from_file(str(ROOT / "pages" / "summary.py"), default_timeout=30)
    at.session_state["person_id"] = teacher_id
    at = open_whole_summary(at.run())
    assert not at.exception
    texts = [t.value for t in at.text] + [str(m.value) for m in at.markdown]
    frames = [df.value.to_csv() for df in at.dataframe]
    return "\n".join(texts + frames)


def _exports(store, workshop_id: int) -> dict[str, str]:
    result = summary.workshop_summary(store, workshop_id)
    pdf = PdfReader(io.BytesIO(export.summary_pdf(result, include_stills=True)))
    return {
        "pdf": "\n".join(page.extract_text() for page in pdf.pages),
        "markdown": export.summary_markdown(result),
        "csv": export.reflections_csv(result).decode(),
    }


def test_the_rooms_statements_built_once_ask_the_date_each_time_they_run(store, room, monkeypatch):
    """The wall's and the queue's statements are built once, when the app starts: the delete-by check in
    them must still follow the clock, not stop at the day they were built."""
    w, _, circle = room
    with store.transaction() as s:
        s.query(Clip).filter(Clip.id == s.get(Moment, circle).clip_id).update(
            {"delete_by": today() + timedelta(days=1)}
        )
    assert reflections.wall_fingerprint(store, w.id)[0] == 3  # Circle time's, Snack time's, the session's
    assert len(reflections.pending(store, w.facilitator_id, w.id)) == 2
    two_days_on = utcnow() + timedelta(days=2)
    monkeypatch.setattr(models, "utcnow", lambda: two_days_on)
    assert reflections.wall_fingerprint(store, w.id)[0] == 2  # Circle time's clip is past its date
    assert [r.text for r in reflections.pending(store, w.facilitator_id, w.id)] == [f"{KEPT_TEXT} (waiting)"]


def test_withdrawn_stays_withdrawn_through_delete_and_purge(store, teacher, colleague, room):
    w, share_id, moment_id = room
    clip_id = _clip_of(store, moment_id)
    workshops.close_workshop(store, teacher.id, w.id)
    assert HIDDEN_TEXT in _summary_screen(teacher.id)

    def check(stage: str) -> None:
        for where, text in {"screen": _summary_screen(teacher.id), **_exports(store, w.id)}.items():
            assert HIDDEN_TEXT not in text, (stage, where)
            assert "Circle time" not in text, (stage, where)
            assert KEPT_TEXT in text, (stage, where)

    sharing.withdraw_share(store, colleague.id, share_id)
    check("withdrawn")
    moments.delete_moment(store, colleague.id, moment_id)
    check("moment deleted")
    with store.transaction() as s:
        s.query(Consent).filter(Consent.clip_id == clip_id).update({"delete_by": today() - timedelta(1)})
        s.query(Clip).filter(Clip.id == clip_id).update({"delete_by": today() - timedelta(1)})
    assert clip_id in [p.clip_id for p in retention.purge_expired(store)]
    check("clip purged")


@pytest.mark.parametrize("how", ["withdrawn by its owner", "removed by the facilitator"])
def test_a_moment_shared_again_starts_afresh_without_the_reflections_that_left_with_it(
    store, teacher, colleague, room, how
):
    """What the room said about a moment leaves with it for good: shared again later (the owner, or
    anyone with the code after the facilitator removed it), it comes back with no reflections, and only
    what is said about it from then on is seen."""
    w, share_id, moment_id = room
    HIDE[how](store, teacher, colleague, w, share_id, moment_id)
    assert HIDDEN_TEXT not in _everything_shown(store, w.id)

    with store.transaction() as s:  # a moment is shared once a worker has cut its video
        moment = s.get(Moment, moment_id)
        moment.cut_name = f"{moment.clip_id}/cut.mp4"
    sharing.share_moment(store, colleague.id, moment_id, w.join_code)
    shown = _everything_shown(store, w.id)
    assert "Circle time" in shown and HIDDEN_TEXT not in shown
    _reflect(store, w.id, moment_id, "Circle time", "NEWREFLECTION said after it came back")
    assert "NEWREFLECTION" in _everything_shown(store, w.id)


def test_a_reflection_that_left_with_its_moment_cannot_come_back_as_an_edit(store, teacher, colleague, room):
    """A phone still lists what it sent about a withdrawn moment; changing those words would put them
    back in front of the room (the moment shared again), so it is refused with a plain message."""
    w, share_id, moment_id = room
    phone = reflections.join_by_code(store, w.join_code, "Cara")
    sent = reflections.submit_reflection(store, w.id, phone.token, "OLDWORDS about circle time")
    assert sent.moment_id == moment_id
    sharing.withdraw_share(store, colleague.id, share_id)
    with store.transaction() as s:  # shared again later, once a worker has cut its video
        moment = s.get(Moment, moment_id)
        moment.cut_name = f"{moment.clip_id}/cut.mp4"
    sharing.share_moment(store, colleague.id, moment_id, w.join_code)
    with pytest.raises(reflections.ReflectionError, match="no longer shown"):
        reflections.edit_reflection(store, w.id, phone.token, sent.id, "OLDWORDS about circle time!")
    assert "OLDWORDS" not in _everything_shown(store, w.id)
    reflections.withdraw_reflection(store, w.id, phone.token, sent.id)  # taking it back is still theirs


def test_moments_read_without_their_details_have_them_once_asked(store, room):
    """Plan lists the shown moments without their tags and freeze-frames, and reads a moment's when it
    is opened: the same moment as the whole read gives."""
    w, _, circle = room
    with store.transaction() as s:
        s.add_all([MomentTag(moment_id=circle, principle_key=key) for key in ("attentive", "guiding")])
        s.add(FreezeFrame(moment_id=circle, at_s=2.5, caption="looks up", still_name="x/stills/1.jpg"))
    whole = shown.shown_moments(store, w.id)
    bare = shown.shown_moments(store, w.id, details=False)
    assert any(m.tags and m.marks and m.stills for m in whole)
    assert all(not (m.tags or m.freeze_frames or m.stills or m.marks) for m in bare)
    assert [shown.with_details(store, m) for m in bare] == whole
