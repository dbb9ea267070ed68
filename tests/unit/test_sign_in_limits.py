"""Sign-in that cannot be raced or turned against colleagues; passphrases hashed to current guidance."""

from __future__ import annotations

import threading
import time

import pytest

from verp.core import accounts
from verp.core.accounts import AccountError
from verp.core.config import ConfigError, load_settings
from verp.core.models import Person

STRANGER = "203.0.113.9"
ANA_LAPTOP = "198.51.100.4"


def test_sixteen_parallel_wrong_tries_check_at_most_the_limit_of_passphrases(store, teacher, monkeypatch):
    assert accounts.MAX_FAILURES == 5
    checked = []
    real_check = accounts.check_passphrase

    def slow_check(passphrase, stored, settings=None):
        checked.append(passphrase)
        time.sleep(0.05)  # widen the window a racing guesser would use
        return real_check(passphrase, stored, settings)

    monkeypatch.setattr(accounts, "check_passphrase", slow_check)
    start = threading.Barrier(16)
    answers: list[str] = []

    def guess(n: int) -> None:
        start.wait()
        try:
            accounts.sign_in(store, "Ana Teacher", f"guess number {n}", client=STRANGER)
        except AccountError as exc:
            answers.append(str(exc))

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 16
    assert len(checked) <= accounts.MAX_FAILURES
    assert sum("wait" in a for a in answers) >= 16 - accounts.MAX_FAILURES


def test_a_stranger_guessing_cannot_keep_a_colleague_out(store, teacher):
    for _ in range(accounts.MAX_FAILURES * 4):
        with pytest.raises(AccountError):
            accounts.sign_in(store, "Ana Teacher", "not the passphrase", client=STRANGER)
    with pytest.raises(AccountError, match="wait"):
        accounts.sign_in(store, "Ana Teacher", "correct horse battery", client=STRANGER)
    assert accounts.sign_in(store, "Ana Teacher", "correct horse battery", client=ANA_LAPTOP).id == teacher.id


def test_account_creation_is_throttled_per_client(store, teacher):
    for n in range(accounts.MAX_SIGNUPS):
        accounts.create_person(store, f"Newcomer {n}", "a long passphrase", client=STRANGER)
    with pytest.raises(AccountError, match="wait"):
        accounts.create_person(store, "One Too Many", "a long passphrase", client=STRANGER)
    assert accounts.create_person(store, "Dee Elsewhere", "a long passphrase", client=ANA_LAPTOP)


def test_name_taken_answers_are_throttled(store, teacher):
    for _ in range(accounts.MAX_TAKEN):
        with pytest.raises(AccountError, match="taken"):
            accounts.create_person(store, "Ana Teacher", "a long passphrase", client=STRANGER)
    with pytest.raises(AccountError, match="wait"):
        accounts.create_person(store, "Ben Colleague", "a long passphrase", client=STRANGER)


def _stored_hash(store, person_id: int) -> str:
    with store.transaction() as s:
        return s.get(Person, person_id).passphrase_hash


def test_passphrases_are_hashed_with_argon2id_at_the_configured_cost(store, teacher):
    stored = _stored_hash(store, teacher.id)
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert f"m={store.settings.passphrase_memory_kib}," in stored
    assert accounts.check_passphrase("correct horse battery", stored, store.settings)
    assert not accounts.check_passphrase("correct horse batterY", stored, store.settings)


def test_the_default_cost_follows_owasp_guidance():
    settings = load_settings({})
    assert settings.passphrase_memory_kib >= 19456 and settings.passphrase_time_cost >= 2


def test_an_old_scrypt_hash_is_replaced_on_sign_in(store, teacher):
    old = accounts.scrypt_hash("correct horse battery")
    with store.transaction() as s:
        s.get(Person, teacher.id).passphrase_hash = old
    assert accounts.sign_in(store, "Ana Teacher", "correct horse battery").id == teacher.id
    assert _stored_hash(store, teacher.id).startswith("$argon2id$")
    assert accounts.sign_in(store, "Ana Teacher", "correct horse battery").id == teacher.id


@pytest.mark.parametrize("weak", ["secret", "a" * 64, "password1234" * 4, "0123456789abcdef" * 2])
def test_a_weak_secret_key_is_refused_at_start(tmp_path, weak):
    settings = load_settings({"VERP_DATA_DIR": str(tmp_path), "VERP_SECRET_KEY": weak})
    with pytest.raises(ConfigError, match="VERP_SECRET_KEY"):
        settings.secret_key()


def test_a_strong_secret_key_and_the_generated_key_file_are_accepted(tmp_path, monkeypatch):
    strong = "q3J9x-Lw0ZpV7tRk2sYb8NcHf4Gm1UeDa6Oi5WjXlQ"
    assert load_settings({"VERP_DATA_DIR": str(tmp_path), "VERP_SECRET_KEY": strong}).secret_key() == strong
    monkeypatch.delenv("VERP_SECRET_KEY", raising=False)
    assert len(load_settings({"VERP_DATA_DIR": str(tmp_path)}).secret_key()) > 40
