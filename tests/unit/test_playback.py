"""The room's playback: commands from Control, applied once each by Present, kept in the database."""

import pytest

from tests.support.workshop import make_workshop, share_moment
from verp.core.errors import VerpError
from verp.room.playback import FRAME_S, Playback, command, for_new_step, read_playback
from verp.workshop import workshops


def test_a_new_room_plays_muted_looping_at_normal_speed():
    p = read_playback("{}")
    assert (p.playing, p.muted, p.rate, p.loop, p.sound_unlocked) == (True, True, 1.0, True, False)
    assert read_playback("not json", playing=False) == Playback(playing=False)


def test_each_seek_is_a_new_command_with_its_own_number():
    p = Playback()
    back = command(p, "frame", -1)
    assert (back.playing, back.seek_relative, back.seek_s, back.seek_seq) == (False, True, -FRAME_S, 1)
    on = command(back, "frame", 1)
    assert on.seek_s == FRAME_S and on.seek_seq == 2
    jump = command(on, "jump", 3.25)
    assert (jump.seek_s, jump.seek_relative, jump.seek_seq, jump.playing) == (3.25, False, 3, False)
    assert command(jump, "jump", -2).seek_s == 0.0


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "nan"])
def test_a_jump_to_a_time_that_is_no_number_is_refused(value):
    """The room's playback goes to every screen as JSON, which has no NaN or infinity: one would stop
    the projector's player reading it."""
    with pytest.raises(ValueError, match="time"):
        command(Playback(), "jump", value)


def test_sound_speed_loop_and_freeze():
    p = command(command(command(Playback(), "sound", True), "rate", 0.5), "loop", False)
    assert (p.muted, p.rate, p.loop) == (False, 0.5, False)
    assert command(p, "freeze").playing is False and command(p, "play").playing is True
    with pytest.raises(ValueError):
        command(p, "rate", 3)
    fresh = for_new_step(command(p, "freeze"))
    assert (fresh.playing, fresh.rate, fresh.loop, fresh.muted) == (True, 1.0, True, False)


def test_the_state_round_trips_through_the_workshop_row(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    share_moment(store, colleague.id, w.id)
    workshops.control_playback(store, teacher.id, w.id, "rate", 0.5)
    workshops.control_playback(store, teacher.id, w.id, "sound", True)
    after = workshops.control_playback(store, teacher.id, w.id, "frame", 1)
    p = workshops.playback(after)
    assert (p.rate, p.muted, p.playing, p.seek_seq) == (0.5, False, False, 1)
    assert after.state_version == w.state_version + 3  # Present redraws after each command
    with pytest.raises(VerpError):
        workshops.control_playback(store, colleague.id, w.id, "play")
    with pytest.raises(VerpError):
        workshops.control_playback(store, teacher.id, w.id, "explode")


def test_the_projector_reports_its_sound_without_redrawing_the_room(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    workshops.report_sound(store, w.id, True)
    now = workshops.get_workshop(store, w.id)
    assert workshops.playback(now).sound_unlocked and now.state_version == w.state_version
    workshops.step_by(store, teacher.id, w.id, 1)
    assert workshops.playback(workshops.get_workshop(store, w.id)).sound_unlocked  # kept across steps


def test_captions_are_on_until_the_facilitator_turns_them_off_and_stay_off_across_moments(
    store, teacher, colleague
):
    assert read_playback("{}").captions and read_playback("[1]").captions  # on by default
    off = command(Playback(), "captions", False)
    assert not off.captions and command(off, "captions", True).captions
    assert not for_new_step(off).captions  # the next moment keeps the facilitator's choice
    w = make_workshop(store, teacher.id)
    share_moment(store, colleague.id, w.id)
    after = workshops.control_playback(store, teacher.id, w.id, "captions", False)
    assert after.state_version == w.state_version + 1  # Present redraws and hides them
    assert not workshops.playback(workshops.get_workshop(store, w.id)).captions
    workshops.step_by(store, teacher.id, w.id, 1)
    assert not workshops.playback(workshops.get_workshop(store, w.id)).captions


def test_a_stale_control_tab_cannot_move_the_player_of_a_moment_it_does_not_show(store, teacher, colleague):
    """Control's player buttons name the step their page showed: pressed in a tab still showing an earlier
    moment, "Go to 0:12" must not seek the moment the room has moved on to (to its 0:12)."""
    w = make_workshop(store, teacher.id)
    share_moment(store, colleague.id, w.id, "Circle time")
    share_moment(store, colleague.id, w.id, "Story time", position=1)
    each_moment = {}
    for step in workshops.steps(store, w.id):
        if step.moment is not None:
            each_moment.setdefault(step.moment.share_id, step)
    first, second = list(each_moment.values())
    workshops.go_to_step(store, teacher.id, w.id, first.key)
    workshops.go_to_step(store, teacher.id, w.id, second.key)  # from another tab, or the clicker
    before = workshops.get_workshop(store, w.id)
    after = workshops.control_playback(store, teacher.id, w.id, "jump", 12.0, seen_key=first.key)
    assert after.state_version == before.state_version and workshops.playback(after) == workshops.playback(
        before
    )
    moved = workshops.control_playback(store, teacher.id, w.id, "jump", 12.0, seen_key=second.key)
    assert workshops.playback(moved).seek_s == 12.0 and moved.state_version == before.state_version + 1
    same_video = next(
        s
        for s in workshops.steps(store, w.id)
        if s.moment and s.moment.share_id == second.moment.share_id and s.key != second.key
    )  # a page one phase behind on the same moment still drives its player
    workshops.go_to_step(store, teacher.id, w.id, same_video.key)
    again = workshops.control_playback(store, teacher.id, w.id, "jump", 3.0, seen_key=second.key)
    assert workshops.playback(again).seek_s == 3.0
