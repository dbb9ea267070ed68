"""What the room sees when shares change outside Control: screens redraw, the room keeps its step."""

from tests.support.workshop import make_workshop, share_moment
from verp.core.models import Moment
from verp.review import clips, moments, sharing
from verp.workshop import workshops


def two_moments(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    first, first_moment = share_moment(store, colleague.id, w.id, "Circle time", position=0)
    second, second_moment = share_moment(store, colleague.id, w.id, "Snack time", position=1)
    return workshops.open_workshop(store, teacher.id, w.id), (first, first_moment), (second, second_moment)


def index_of(store, workshop_id, kind, title):
    return next(s.index for s in workshops.steps(store, workshop_id) if s.kind == kind and s.title == title)


def on_screen(store, workshop_id):
    w = workshops.get_workshop(store, workshop_id)
    return workshops.steps(store, workshop_id)[w.current_step]


def test_withdrawing_a_share_bumps_the_version_of_its_workshop(store, teacher, colleague):
    w, (first, _), _ = two_moments(store, teacher, colleague)
    sharing.withdraw_share(store, colleague.id, first)
    assert workshops.state_version(store, w.id) > w.state_version


def test_a_withdrawal_before_the_room_keeps_the_room_on_the_same_moment(store, teacher, colleague):
    w, (first, _), _ = two_moments(store, teacher, colleague)
    workshops.go_to_step(store, teacher.id, w.id, index_of(store, w.id, "moment", "Snack time"))
    sharing.withdraw_share(store, colleague.id, first)
    step = on_screen(store, w.id)
    assert step.kind == "moment" and step.title == "Snack time"


def test_withdrawing_the_moment_on_screen_moves_the_room_to_the_next_step(store, teacher, colleague):
    w, (first, _), _ = two_moments(store, teacher, colleague)
    workshops.go_to_step(store, teacher.id, w.id, index_of(store, w.id, "moment", "Circle time"))
    sharing.withdraw_share(store, colleague.id, first)
    step = on_screen(store, w.id)
    assert step.moment is None or step.moment.title != "Circle time"
    assert step.kind == "moment" and step.title == "Snack time"


def test_deleting_a_moment_bumps_the_version_and_keeps_the_room_on_its_step(store, teacher, colleague):
    w, (_, first_moment), _ = two_moments(store, teacher, colleague)
    workshops.go_to_step(store, teacher.id, w.id, index_of(store, w.id, "moment", "Snack time"))
    before = workshops.state_version(store, w.id)
    moments.delete_moment(store, colleague.id, first_moment)
    assert workshops.state_version(store, w.id) > before
    assert on_screen(store, w.id).title == "Snack time"


def test_deleting_a_clip_bumps_the_version_of_every_workshop_showing_it(store, teacher, colleague):
    w, (_, first_moment), _ = two_moments(store, teacher, colleague)
    with store.transaction() as s:
        clip_id = s.get(Moment, first_moment).clip_id
    before = workshops.state_version(store, w.id)
    clips.delete_clip(store, colleague.id, clip_id)
    assert workshops.state_version(store, w.id) > before
    assert [m.title for m in workshops.shown_moments(store, w.id)] == ["Snack time"]


def test_reordering_the_moments_keeps_a_running_room_on_the_moment_it_shows(store, teacher, colleague):
    w, (first, _), (second, _) = two_moments(store, teacher, colleague)
    workshops.go_to_step(store, teacher.id, w.id, index_of(store, w.id, "moment", "Snack time"))
    workshops.move_share(store, teacher.id, w.id, second, -1)
    assert [m.title for m in workshops.shown_moments(store, w.id)] == ["Snack time", "Circle time"]
    step = on_screen(store, w.id)
    assert step.kind == "moment" and step.title == "Snack time"


def test_a_new_share_redraws_the_room_and_keeps_it_on_its_step(store, teacher, colleague):
    from tests.support.review import add_consent
    from tests.support.workshop import share_moment as add_share
    from verp.core.models import Share

    w, _, _ = two_moments(store, teacher, colleague)
    workshops.go_to_step(store, teacher.id, w.id, index_of(store, w.id, "moment", "Snack time"))
    _, mid = add_share(store, teacher.id, w.id, "Spare")  # the facilitator's own moment, unshared below
    with store.transaction() as s:
        s.query(Share).filter(Share.moment_id == mid).delete()
        moment = s.get(Moment, mid)
        moment.cut_name, clip_id = f"{moment.clip_id}/cut.mp4", moment.clip_id
    add_consent(store, teacher.id, clip_id)
    before = workshops.state_version(store, w.id)
    sharing.share_moment(store, teacher.id, mid, w.join_code)
    assert workshops.state_version(store, w.id) > before
    assert on_screen(store, w.id).title == "Snack time"


def test_a_clip_purged_at_its_delete_by_date_redraws_the_workshops_showing_it(store, teacher, colleague):
    from datetime import timedelta

    from tests.support.review import add_consent
    from verp.core.models import Consent, utcnow
    from verp.records import retention

    w, (_, first_moment), _ = two_moments(store, teacher, colleague)
    with store.transaction() as s:
        clip_id = s.get(Moment, first_moment).clip_id
    add_consent(store, colleague.id, clip_id)
    with store.transaction() as s:
        s.query(Consent).filter(Consent.clip_id == clip_id).update(
            {"delete_by": utcnow().date() - timedelta(1)}
        )
    before = workshops.state_version(store, w.id)
    assert [p.clip_id for p in retention.purge_expired(store)] == [clip_id]
    assert workshops.state_version(store, w.id) > before
