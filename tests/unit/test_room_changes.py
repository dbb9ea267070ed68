"""What the room sees when shares change outside Control: screens redraw, the room keeps its step."""

from tests.support.workshop import go_to_index, make_workshop, share_moment
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
    return workshops.room_step(store, workshops.get_workshop(store, workshop_id))[0]


def test_withdrawing_a_share_bumps_the_version_of_its_workshop(store, teacher, colleague):
    w, (first, _), _ = two_moments(store, teacher, colleague)
    sharing.withdraw_share(store, colleague.id, first)
    assert workshops.state_version(store, w.id) > w.state_version


def test_a_withdrawal_before_the_room_keeps_the_room_on_the_same_moment(store, teacher, colleague):
    w, (first, _), _ = two_moments(store, teacher, colleague)
    go_to_index(store, teacher.id, w.id, index_of(store, w.id, "moment", "Snack time"))
    sharing.withdraw_share(store, colleague.id, first)
    step = on_screen(store, w.id)
    assert step.kind == "moment" and step.title == "Snack time"


def test_withdrawing_the_moment_on_screen_moves_the_room_to_the_next_step(store, teacher, colleague):
    w, (first, _), _ = two_moments(store, teacher, colleague)
    go_to_index(store, teacher.id, w.id, index_of(store, w.id, "moment", "Circle time"))
    sharing.withdraw_share(store, colleague.id, first)
    step = on_screen(store, w.id)
    assert step.moment is None or step.moment.title != "Circle time"
    assert step.kind == "moment" and step.title == "Snack time"


def test_deleting_a_moment_bumps_the_version_and_keeps_the_room_on_its_step(store, teacher, colleague):
    w, (_, first_moment), _ = two_moments(store, teacher, colleague)
    go_to_index(store, teacher.id, w.id, index_of(store, w.id, "moment", "Snack time"))
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
    go_to_index(store, teacher.id, w.id, index_of(store, w.id, "moment", "Snack time"))
    workshops.move_share(store, teacher.id, w.id, second, -1)
    assert [m.title for m in workshops.shown_moments(store, w.id)] == ["Snack time", "Circle time"]
    step = on_screen(store, w.id)
    assert step.kind == "moment" and step.title == "Snack time"


def test_a_new_share_redraws_the_room_and_keeps_it_on_its_step(store, teacher, colleague):
    from tests.support.review import add_consent
    from tests.support.workshop import share_moment as add_share
    from verp.core.models import Share

    w, _, _ = two_moments(store, teacher, colleague)
    go_to_index(store, teacher.id, w.id, index_of(store, w.id, "moment", "Snack time"))
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
    from verp.core.models import Clip, utcnow
    from verp.records import retention

    w, (_, first_moment), _ = two_moments(store, teacher, colleague)
    with store.transaction() as s:
        clip_id = s.get(Moment, first_moment).clip_id
    add_consent(store, colleague.id, clip_id)
    with store.transaction() as s:
        s.query(Clip).filter(Clip.id == clip_id).update({"delete_by": utcnow().date() - timedelta(1)})
    before = workshops.state_version(store, w.id)
    assert [p.clip_id for p in retention.purge_expired(store)] == [clip_id]
    assert workshops.state_version(store, w.id) > before


def test_each_step_is_stored_by_what_it_is(store, teacher, colleague):
    w, (first, _), (second, _) = two_moments(store, teacher, colleague)
    keys = [s.key for s in workshops.steps(store, w.id)]
    me = f"p{colleague.id}"
    assert keys[:5] == [
        "welcome",
        "principles",
        f"helping_question:{me}",
        f"moment:{me}:s{first}",
        f"voice:{me}:s{first}",
    ]
    assert f"prompt:{me}:s{first}:notice" in keys and f"moment:{me}:s{second}" in keys
    assert keys[-4:] == [f"wall:{me}", f"take:{me}", f"owner:{me}", "close"]
    workshops.go_to_step(store, teacher.id, w.id, f"moment:{me}:s{second}")
    assert workshops.get_workshop(store, w.id).step_key == f"moment:{me}:s{second}"


def test_a_room_on_a_prompt_of_a_withdrawn_moment_goes_on_to_the_next_moment(store, teacher, colleague):
    w, (first, _), _ = two_moments(store, teacher, colleague)
    workshops.go_to_step(store, teacher.id, w.id, f"prompt:p{colleague.id}:s{first}:meaning")
    sharing.withdraw_share(store, colleague.id, first)
    step = on_screen(store, w.id)
    assert (step.kind, step.title) == ("moment", "Snack time")
    assert workshops.step_by(store, teacher.id, w.id, 1).step_key.startswith("voice:")  # the owner first


def test_a_room_on_the_last_moment_removed_by_the_facilitator_goes_to_the_close(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    only, _ = share_moment(store, colleague.id, w.id, "Circle time")
    workshops.open_workshop(store, teacher.id, w.id)
    workshops.go_to_step(store, teacher.id, w.id, f"moment:p{colleague.id}:s{only}")
    workshops.remove_share(store, teacher.id, w.id, only)
    assert on_screen(store, w.id).kind == "close"


def test_a_room_on_a_deleted_moment_goes_to_its_participants_wall(store, teacher, colleague):
    w, (first, first_moment), _ = two_moments(store, teacher, colleague)
    workshops.go_to_step(store, teacher.id, w.id, f"prompt:p{colleague.id}:s{first}:notice")
    moments.delete_moment(store, colleague.id, first_moment)
    assert on_screen(store, w.id).kind == "wall"


def test_the_upgrade_turns_a_stored_index_into_the_key_of_the_same_step(tmp_path):
    from sqlalchemy import text

    from verp.core.store import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, "0003_clip_worker_lease")
    rows = [
        "INSERT INTO person (id, display_name, name_key, is_facilitator, created_at)"
        " VALUES (1, 'Ana', 'ana', 1, '2026-01-01'), (2, 'Ben', 'ben', 0, '2026-01-01')",
        "INSERT INTO workshop (id, title, held_on, facilitator_id, focus, ground_rules, join_code, status,"
        " allow_anonymous, auto_approve, current_step, timer_elapsed_s, playing, state_version, created_at)"
        " VALUES (1, 'Group', '2026-11-25', 1, '', '', 'ACDEFG', 'live', 1, 1, 7, 0, 1, 0, '2026-01-01')",
        "INSERT INTO clip (id, owner_id, title, original_filename, stored_name, status, status_detail,"
        " source, duration_s, width, height, size_bytes, video_codec, created_at)"
        " VALUES ('c1', 2, 'Clip', 'c.mp4', 'c1/o.mp4', 'ready', '', 'upload', 20, 0, 0, 0, '',"
        " '2026-01-01')",
        "INSERT INTO moment (id, clip_id, title, start_s, end_s, note, share_note, created_at)"
        " VALUES (1, 'c1', 'Circle', 1, 5, '', 0, '2026-01-01'),"
        " (2, 'c1', 'Snack', 6, 9, '', 0, '2026-01-01')",
        "INSERT INTO share (id, moment_id, workshop_id, position, prompt_set, shared_at)"
        " VALUES (1, 1, 1, 0, 'default', '2026-01-01'), (2, 2, 1, 1, 'default', '2026-01-01')",
    ]
    with engine.begin() as c:
        for row in rows:
            c.execute(text(row))
    # welcome, principles, Circle + its phases (2-5, the default set's three phases in today's asset, which
    # the 0005 upgrade reads), Snack (6), its first phase (7)
    migrate(engine)
    with engine.connect() as c:
        assert c.execute(text("SELECT current_step_key FROM workshop")).scalar() == "prompt:p2:s2:notice"
        # Nothing that hangs off the workshop is lost on the way (a copied table must not cascade).
        assert c.execute(text("SELECT count(*) FROM share")).scalar() == 2
        assert c.execute(text("SELECT count(*) FROM moment")).scalar() == 2
