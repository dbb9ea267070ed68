"""An audit log a data protection officer can use: every event that shows or takes a child's video,
each facilitator sees their own workshops and actions, an administrator sees all; CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from tests.support.review import add_consent, add_test_clip, cut_moment
from tests.support.workshop import make_workshop, share_moment
from verp.__main__ import main
from verp.core import accounts, audit
from verp.core.accounts import AccountError
from verp.records import summary
from verp.review import clips, moments, sharing
from verp.room.running_order import steps
from verp.workshop import reflections, workshops


def _actions(store) -> list[str]:
    return [e.action for e in audit.recent_events(store)]


def test_projecting_a_moment_before_the_workshop_opens_is_recorded(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    _, moment_id = share_moment(store, colleague.id, w.id, "Story time")
    plan = steps(store, w.id)
    step = next(item for item in plan if item.moment is not None)
    workshops.go_to_step(store, teacher.id, w.id, step.key)
    entry = next(e for e in audit.recent_events(store) if e.action == "projected")
    assert entry.subject == f"moment:{moment_id}" and entry.workshop_id == w.id


def test_promotions_are_recorded_and_only_an_administrator_demotes(store, teacher, colleague):
    accounts.set_facilitator(store, teacher.id, colleague.id)
    assert "grant_facilitator" in _actions(store)
    with pytest.raises(AccountError, match="administrator"):
        accounts.set_facilitator(store, colleague.id, teacher.id, False)
    accounts.grant_admin(store, "Ana Teacher")
    accounts.set_facilitator(store, teacher.id, colleague.id, False)
    assert not accounts.get_person(store, colleague.id).is_facilitator
    assert {"grant_admin", "remove_facilitator"} <= set(_actions(store))


def test_an_upload_is_recorded(store, teacher, tmp_path):
    clip = add_test_clip(store, teacher.id, tmp_path)
    entry = next(e for e in audit.recent_events(store) if e.action == "upload")
    assert entry.subject == f"clip:{clip.id}" and entry.actor == audit.actor_of(teacher.id)


def test_sharing_withdrawing_and_deleting_are_recorded_with_what_they_touched(
    store, teacher, colleague, tmp_path
):
    clip = add_test_clip(store, colleague.id, tmp_path)
    add_consent(store, colleague.id, clip.id)
    moment = cut_moment(store, colleague.id, clip.id, "Waiting", 1.0, 3.0)
    w = make_workshop(store, teacher.id)
    shared = sharing.share_moment(store, colleague.id, moment.id, w.join_code)
    sharing.withdraw_share(store, colleague.id, shared.id)
    moments.delete_moment(store, colleague.id, moment.id)
    clips.delete_clip(store, colleague.id, clip.id)
    who, m, c = audit.actor_of(colleague.id), f"moment:{moment.id}", f"clip:{clip.id}"
    entries = [(e.actor, e.action, e.subject, e.detail) for e in reversed(audit.recent_events(store))]
    assert [e for e in entries if e[1] in ("share", "withdraw", "delete")] == [
        (who, "share", m, f"workshop:{w.id}"),
        (who, "withdraw", m, f"workshop:{w.id}"),
        (who, "delete", m, c),
        (who, "delete", c, ""),
    ]


def test_issuing_and_opening_a_present_link_are_recorded(store, teacher):
    w = make_workshop(store, teacher.id)
    token = workshops.present_token(store, teacher.id, w.id)
    workshops.record_present_opened(store, token, client="198.51.100.7")
    events = {e.action: e for e in audit.recent_events(store)}
    assert events["present_link"].workshop_id == w.id
    assert events["present_opened"].workshop_id == w.id and "198.51.100.7" in events["present_opened"].detail


def test_a_personal_summary_download_is_recorded(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    summary.record_personal_download(store, colleague.id, w.id)
    entry = audit.recent_events(store)[0]
    assert entry.action == "download_personal_summary" and entry.workshop_id == w.id


def test_moderation_decisions_are_recorded(store, teacher):
    w = workshops.open_workshop(store, teacher.id, make_workshop(store, teacher.id, auto_approve=False).id)
    joined = reflections.join_by_code(store, w.join_code, "Cara")
    sent = reflections.submit_reflection(store, w.id, joined.token, "She waited for him")
    reflections.moderate(store, teacher.id, w.id, sent.id, approve=False)
    entry = audit.recent_events(store)[0]
    assert (entry.action, entry.subject, entry.workshop_id) == (
        "hide_reflection",
        f"reflection:{sent.id}",
        w.id,
    )
    assert "She waited" not in entry.detail  # the log names what was decided, not what was written


def test_each_facilitator_sees_their_own_workshops_and_actions(store, teacher, colleague):
    accounts.set_facilitator(store, teacher.id, colleague.id)
    mine = make_workshop(store, teacher.id, "Ana's group")
    theirs = make_workshop(store, colleague.id, "Ben's group")
    workshops.present_token(store, teacher.id, mine.id)
    workshops.present_token(store, colleague.id, theirs.id)
    seen = audit.log_for(store, colleague.id)
    assert {e.workshop_id for e in seen if e.workshop_id} == {theirs.id}
    assert all(e.workshop_id == theirs.id or e.actor == audit.actor_of(colleague.id) for e in seen)
    assert any(e.action == "grant_facilitator" for e in audit.log_for(store, teacher.id))


def test_an_administrator_sees_every_entry(store, teacher, colleague):
    accounts.set_facilitator(store, teacher.id, colleague.id)
    theirs = make_workshop(store, colleague.id, "Ben's group")
    workshops.present_token(store, colleague.id, theirs.id)
    assert all(e.workshop_id != theirs.id for e in audit.log_for(store, teacher.id))
    accounts.grant_admin(store, "ana teacher")
    assert any(e.workshop_id == theirs.id for e in audit.log_for(store, teacher.id))


def test_grant_admin_from_the_command_line(store, teacher, colleague, capsys):
    assert main(["admin", "grant-admin", "Ben Colleague"]) == 0
    assert accounts.get_person(store, colleague.id).is_admin
    assert "Ben Colleague" in capsys.readouterr().out
    assert main(["admin", "grant-admin", "Nobody Here"]) != 0


def test_the_log_downloads_as_spreadsheet_safe_csv(store, teacher):
    with store.transaction() as s:
        for typed in ("=HYPERLINK(1)", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "plain"):
            audit.record(s, audit.actor_of(teacher.id), "share", "moment:1", typed)
    rows = list(csv.reader(io.StringIO(audit.log_csv(audit.log_for(store, teacher.id)).decode("utf-8-sig"))))
    assert rows[0][:4] == ["when (UTC)", "who", "did", "to what"]
    details = {row[4] for row in rows[1:]}
    assert details == {"'=HYPERLINK(1)", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "plain"}
    assert datetime.strptime(rows[1][0], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def test_a_facilitators_log_is_theirs_once_each_newest_first(store, teacher, colleague, tmp_path):
    """Their workshops' entries and their own actions, each found by its own index: an action of theirs
    in their own workshop is both, and comes once, in its place."""
    accounts.set_facilitator(store, teacher.id, colleague.id)
    theirs = make_workshop(store, colleague.id, "Ben's group")
    mine = make_workshop(store, teacher.id, "Ana's group")
    add_test_clip(store, colleague.id, tmp_path)  # their own action, in no workshop
    for _ in range(3):
        workshops.present_token(store, colleague.id, theirs.id)  # theirs, in their workshop
        workshops.present_token(store, teacher.id, mine.id)  # someone else's, elsewhere
    everything = audit.recent_events(store, limit=1000)
    own = audit.actor_of(colleague.id)
    expected = [e for e in everything if e.workshop_id == theirs.id or e.actor == own]
    assert {e.action for e in expected} >= {"upload", "present_link"}
    assert audit.log_for(store, colleague.id) == expected
    assert audit.log_for(store, colleague.id, limit=2) == expected[:2]
