"""Reflections from the room: joining, sending once, editing with history, moderation and the wall."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from tests.support.workshop import go_to_index, make_workshop, share_moment
from verp import web
from verp.core.errors import VerpError
from verp.core.models import Participant, Reflection, Share
from verp.review import moments, sharing
from verp.workshop import group_writer, workshops
from verp.workshop import reflections as r
from verp.workshop.reflections import ReflectionError


@pytest.fixture
def live(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    share_moment(store, colleague.id, w.id, "Circle time")
    return workshops.open_workshop(store, teacher.id, w.id)


@pytest.fixture
def joined(store, live):
    return r.join_by_code(store, live.join_code, "Cara")


def test_joining_by_code_gives_a_private_token(store, live):
    joined = r.join_by_code(store, f" {live.join_code.lower()} ", "  Cara  ")
    assert joined.workshop_id == live.id and joined.display_name == "Cara" and len(joined.token) >= 24


def test_anonymous_joining_depends_on_the_workshop(store, teacher, live):
    assert r.join_by_code(store, live.join_code, None).display_name == "Anonymous"
    named = make_workshop(store, teacher.id, "Names please", allow_anonymous=False)
    named = workshops.open_workshop(store, teacher.id, named.id)
    with pytest.raises(ReflectionError, match="give your name"):
        r.join_by_code(store, named.join_code, "  ")


def test_wrong_codes_are_slowed_down(store, live):
    for _ in range(r.MAX_JOIN_FAILURES):
        with pytest.raises(ReflectionError, match="does not open"):
            r.join_by_code(store, f"WRONG{_}", "Cara", client="10.0.0.9")
    with pytest.raises(ReflectionError, match="Too many"):
        r.join_by_code(store, live.join_code, "Cara", client="10.0.0.9")
    assert r.join_by_code(store, live.join_code, "Dev", client="10.0.0.10").display_name == "Dev"


def test_a_closed_workshop_cannot_be_joined_or_written_to(store, teacher, live, joined):
    workshops.close_workshop(store, teacher.id, live.id)
    with pytest.raises(ReflectionError, match="does not open"):
        r.join_by_code(store, live.join_code, "Late")
    with pytest.raises(ReflectionError, match="closed"):
        r.submit_reflection(store, live.id, joined.token, "hello")


@pytest.mark.parametrize("sender", ["phone", "facilitator"])
def test_a_reflection_sent_as_the_room_closes_is_stored_before_the_close_or_not_at_all(
    store, teacher, live, joined, monkeypatch, sender
):
    """The live check and the write are two steps: a close landing between them must not leave a
    reflection stored after it, while its sender is told it was sent into a room already closed."""
    read_context = r._context

    def closed_meanwhile(*args, **kwargs):
        context = read_context(*args, **kwargs)
        workshops.close_workshop(store, teacher.id, live.id)
        return context

    monkeypatch.setattr(r, "_context", closed_meanwhile)
    with pytest.raises(ReflectionError, match="has closed"):
        if sender == "phone":
            r.submit_reflection(store, live.id, joined.token, "Calm voice", client_key="k1")
        else:
            r.add_group_reflection(store, teacher.id, live.id, "The group saw calm")
    with store.transaction() as s:
        assert s.query(Reflection).count() == 0


def test_a_close_refuses_only_the_closed_rooms_rows_of_a_batch(store, teacher, colleague, live, joined):
    """Rows of two rooms written together: the one still live keeps its reflection."""
    other = make_workshop(store, teacher.id, "Another room")
    share_moment(store, colleague.id, other.id, "Story time")
    other = workshops.open_workshop(store, teacher.id, other.id)
    workshops.close_workshop(store, teacher.id, live.id)
    writer = r.reflection_writer(store)
    rows = [
        dict(workshop_id=w, text=t, status="pending", kind="noticed", participant_id=None, author_name="x")
        for w, t in ((live.id, "too late"), (other.id, "in time"))
    ]
    jobs = [group_writer._Job(row) for row in rows]
    writer._write(store, jobs)
    assert isinstance(jobs[0].error, ReflectionError) and jobs[1].error is None and jobs[1].row_id
    with store.transaction() as s:
        assert [x.text for x in s.query(Reflection)] == ["in time"]


def test_a_new_wording_sent_as_the_room_closes_is_refused(store, teacher, live, joined, monkeypatch):
    first = r.submit_reflection(store, live.id, joined.token, "Calm voice", client_key="k1")
    read_own = r._own_reflection

    def closed_meanwhile(s, *args):
        found = read_own(s, *args)
        workshops.close_workshop(store, teacher.id, live.id)
        return found

    monkeypatch.setattr(r, "_own_reflection", closed_meanwhile)
    with pytest.raises(ReflectionError, match="has closed"):
        r.edit_reflection(store, live.id, joined.token, first.id, "Calm, slow voice")
    with store.transaction() as s:
        assert [(x.text, x.status) for x in s.query(Reflection)] == [("Calm voice", "approved")]


def test_the_facilitator_can_write_for_the_group_before_the_room_opens(store, teacher, colleague):
    planned = make_workshop(store, teacher.id, "Next week")
    share_moment(store, colleague.id, planned.id, "Circle time")
    assert r.add_group_reflection(store, teacher.id, planned.id, "We begin with what works").id


def test_a_send_does_not_wait_on_a_moments_delete_in_flight(store, colleague, live, joined, monkeypatch):
    """On PostgreSQL a send's check must not wait on the room's row while another transaction changes
    it: a moment's delete changes the row, then deletes the moment a send in flight is about, which waits
    for that send (a deadlock, had the send's check waited for the delete)."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite writes one transaction at a time: there a send waits for any write")
    with store.transaction() as s:
        moment_id = s.scalar(select(Share.moment_id).where(Share.workshop_id == live.id))
    changed, go_on = threading.Event(), threading.Event()
    bump = moments.room_state.bump

    def bump_and_pause(s, ids):
        bump(s, ids)
        s.flush()
        changed.set()
        go_on.wait(30)

    monkeypatch.setattr(moments.room_state, "bump", bump_and_pause)
    deleting = threading.Thread(target=moments.delete_moment, args=(store, colleague.id, moment_id))
    deleting.start()
    try:
        assert changed.wait(10)
        sent: list = []
        sending = threading.Thread(
            target=lambda: sent.append(r.submit_reflection(store, live.id, joined.token, "Calm voice"))
        )
        sending.start()
        sending.join(20)
        assert not sending.is_alive() and len(sent) == 1
    finally:
        go_on.set()
        deleting.join(30)
    assert not deleting.is_alive()


def test_a_table_has_one_group_writer_and_it_keeps_its_check(store):
    plain = group_writer.writer_for(store, Reflection.__table__)  # made first without the check
    assert r.reflection_writer(store) is plain and plain._refuse is r._closed_rooms
    assert group_writer.writer_for(store, Reflection.__table__)._refuse is r._closed_rooms


def test_a_phone_comes_back_into_its_live_room_by_its_token_and_no_further(store, teacher, live, joined):
    """After a server restart (or a reload) a phone is known again by the token it joined with, kept in
    its browser: the same person in the same room, while the room is live."""
    kept = r.kept(joined)
    assert r.rejoin(store, kept) == joined
    others = (f"{live.id + 1}.{joined.token}", f"\u00b2.{joined.token}", f"{'9' * 40}.{joined.token}")
    for nobody in (None, "", "not-a-token", joined.token, kept[:-1], *others):
        assert r.rejoin(store, nobody) is None
    workshops.close_workshop(store, teacher.id, live.id)
    assert r.rejoin(store, kept) is None


def test_a_phones_place_is_kept_in_an_http_only_cookie_only_for_a_room_it_is_in(store, teacher, live, joined):
    client = TestClient(Starlette(routes=web.routes()))
    kept = r.kept(joined)
    assert client.post(web.JOIN_ROUTE, content=f"{live.id}.someone-elses").status_code == 403
    assert web.JOIN_COOKIE not in client.cookies
    answer = client.post(web.JOIN_ROUTE, content=kept)
    assert answer.status_code == 204
    cookie = answer.headers["set-cookie"]
    assert f"{web.JOIN_COOKIE}={kept}" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Max-Age" not in cookie  # gone when the browser closes
    left = client.delete(web.JOIN_ROUTE)
    assert left.status_code == 204 and f'{web.JOIN_COOKIE}=""' in left.headers["set-cookie"]
    workshops.close_workshop(store, teacher.id, live.id)
    assert client.post(web.JOIN_ROUTE, content=kept).status_code == 403


def test_sending_twice_with_one_client_key_stores_it_once(store, live, joined):
    first = r.submit_reflection(store, live.id, joined.token, "Lovely wait", "attentive", client_key="k1")
    again = r.submit_reflection(store, live.id, joined.token, "Lovely wait", "attentive", client_key="k1")
    assert first.id == again.id
    with store.transaction() as s:
        assert s.query(Reflection).count() == 1


def test_a_send_under_a_key_another_sender_used_is_stored_as_its_own_and_shows_nothing_of_theirs(
    store, teacher, live, joined
):
    """A resend key is the sender's own: one that matches another phone's (or the group's, or another
    room's) reflection neither returns those words nor loses the words sent."""
    theirs = r.submit_reflection(store, live.id, joined.token, "Cara's words", client_key="k1")
    dan = r.join_by_code(store, live.join_code, "Dan")
    mine = r.submit_reflection(store, live.id, dan.token, "Dan's words", client_key="k1")
    assert mine.text == "Dan's words" and mine.id != theirs.id
    assert [m.text for m in r.my_reflections(store, live.id, dan.token)] == ["Dan's words"]
    group = r.add_group_reflection(store, teacher.id, live.id, "The room's words", client_key="k1")
    assert group.text == "The room's words" and group.author_name == r.GROUP
    other = workshops.open_workshop(store, teacher.id, make_workshop(store, teacher.id, "Another").id)
    elsewhere = r.add_group_reflection(store, teacher.id, other.id, "Another room", client_key="k1")
    assert elsewhere.text == "Another room" and elsewhere.workshop_id == other.id
    for token, words, first in ((joined.token, "Cara's words", theirs), (dan.token, "Dan's words", mine)):
        assert r.submit_reflection(store, live.id, token, words, client_key="k1").id == first.id  # once
    group_again = r.add_group_reflection(store, teacher.id, live.id, "The room's words", client_key="k1")
    assert group_again.id == group.id
    with store.transaction() as s:
        assert s.query(Reflection).count() == 4


def test_a_reflection_is_filed_under_the_moment_and_prompt_on_screen(store, teacher, live, joined):
    go_to_index(store, teacher.id, live.id, 5)  # the group's first prompt of the first moment
    sent = r.submit_reflection(store, live.id, joined.token, "She waited", kind="noticed")
    assert sent.moment_title == "Circle time" and sent.prompt == "What do you notice that is working?"
    assert sent.author_name == "Cara" and sent.status == "approved"


def test_text_is_cleaned_and_limited(store, live, joined):
    sent = r.submit_reflection(store, live.id, joined.token, "  calm\x00 voice\x1b\nand a smile ")
    assert sent.text == "calm voice\nand a smile"
    with pytest.raises(ReflectionError, match="write something"):
        r.submit_reflection(store, live.id, joined.token, " \x00 \n")
    with pytest.raises(ReflectionError, match="under 1000 characters"):
        r.submit_reflection(store, live.id, joined.token, "x" * 1001)


def test_the_joiners_that_spell_a_word_or_make_one_emoji_are_kept_and_overrides_are_not(store, live, joined):
    """Persian writes می‌خواهم with a zero-width non-joiner; a family emoji is three joined by ZWJ;
    a right-to-left override would make text read backwards, so it goes."""
    words = "من می\u200cخواهم \U0001f468\u200d\U0001f469\u200d\U0001f467 \u200fok\u200e"
    assert r.submit_reflection(store, live.id, joined.token, words).text == words
    spoofed = r.submit_reflection(store, live.id, joined.token, "calm \u202etxt.exe\u202c voice\u2066")
    assert spoofed.text == "calm txt.exe voice"


def test_unknown_kind_or_principle_is_refused(store, live, joined):
    with pytest.raises(ReflectionError, match="kind"):
        r.submit_reflection(store, live.id, joined.token, "hi", kind="criticism")
    with pytest.raises(ReflectionError, match="principles"):
        r.submit_reflection(store, live.id, joined.token, "hi", principle_key="nope")


def test_a_stranger_token_cannot_send(store, live):
    with pytest.raises(ReflectionError, match="join again"):
        r.submit_reflection(store, live.id, "made-up-token", "hi")


def test_an_edit_keeps_the_history_and_shows_only_the_new_text(store, live, joined):
    old = r.submit_reflection(store, live.id, joined.token, "Nice wait", "attentive")
    new = r.edit_reflection(store, live.id, joined.token, old.id, "Nice long wait", "encouraging")
    assert new.supersedes_id == old.id
    with store.transaction() as s:
        assert s.get(Reflection, old.id).status == "superseded"
        assert s.get(Reflection, old.id).text == "Nice wait"
    texts = [x.text for g in r.wall(store, live.id) for x in g.reflections]
    assert texts == ["Nice long wait"]
    with pytest.raises(ReflectionError, match="already been changed"):
        r.edit_reflection(store, live.id, joined.token, old.id, "again")


def test_only_the_author_can_edit_or_withdraw(store, live, joined):
    mine = r.submit_reflection(store, live.id, joined.token, "mine")
    other = r.join_by_code(store, live.join_code, "Dev")
    with pytest.raises(ReflectionError, match="your own"):
        r.edit_reflection(store, live.id, other.token, mine.id, "hijack")
    with pytest.raises(ReflectionError, match="your own"):
        r.withdraw_reflection(store, live.id, other.token, mine.id)
    r.withdraw_reflection(store, live.id, joined.token, mine.id)
    assert r.wall(store, live.id) == [] and r.my_reflections(store, live.id, joined.token) == []


def test_with_moderation_on_nothing_reaches_the_wall_until_approved(store, teacher, live, joined):
    workshops.set_auto_approve(store, teacher.id, live.id, False)
    a = r.submit_reflection(store, live.id, joined.token, "first")
    b = r.submit_reflection(store, live.id, joined.token, "second")
    assert r.wall(store, live.id) == []
    assert [p.id for p in r.pending(store, teacher.id, live.id)] == [a.id, b.id]
    r.moderate(store, teacher.id, live.id, a.id, approve=True)
    r.moderate(store, teacher.id, live.id, b.id, approve=False)
    assert [x.text for g in r.wall(store, live.id) for x in g.reflections] == ["first"]
    assert r.pending(store, teacher.id, live.id) == []


def test_only_the_workshops_facilitator_moderates(store, colleague, live, joined):
    sent = r.submit_reflection(store, live.id, joined.token, "x")
    with pytest.raises(workshops.WorkshopError):
        r.moderate(store, colleague.id, live.id, sent.id, approve=False)


def test_only_the_workshops_facilitator_reads_its_queue_and_the_refusal_says_which_rule(
    store, teacher, colleague, live, joined
):
    from verp.core.accounts import set_facilitator
    from verp.core.errors import NotYours

    r.submit_reflection(store, live.id, joined.token, "waiting")
    with pytest.raises(workshops.WorkshopError, match="Only a facilitator"):
        r.pending(store, colleague.id, live.id)
    with pytest.raises(workshops.WorkshopError, match="Only a facilitator"):
        workshops.my_workshops(store, colleague.id)
    set_facilitator(store, teacher.id, colleague.id)
    with pytest.raises(NotYours, match="no workshop of yours"):
        r.pending(store, colleague.id, live.id)  # a facilitator, but of other workshops
    assert workshops.my_workshops(store, colleague.id) == []


def test_the_wall_groups_by_principle_in_order_with_unnamed_last(store, teacher, live, joined):
    r.submit_reflection(store, live.id, joined.token, "no principle")
    r.submit_reflection(store, live.id, joined.token, "received", "receiving")
    r.submit_reflection(store, live.id, joined.token, "looked", "attentive")
    r.add_group_reflection(store, teacher.id, live.id, "we all saw warmth", "attentive")
    groups = r.wall(store, live.id)
    assert [g.principle_key for g in groups] == ["attentive", "receiving", None]
    assert groups[0].principle_name == "Being attentive"
    assert [x.author_name for x in groups[0].reflections] == ["Cara", "the group"]


def test_next_steps_are_recorded_for_the_owner(store, teacher, colleague, live):
    r.record_next_step(store, teacher.id, live.id, colleague.id, "Ben Colleague", "Wait five seconds")
    assert [(n.participant_name, n.text) for n in r.next_steps(store, live.id)] == [
        ("Ben Colleague", "Wait five seconds")
    ]


@pytest.mark.parametrize("batch", [group_writer.MAX_BATCH, 2])
def test_a_room_sending_at_once_stores_every_reflection_exactly_once(store, live, batch, monkeypatch):
    monkeypatch.setattr(group_writer, "MAX_BATCH", batch)  # also rows written in several batches
    phones = [r.join_by_code(store, live.join_code, f"Phone {n}") for n in range(8)]
    sent: list[int] = []
    errors: list[Exception] = []
    start = threading.Barrier(len(phones))

    def send(n: int, joined) -> None:
        start.wait()
        try:
            for i in range(5):
                key = f"{n}-{min(i, 3)}"  # the fifth send repeats the fourth: a resend
                sent.append(
                    r.submit_reflection(store, live.id, joined.token, f"{n} saw {i}", client_key=key).id
                )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(n, j)) for n, j in enumerate(phones)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with store.transaction() as s:
        assert s.query(Reflection).count() == 8 * 4
    assert len(set(sent)) == 8 * 4 and len(sent) == 8 * 5


def test_a_planned_workshop_cannot_be_joined_until_it_opens(store, teacher):
    planned = make_workshop(store, teacher.id, "Next week")
    with pytest.raises(ReflectionError, match="has not started yet"):
        r.join_by_code(store, planned.join_code, "Cara")
    workshops.open_workshop(store, teacher.id, planned.id)
    assert r.join_by_code(store, planned.join_code, "Cara").workshop_id == planned.id


def test_nothing_can_be_sent_to_a_workshop_that_is_not_live(store, teacher):
    from verp.core.models import Participant

    planned = make_workshop(store, teacher.id, "Next week")
    with store.transaction() as s:  # a device that somehow holds a token for it
        s.add(Participant(workshop_id=planned.id, display_name="Cara", token=r.token_digest("t" * 30)))
    with pytest.raises(ReflectionError, match="has not started yet"):
        r.submit_reflection(store, planned.id, "t" * 30, "Kind words")
    with store.transaction() as s:
        assert s.query(Reflection).count() == 0


def test_a_successful_join_does_not_clear_the_devices_wrong_tries(store, live):
    """Anyone in the room knows one right code; joining with it must not buy a guesser fresh tries."""
    for n in range(r.MAX_JOIN_FAILURES - 1):
        with pytest.raises(ReflectionError, match="does not open"):
            r.join_by_code(store, f"WRONG{n}", "Eve", client="10.0.0.1")
    r.join_by_code(store, live.join_code, "Eve", client="10.0.0.1")
    with pytest.raises(ReflectionError, match="does not open"):
        r.join_by_code(store, "WRONGX", "Eve", client="10.0.0.1")
    with pytest.raises(ReflectionError, match="Too many"):
        r.join_by_code(store, "WRONGY", "Eve", client="10.0.0.1")


def wall_texts(store, workshop_id):
    return [x.text for g in r.wall(store, workshop_id) for x in g.reflections]


def test_under_moderation_an_approved_reflection_stays_until_its_edit_is_approved(
    store, teacher, live, joined
):
    first = r.submit_reflection(store, live.id, joined.token, "Calm voice")
    workshops.set_auto_approve(store, teacher.id, live.id, False)
    edit = r.edit_reflection(store, live.id, joined.token, first.id, "Calm, slow voice")
    assert edit.status == "pending" and wall_texts(store, live.id) == ["Calm voice"]
    r.moderate(store, teacher.id, live.id, edit.id, approve=True)
    assert wall_texts(store, live.id) == ["Calm, slow voice"]
    with store.transaction() as s:
        assert s.get(Reflection, first.id).status == "superseded"


def test_hiding_an_edit_keeps_the_approved_words_on_the_wall(store, teacher, live, joined):
    first = r.submit_reflection(store, live.id, joined.token, "Calm voice")
    workshops.set_auto_approve(store, teacher.id, live.id, False)
    edit = r.edit_reflection(store, live.id, joined.token, first.id, "something else")
    with pytest.raises(ReflectionError, match="waiting for the facilitator"):
        r.edit_reflection(store, live.id, joined.token, first.id, "a third wording")
    r.moderate(store, teacher.id, live.id, edit.id, approve=False)
    assert wall_texts(store, live.id) == ["Calm voice"]
    with store.transaction() as s:
        assert s.get(Reflection, first.id).status == "approved"


def test_a_resend_is_answered_from_what_is_stored_without_joining_a_batch(store, live, joined, monkeypatch):
    """A resend in a batch would fail the batch's one INSERT and have its neighbours written one by one;
    it is found by the send's first query instead."""
    first = r.submit_reflection(store, live.id, joined.token, "Calm voice", client_key="k1")
    one_by_one = []
    writer = r.reflection_writer(store)
    monkeypatch.setattr(writer, "_write_one_by_one", lambda *args: one_by_one.append(args))
    again = r.submit_reflection(store, live.id, joined.token, "Calm voice", client_key="k1")
    assert again.id == first.id and one_by_one == []
    with store.transaction() as s:
        assert s.query(Reflection).count() == 1


def test_a_decision_on_a_reflection_is_made_once_and_a_stale_tab_cannot_undo_it(store, teacher):
    """Hidden in one tab, it stays hidden when an older tab that still shows it presses Approve."""
    w = workshops.open_workshop(store, teacher.id, make_workshop(store, teacher.id, auto_approve=False).id)
    phone = r.join_by_code(store, w.join_code, "Cara")
    sent = r.submit_reflection(store, w.id, phone.token, "She should have waited")
    assert [p.id for p in r.pending(store, teacher.id, w.id)] == [sent.id]  # both tabs show it
    r.moderate(store, teacher.id, w.id, sent.id, approve=False)
    with pytest.raises(VerpError, match="already been approved or hidden"):
        r.moderate(store, teacher.id, w.id, sent.id, approve=True)
    assert [x.text for g in r.wall(store, w.id) for x in g.reflections] == []


def _two_owners_room(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    circle_share, circle = share_moment(store, colleague.id, w.id, "Circle time", position=0)
    _, snack = share_moment(store, teacher.id, w.id, "Snack time", position=1)
    w = workshops.open_workshop(store, teacher.id, w.id)
    order = workshops.steps(store, w.id)
    on = {
        m: next(s for s in order if s.kind == "prompt" and s.moment.moment_id == m) for m in (circle, snack)
    }
    return w, circle_share, on[circle], on[snack]


def test_a_reflection_is_filed_under_the_step_the_phone_showed_when_it_was_sent(store, teacher, colleague):
    """Control moves on while Cara types about Circle time: her words stay with Circle time."""
    w, _, circle, snack = _two_owners_room(store, teacher, colleague)
    cara = r.join_by_code(store, w.join_code, "Cara")
    workshops.go_to_step(store, teacher.id, w.id, snack.key)
    sent = r.submit_reflection(store, w.id, cara.token, "Ben waited", seen_steps=[circle.key])
    assert (sent.moment_title, sent.prompt) == ("Circle time", " ".join(circle.prompts))


def test_words_begun_while_a_moment_now_withdrawn_was_shown_are_not_sent_without_a_second_look(
    store, teacher, colleague
):
    """Its owner takes the moment out (to leave a child out) while Cara types about it: what she wrote
    never reaches the wall under the next step; she is told, and sends again only if she means to."""
    w, circle_share, circle, snack = _two_owners_room(store, teacher, colleague)
    cara = r.join_by_code(store, w.join_code, "Cara")
    workshops.go_to_step(store, teacher.id, w.id, circle.key)
    sharing.withdraw_share(store, colleague.id, circle_share)
    with pytest.raises(ReflectionError, match="taken out of the workshop"):
        r.submit_reflection(store, w.id, cara.token, "The boy in red looked scared", seen_steps=[circle.key])
    assert [x.text for g in r.wall(store, w.id) for x in g.reflections] == []
    now, _ = workshops.room_step(store, workshops.get_workshop(store, w.id))
    again = r.submit_reflection(store, w.id, cara.token, "Snack time went calmly", seen_steps=[now.key])
    assert again.status == "approved" and again.moment_title != "Circle time"


def test_the_group_reflection_typed_about_a_withdrawn_moment_waits_for_a_second_look(
    store, teacher, colleague
):
    """The same for what the facilitator types on Control, told in Control's words."""
    w, circle_share, circle, _ = _two_owners_room(store, teacher, colleague)
    workshops.go_to_step(store, teacher.id, w.id, circle.key)
    sharing.withdraw_share(store, colleague.id, circle_share)
    with pytest.raises(ReflectionError, match="press Add to the wall again"):
        r.add_group_reflection(
            store, teacher.id, w.id, "The boy in red looked scared", seen_steps=[circle.key]
        )
    assert [x.text for g in r.wall(store, w.id) for x in g.reflections] == []


def test_one_phone_cannot_flood_the_room(store, live, joined):
    """Ten a minute from one phone, then a plain "wait a moment"; a resend of one already stored is
    still answered, and after the minute the phone sends again."""
    for n in range(r.SENDS_PER_MINUTE):
        r.submit_reflection(store, live.id, joined.token, f"noticed {n}", client_key=f"k{n}")
    with pytest.raises(ReflectionError, match="wait a moment"):
        r.submit_reflection(store, live.id, joined.token, "one more", client_key="k-more")
    assert r.submit_reflection(store, live.id, joined.token, "noticed 0", client_key="k0").text == "noticed 0"
    with store.transaction() as s:
        for row in s.query(Reflection):
            row.created_at = row.created_at - timedelta(minutes=2)
    assert (
        r.submit_reflection(store, live.id, joined.token, "one more", client_key="k-more").text == "one more"
    )


def test_a_phone_is_known_by_a_hash_of_its_token_so_a_copy_of_the_database_speaks_for_no_phone(
    store, live, joined
):
    """Like sign-in sessions: a backup taken during a live workshop holds no token a phone could use."""
    with store.transaction() as s:
        stored = s.query(Participant.token).filter(Participant.workshop_id == live.id).scalar()
    assert joined.token not in stored
    with pytest.raises(ReflectionError, match="do not recognise this device"):
        r.submit_reflection(store, live.id, stored, "Sent with the stored value")
    assert r.submit_reflection(store, live.id, joined.token, "Sent by the phone").text == "Sent by the phone"
    assert r.rejoin(store, r.kept(joined)) == joined


def test_the_upgrade_hashes_the_tokens_of_phones_already_in_a_room(tmp_path):
    """A phone that joined before the upgrade keeps its token and is still known by it afterwards."""
    from datetime import date

    from sqlalchemy.orm import Session

    from verp.core.config import load_settings
    from verp.core.models import Person, Workshop
    from verp.core.store import Store, make_engine, migrate

    url = f"sqlite:///{tmp_path}/v.db"
    engine = make_engine(url)
    migrate(engine, "numbers_never_reused")  # the revision before
    with Session(engine) as s, s.begin():  # the columns are the same as the models' at that revision
        ana = Person(display_name="Ana", name_key="ana", is_facilitator=True)
        s.add(ana)
        s.flush()
        room = Workshop(title="W", held_on=date(2026, 1, 2), facilitator_id=ana.id, join_code="ABC123")
        room.status = "live"
        s.add(room)
        s.flush()
        s.add(Participant(workshop_id=room.id, display_name="Cara", token="the-phones-token"))
        room_id = room.id
    engine.dispose()
    store = Store.open(load_settings({"VERP_DATA_DIR": str(tmp_path), "VERP_DATABASE_URL": url}))  # upgrades
    with store.transaction() as s:
        assert s.query(Participant.token).scalar() == r.token_digest("the-phones-token")
    assert r.rejoin(store, f"{room_id}.the-phones-token") == r.Joined(room_id, "the-phones-token", "Cara")
