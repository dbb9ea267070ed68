"""The participant leads their turn: their own words first, the room's take-away, their rating saved to
the workshop; prompts in the school's own word; moderation on by default."""

from datetime import date

import pytest

from tests.support.workshop import add_helping_question, make_workshop, share_moment
from verp.core.errors import VerpError
from verp.records import summary
from verp.room.prompts import PromptsError, parse_prompts, prompt_book, with_child_word
from verp.workshop import reflections, workshops


def test_the_owner_speaks_before_the_group_and_the_room_takes_away_before_the_owner_ends(
    store, teacher, colleague
):
    w = make_workshop(store, teacher.id)
    share_moment(store, colleague.id, w.id, "Circle time")
    order = workshops.steps(store, w.id)
    kinds = [s.kind for s in order]
    assert kinds.index("helping_question") < kinds.index("moment") < kinds.index("voice")
    assert kinds.index("voice") < kinds.index("prompt") and kinds.index("prompt") < kinds.index("wall")
    assert kinds.index("wall") < kinds.index("take") < kinds.index("owner")
    assert order[kinds.index("voice")].prompts == ("What were you thinking, feeling, hoping here?",)
    assert order[kinds.index("take")].prompts == ("What will you take into your own practice?",)
    owner = order[kinds.index("owner")].prompts
    assert "What would you like to do more of?" in owner
    group = [p for s in order if s.kind in ("prompt", "take") for p in s.prompts]
    assert not any("more of" in p for p in group)


def test_the_group_is_never_asked_what_to_do_more_of():
    book = prompt_book()
    data = {
        "owner": {"title": "Next", "prompts": ["What next?"]},
        "set": [
            {
                "key": "default",
                "name": "d",
                "phases": [
                    {"key": "n", "stage": "description", "title": "t", "prompts": ["What is working?"]},
                    {"key": "m", "stage": "next_steps", "title": "t", "prompts": [book.owner_prompts[0]]},
                ],
            }
        ],
    }
    with pytest.raises(PromptsError, match="owner's step"):
        parse_prompts(data)
    data["set"][0]["phases"].pop()
    data["room_take"] = {"title": "t", "prompts": ["What would you like to do more of?"]}
    with pytest.raises(PromptsError, match="owner's step"):
        parse_prompts(data)


def test_the_owners_rating_is_saved_to_the_workshop_and_shows_in_its_summary(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    share_moment(store, colleague.id, w.id, "Circle time")
    add_helping_question(store, colleague.id, "How can I wait longer?", shared=False)
    reflections.record_rating(store, teacher.id, w.id, colleague.id, 6)
    result = summary.workshop_summary(store, w.id)
    lines = {p.name: p.helping_questions for p in result.participants}
    assert [q.ratings for q in lines["Ben Colleague"]] == [(6,)]
    other = make_workshop(store, teacher.id, title="Another")
    assert not any(
        q.ratings for p in summary.workshop_summary(store, other.id).participants for q in p.helping_questions
    )


def test_no_rating_is_assumed_and_only_the_facilitator_records_one(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    add_helping_question(store, colleague.id, "How can I wait longer?", shared=False)
    with pytest.raises(VerpError, match="0 to 10"):
        reflections.record_rating(store, teacher.id, w.id, colleague.id, None)
    with pytest.raises(VerpError):
        reflections.record_rating(store, colleague.id, w.id, colleague.id, 5)
    with pytest.raises(VerpError):
        reflections.record_rating(store, teacher.id, w.id, colleague.id, 11)


def test_new_workshops_are_moderated_by_default(store, teacher):
    made = workshops.create_workshop(store, teacher.id, "Group", date(2026, 11, 25))
    assert made.auto_approve is False


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("pupil", "What might the pupil feel? Pupils and pupils"),
        ("young person", "What might the young person feel? Young people and young people"),
        ("student", "What might the student feel? Students and students"),
        ("nonsense", "What might the child feel? Children and children"),
    ],
)
def test_prompts_speak_of_the_schools_own_word_for_child(word, expected):
    assert with_child_word("What might the child feel? Children and children", word) == expected
    assert with_child_word("in childhood", word) == "in childhood"


def test_the_workshops_word_and_minutes_reach_every_step(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    share_moment(store, colleague.id, w.id, "Circle time")
    workshops.set_child_word(store, teacher.id, w.id, "pupil")
    meaning = next(s for s in workshops.steps(store, w.id) if s.phase and s.phase.key == "meaning")
    assert "What might the pupil be thinking or feeling?" in meaning.prompts
    workshops.set_step_minutes(store, teacher.id, w.id, {meaning.key: 7})
    again = next(s for s in workshops.steps(store, w.id) if s.key == meaning.key)
    assert again.minutes == 7


def open_turn(store, teacher, colleague):
    """A live workshop with the colleague's shared moment and a helping question of theirs."""
    w = make_workshop(store, teacher.id)
    share_moment(store, colleague.id, w.id, "Circle time")
    add_helping_question(store, colleague.id, "How can I wait longer?", shared=False)
    return workshops.open_workshop(store, teacher.id, w.id)


def refused_and_not_kept(store, teacher, colleague, w) -> None:
    """A next step and a rating are refused as closed, and the kept record has neither."""
    with pytest.raises(VerpError, match="closed"):
        reflections.record_next_step(store, teacher.id, w.id, colleague.id, "Ben Colleague", "Wait longer")
    with pytest.raises(VerpError, match="closed"):
        reflections.record_rating(store, teacher.id, w.id, colleague.id, 7)
    assert reflections.next_steps(store, w.id) == []
    lines = {p.name: p.helping_questions for p in summary.workshop_summary(store, w.id).participants}
    assert not any(q.ratings for q in lines["Ben Colleague"])


def test_a_closed_workshop_takes_no_more_next_steps_or_ratings(store, teacher, colleague):
    """A Control tab left open after the close (or a press in the instant of it) saves nothing into the
    kept record: the summary printed at the close is the whole of it."""
    w = open_turn(store, teacher, colleague)
    workshops.close_workshop(store, teacher.id, w.id)
    refused_and_not_kept(store, teacher, colleague, w)


def test_a_next_step_or_rating_saved_in_the_instant_of_the_close_is_refused(
    store, teacher, colleague, monkeypatch
):
    """A close landing between the save's check and its write: the write sees it, and is undone."""
    w = open_turn(store, teacher, colleague)

    def closed_meanwhile(_workshop) -> None:  # the check passes, then the close commits
        if not workshops.get_workshop(store, w.id).is_closed:
            workshops.close_workshop(store, teacher.id, w.id)

    monkeypatch.setattr(reflections, "_open_room", closed_meanwhile)
    refused_and_not_kept(store, teacher, colleague, w)
