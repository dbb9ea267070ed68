"""Group series: session N opens with each member's next step from session N−1 and their own ratings."""

import pytest

from tests.support.series import group_with_two_sessions
from verp.core.errors import NotYours
from verp.review import helping
from verp.workshop import groups, workshops
from verp.workshop.groups import GroupError


def test_session_two_opens_right_after_the_welcome_with_last_sessions_next_steps(store, teacher, colleague):
    _, first, second = group_with_two_sessions(store, teacher.id, colleague.id)
    kinds = [step.kind for step in workshops.steps(store, second.id)]
    assert kinds[:3] == ["welcome", "series_opening", "principles"]
    assert "series_opening" not in [step.kind for step in workshops.steps(store, first.id)]
    opening = groups.series_opening(store, second.id)
    assert opening.number == 2 and opening.prompts == ("What did you try?", "What happened?")
    (member,) = opening.members
    assert member.name == "Ben Colleague" and member.next_steps == ("Wait longer",)
    assert member.ratings == ((1, 4),) and member.ratings_shared


def test_a_member_who_keeps_their_question_private_keeps_their_ratings_private(store, teacher, colleague):
    _, _, second = group_with_two_sessions(store, teacher.id, colleague.id)
    helping.share_with_group(store, colleague.id, False)
    (member,) = groups.series_opening(store, second.id).members
    assert not member.ratings_shared


def test_a_workshop_on_its_own_or_a_first_session_has_no_series_opening(store, teacher, colleague):
    group, first, _ = group_with_two_sessions(store, teacher.id, colleague.id)
    assert groups.series_opening(store, first.id) is None
    groups.set_session(store, teacher.id, first.id, None)
    assert groups.session_of(store, first.id) is None


def test_the_room_on_the_series_opening_stays_there_when_a_moment_is_shared(store, teacher, colleague):
    _, _, second = group_with_two_sessions(store, teacher.id, colleague.id)
    workshops.go_to_step(store, teacher.id, second.id, "series_opening")
    step, _ = workshops.room_step(store, workshops.get_workshop(store, second.id))
    assert step.kind == "series_opening" and "session 1" in step.title


def test_two_workshops_cannot_be_the_same_session_and_groups_are_the_facilitators_own(
    store, teacher, colleague
):
    group, first, second = group_with_two_sessions(store, teacher.id, colleague.id)
    with pytest.raises(GroupError, match="already session 1"):
        groups.set_session(store, teacher.id, second.id, group.id, 1)
    with pytest.raises(GroupError):
        groups.create_group(store, colleague.id, "Mine", [], 3)  # not a facilitator
    with pytest.raises(GroupError, match="1 to 12"):
        groups.create_group(store, teacher.id, "Too long", [], 0)
    from verp.core.accounts import set_facilitator

    set_facilitator(store, teacher.id, colleague.id)
    with pytest.raises(NotYours):
        groups.get_group(store, colleague.id, group.id)


def test_a_member_sees_the_next_session_and_what_they_set_themselves(store, teacher, colleague):
    _, _, second = group_with_two_sessions(store, teacher.id, colleague.id)
    (mine,) = groups.my_series(store, colleague.id)
    assert (mine.next_number, mine.next_title, mine.next_on) == (2, "Session two", second.held_on)
    assert mine.next_step == "Wait longer"
    assert mine.helping_question == "How do I give children time to start?"
