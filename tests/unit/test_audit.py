import pytest

from verp.core import audit


def test_recorded_events_come_back_newest_first(store):
    with store.transaction() as s:
        audit.record(s, "Ana Teacher", "share", "moment 1", "with workshop 2")
    with store.transaction() as s:
        audit.record(s, "Ben Colleague", "delete", "clip abc")
    events = audit.recent_events(store)
    assert [(e.actor, e.action, e.subject) for e in events] == [
        ("Ben Colleague", "delete", "clip abc"),
        ("Ana Teacher", "share", "moment 1"),
    ]
    assert events[1].detail == "with workshop 2" and events[0].at.tzinfo is not None


def test_an_audit_entry_commits_with_its_action_or_not_at_all(store):
    with pytest.raises(RuntimeError), store.transaction() as s:
        audit.record(s, "Ana", "delete", "clip x")
        raise RuntimeError("the deletion failed")
    assert audit.recent_events(store) == []


def test_the_log_is_limited(store):
    with store.transaction() as s:
        for i in range(5):
            audit.record(s, "Ana", "view", f"moment {i}")
    assert len(audit.recent_events(store, limit=3)) == 3


def test_people_are_recorded_by_id_and_shown_by_their_current_name(store, teacher):
    with store.transaction() as s:
        audit.record(s, audit.actor_of(teacher.id), "share", "moment:1")
        audit.record(s, audit.actor_of(999), "delete", "clip:x")
    shown = {e.actor: e.actor_name for e in audit.recent_events(store)}
    assert shown[f"person:{teacher.id}"] == "Ana Teacher"
    assert "deleted account" in shown["person:999"]
