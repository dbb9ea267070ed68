"""Facilitator-only things refuse everyone else; guessing passphrases is slowed on every instance."""

from datetime import timedelta

import pytest

from verp.core import accounts, audit
from verp.core.accounts import AccountError
from verp.core.models import Attempt, utcnow
from verp.core.store import Store


def _fail(store, name, times=1):
    for _ in range(times):
        with pytest.raises(AccountError):
            accounts.sign_in(store, name, "not the passphrase")


def test_only_facilitators_read_the_audit_log(store, teacher, colleague):
    with store.transaction() as s:
        audit.record(s, audit.actor_of(teacher.id), "share", "moment 1")
    with pytest.raises(audit.AuditError, match="Only a facilitator"):
        audit.log_for(store, colleague.id)
    with pytest.raises(audit.AuditError):
        audit.log_for(store, 99999)
    assert [e.action for e in audit.log_for(store, teacher.id)] == ["share"]


def test_only_facilitators_grant_the_facilitator_role(store, teacher, colleague):
    with pytest.raises(AccountError, match="Only a facilitator"):
        accounts.set_facilitator(store, colleague.id, colleague.id)
    assert not accounts.get_person(store, colleague.id).is_facilitator


def test_a_locked_name_refuses_even_the_right_passphrase_but_other_names_still_work(
    store, teacher, colleague
):
    _fail(store, "Ana Teacher", accounts.MAX_FAILURES)
    with pytest.raises(AccountError, match="wait ten minutes"):
        accounts.sign_in(store, "Ana Teacher", "correct horse battery")
    assert accounts.sign_in(store, "Ben Colleague", "another long passphrase").id == colleague.id


def test_wrong_tries_on_one_instance_count_on_every_instance(store, teacher):
    other_instance = Store.open(store.settings)
    _fail(store, "Ana Teacher", accounts.MAX_FAILURES - 1)
    _fail(other_instance, "Ana Teacher", 1)
    with pytest.raises(AccountError, match="wait"):
        accounts.sign_in(store, "Ana Teacher", "correct horse battery")
    other_instance.engine.dispose()


def test_old_wrong_tries_stop_counting_after_the_window(store, teacher):
    long_ago = utcnow() - accounts.FAILURE_WINDOW - timedelta(minutes=1)
    with store.transaction() as s:
        s.add_all(Attempt(kind="signin", key="-|ana teacher", at=long_ago) for _ in range(10))
    assert accounts.sign_in(store, "Ana Teacher", "correct horse battery").id == teacher.id


def test_unknown_names_are_answered_like_wrong_passphrases_and_also_slowed(store, teacher, monkeypatch):
    checks = []
    real_check = accounts.check_passphrase
    monkeypatch.setattr(
        accounts, "check_passphrase", lambda p, h, st=None: checks.append(h) or real_check(p, h, st)
    )
    with pytest.raises(AccountError, match="do not match"):
        accounts.sign_in(store, "Nobody Here", "whatever it is")
    assert len(checks) == 1  # the same hashing work as for a real account: timing tells nothing
    _fail(store, "Nobody Here", accounts.MAX_FAILURES)
    with pytest.raises(AccountError, match="wait"):
        accounts.sign_in(store, "Nobody Here", "whatever it is")
