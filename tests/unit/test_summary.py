"""The workshop summary: only what the room could see, counted by principle, never by person."""

from __future__ import annotations

import pytest

from tests.support.summary import EMOJI_ONLY, HELD_ON, NOT_SHOWN, TITLE, TRICKY, build_workshop, open_scene
from verp.core.accounts import create_person
from verp.core.models import Person
from verp.records import summary
from verp.room.principles import catalogue


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    """Built once: these tests only read."""
    opened = open_scene(tmp_path_factory.mktemp("summary"))
    yield opened
    opened.store.engine.dispose()


@pytest.fixture
def built(scene):
    return scene.built


@pytest.fixture
def result(scene) -> summary.WorkshopSummary:
    return summary.workshop_summary(scene.store, scene.built.workshop_id)


def test_the_summary_names_the_workshop_its_facilitator_and_focus(result):
    assert (result.title, result.held_on, result.facilitator) == (TITLE, HELD_ON, "Ana Teacher")
    assert result.focus == ("Encouraging initiatives", "Receiving initiatives")


def test_only_approved_current_reflections_on_shown_moments_appear(result, built):
    texts = list(result.reflections["text"])
    assert sorted(texts) == sorted(built.shown_texts)
    for hidden in NOT_SHOWN:
        assert hidden not in texts


def test_reflection_text_is_kept_exactly_as_written(result):
    assert TRICKY in set(result.reflections["text"])
    assert EMOJI_ONLY in set(result.reflections["text"])
    row = result.reflections[result.reflections["text"] == TRICKY].iloc[0]
    assert (row["author"], row["prompt"], row["principle"]) == (
        "Chloé 🌟",
        "What did you see?",
        "Receiving initiatives",
    )


def test_reflections_about_a_deleted_clip_never_come_back(result):
    assert "The pause gave everyone time" not in set(result.reflections["text"])
    labels = [g.label for g in result.by_moment]
    assert not any("Deleted moment title" in label for label in labels)


def test_moments_are_the_shared_ones_in_running_order(result):
    assert [m.title for m in result.moments] == ["Waiting for Sam", "Counting together"]
    assert result.moments[0].principles == ("Being attentive", "Receiving initiatives")
    assert result.moments[0].owner == "Ben C."


def test_an_owners_note_appears_only_when_they_chose_to_share_it(result):
    notes = {m.title: m.note for m in result.moments}
    assert notes == {"Waiting for Sam": "I felt calm", "Counting together": ""}


def test_stills_are_offered_only_where_consent_allows_them_in_exports(result, built):
    stills = {m.id: m.still_paths for m in result.moments}
    assert [p.name for p in stills[built.moment_allowed]] == ["still-1.jpg"]
    assert stills[built.moment_private] == ()


def test_counts_cover_all_six_principles_in_catalogue_order_and_match_the_reflections(result):
    counts = result.principle_counts
    assert list(counts["principle"]) == [f"{p.number}. {p.name}" for p in catalogue().principles]
    by_name = result.reflections["principle"].value_counts()
    for p, n in zip(catalogue().principles, counts["count"], strict=True):
        assert n == by_name.get(p.name, 0)
    assert 0 in set(counts["count"])  # principles nobody noticed are shown too
    assert "author" not in counts.columns  # never a ranking of people


def test_groups_by_principle_follow_the_catalogue_and_hold_every_reflection(result):
    labels = [g.label for g in result.by_principle]
    assert labels == [
        "Being attentive",
        "Encouraging initiatives",
        "Receiving initiatives",
        "Guiding",
        "No principle named",
    ]
    assert sum(len(g.table) for g in result.by_principle) == len(result.reflections)
    assert sum(len(g.table) for g in result.by_moment) == len(result.reflections)


def test_participants_show_shared_or_rated_helping_questions_only(result):
    ben, chloe = result.participants
    assert ben.name == "Ben C."
    assert [(q.text, q.ratings) for q in ben.helping_questions] == [
        ("How can I give quieter pupils, more turns?", (4,))
    ]
    assert chloe.helping_questions == ()


def test_next_steps_are_listed_for_each_participant(result):
    assert list(result.next_steps["participant"]) == ["Ben C.", "Chloé 🌟"]
    assert result.next_steps.iloc[0]["next step"] == "Wait 5 s,\nthen smile"


def test_personal_summary_holds_only_that_persons_moments_and_note(scene):
    mine = summary.personal_summary(scene.store, scene.built.workshop_id, scene.teacher_id)
    assert [m.title for m in mine.moments] == ["Waiting for Sam", "Counting together"]
    assert mine.moments[1].note == "PRIVATE-NOTE"  # their own note, in their own summary
    assert "We enjoyed the whole session" not in set(mine.reflections["text"])
    assert TRICKY in set(mine.reflections["text"])
    assert list(mine.next_steps["next step"]) == ["Wait 5 s,\nthen smile"]


def test_someone_who_was_not_there_gets_no_personal_summary(store, teacher):
    stranger = create_person(store, "Dee Stranger", "yet another passphrase")
    built = build_workshop(store, teacher.id, create_person(store, "Ben", "long enough passphrase").id)
    with pytest.raises(summary.SummaryError):
        summary.personal_summary(store, built.workshop_id, stranger.id)


def test_progress_shows_ratings_over_cycles_and_next_steps(scene):
    mine = summary.progress(scene.store, scene.teacher_id)
    assert _cycles_and_scores(mine) == [(1, 4)]
    assert mine.next_steps.column("next step").to_pylist() == ["Wait 5 s,\nthen smile"]
    assert [w.title for w in mine.workshops] == [TITLE]


def test_only_the_facilitator_opens_the_workshop_summary(scene):
    assert (
        summary.facilitator_summary(scene.store, scene.facilitator_id, scene.built.workshop_id).title == TITLE
    )
    with pytest.raises(summary.SummaryError):
        summary.facilitator_summary(scene.store, scene.teacher_id, scene.built.workshop_id)


def test_the_summaries_listed_are_the_facilitators_own_while_they_hold_the_role(scene):
    """The Summary page lists these, with their download links, before any part is opened: once an
    administrator removes the role, the list is empty (as the summary itself is refused)."""
    listed = summary.facilitated_workshops(scene.store, scene.facilitator_id)
    assert [(w.id, w.title) for w in listed] == [(scene.built.workshop_id, TITLE)]
    assert summary.facilitated_workshops(scene.store, scene.teacher_id) == ()
    with scene.store.transaction() as s:
        s.get(Person, scene.facilitator_id).is_facilitator = False
    assert summary.facilitated_workshops(scene.store, scene.facilitator_id) == ()


def test_a_missing_workshop_is_explained(scene):
    with pytest.raises(summary.SummaryError, match="no longer exists"):
        summary.workshop_summary(scene.store, 999)


def test_a_download_is_noted_in_the_audit_log(scene):
    from sqlalchemy import select

    from verp.core.models import AuditEvent

    summary.record_download(scene.store, scene.facilitator_id, scene.built.workshop_id, "pdf with stills")
    with scene.store.transaction() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "download_summary")).all()
        assert [(e.actor, e.detail) for e in events] == [
            (f"person:{scene.facilitator_id}", "pdf with stills")
        ]


def test_progress_keeps_the_latest_rating_of_each_cycle(store, colleague):
    from verp.review import helping

    helping.set_helping_question(store, colleague.id, "How can I wait longer?", cycle=1)
    helping.rate(store, colleague.id, 3)
    helping.rate(store, colleague.id, 5)
    helping.set_helping_question(store, colleague.id, "How can I wait longer?", cycle=2)
    helping.rate(store, colleague.id, 7)
    mine = summary.progress(store, colleague.id)
    assert _cycles_and_scores(mine) == [(1, 5), (2, 7)]


def _cycles_and_scores(progress: summary.Progress) -> list[tuple[int, int]]:
    return [(row["cycle"], row["score"]) for row in progress.ratings.to_pylist()]


def test_someone_who_shared_a_moment_without_joining_is_listed_with_their_question(store, teacher, colleague):
    from tests.support.workshop import add_helping_question, make_workshop, share_moment

    workshop = make_workshop(store, teacher.id)
    share_moment(store, colleague.id, workshop.id, "Story time", tags=("attentive",))
    add_helping_question(store, colleague.id, "How can I slow down?", shared=True)
    result = summary.workshop_summary(store, workshop.id)
    assert [(p.name, [q.text for q in p.helping_questions]) for p in result.participants] == [
        ("Ben Colleague", ["How can I slow down?"])
    ]
    assert [w.id for w in summary.workshops_of(store, colleague.id)] == [workshop.id]


def test_a_clip_past_its_delete_by_date_leaves_the_summary_with_its_reflections(tmp_path):
    from tests.support.summary import pass_delete_by

    scene = open_scene(tmp_path)
    try:
        pass_delete_by(scene.store, "Waiting for Sam")
        result = summary.workshop_summary(scene.store, scene.built.workshop_id)
        assert [m.title for m in result.moments] == ["Counting together"]
        assert TRICKY not in set(result.reflections["text"])
        assert "Waiting for Sam" not in set(result.reflections["moment"])
        labels = [g.label for g in result.by_moment]
        assert not any("Waiting for Sam" in label for label in labels)
        mine = summary.personal_summary(scene.store, scene.built.workshop_id, scene.teacher_id)
        assert "Waiting for Sam" not in [m.title for m in mine.moments]
    finally:
        scene.store.engine.dispose()


def test_the_summary_keeps_approved_words_whose_edit_was_hidden(store, teacher, colleague):
    from tests.support.workshop import make_workshop as _make
    from tests.support.workshop import share_moment as _share
    from verp.records import summary as _summary
    from verp.workshop import reflections as _r
    from verp.workshop import workshops as _w

    w = _make(store, teacher.id, "Hidden edit group")
    _share(store, colleague.id, w.id, "Circle time")
    _w.open_workshop(store, teacher.id, w.id)
    joined = _r.join_by_code(store, w.join_code, "Cara")
    first = _r.submit_reflection(store, w.id, joined.token, "APPROVED-WORDS")
    _w.set_auto_approve(store, teacher.id, w.id, False)
    edit = _r.edit_reflection(store, w.id, joined.token, first.id, "HIDDEN-EDIT")
    _r.moderate(store, teacher.id, w.id, edit.id, approve=False)
    with store.transaction() as s:
        texts = [row.text for row in _summary._visible_reflections(s, w.id)]
    assert "APPROVED-WORDS" in texts and "HIDDEN-EDIT" not in texts


def test_a_missing_workshop_reads_to_a_facilitator_like_anyone_elses(scene):
    with pytest.raises(summary.SummaryError, match="Only the workshop's facilitator"):
        summary.facilitator_summary(scene.store, scene.facilitator_id, 999)


def test_a_room_of_colleagues_is_read_in_as_many_queries_as_one(store, teacher):
    """Each colleague's helping question and its ratings come with everyone else's, not two queries a
    person: a summary of thirty colleagues is as quick to draw as one of one."""
    from sqlalchemy import event

    from tests.support.workshop import add_helping_question, make_workshop
    from verp.core.models import Participant
    from verp.review import helping

    workshop = make_workshop(store, teacher.id)

    def colleague_joins(n: int) -> None:
        person = create_person(store, f"Colleague {n}", f"a long passphrase number {n}")
        add_helping_question(store, person.id, f"Question {n}?", shared=True)
        helping.rate(store, person.id, 3 + n % 5, workshop_id=workshop.id)
        joined = Participant(workshop_id=workshop.id, person_id=person.id, display_name=f"C{n}", token=f"{n}")
        with store.transaction() as s:
            s.add(joined)

    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

    def queries() -> int:
        statements.clear()
        summary.workshop_summary(store, workshop.id)
        return len(statements)

    colleague_joins(0)
    one = queries()
    for n in range(1, 6):
        colleague_joins(n)
    assert queries() == one
    lines = summary.workshop_summary(store, workshop.id).participants
    assert [(p.name, [(q.text, q.ratings) for q in p.helping_questions]) for p in lines] == [
        (f"C{n}", [(f"Question {n}?", (3 + n % 5,))]) for n in range(6)
    ]
