import pytest

from verp.core import accounts
from verp.core.accounts import AccountError


def test_the_first_account_is_a_facilitator_and_the_next_is_not(store, teacher, colleague):
    assert teacher.is_facilitator
    assert not colleague.is_facilitator


def test_former_scrypt_hashes_are_still_checked(store, teacher):
    stored = accounts.scrypt_hash("correct horse battery")
    assert stored.startswith("scrypt$") and "correct horse" not in stored
    assert accounts.check_passphrase("correct horse battery", stored)
    assert not accounts.check_passphrase("correct horse batterY", stored)


def test_sign_in_checks_the_passphrase_and_ignores_name_case(store, teacher):
    assert accounts.sign_in(store, "  ana   TEACHER ", "correct horse battery").id == teacher.id
    with pytest.raises(AccountError, match="do not match"):
        accounts.sign_in(store, "Ana Teacher", "wrong passphrase")
    with pytest.raises(AccountError, match="do not match"):
        accounts.sign_in(store, "Nobody", "correct horse battery")


def test_a_name_spelt_with_joiners_makes_an_account_but_never_a_look_alike_of_another(store, teacher):
    """An emoji of joined parts or a Persian name with a zero-width non-joiner is a name like any other;
    the same name with an invisible joiner slipped in is taken, as it reads the same on screen."""
    persian = accounts.create_person(store, "مهدی\u200cزاده", "a long enough passphrase")
    assert persian.display_name == "مهدی\u200cزاده"
    assert accounts.sign_in(store, "مهدی\u200cزاده", "a long enough passphrase").id == persian.id
    assert accounts.create_person(store, "\U0001f469\u200d\U0001f3eb Bea", "a long enough passphrase")
    with pytest.raises(AccountError, match="taken"):
        accounts.create_person(store, "Ana\u200d Teacher", "a long enough passphrase")
    with pytest.raises(AccountError, match="80 characters"):
        accounts.create_person(store, "x" * 81, "a long enough passphrase")


def test_repeated_wrong_passphrases_are_slowed_down(store, teacher):
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(AccountError):
            accounts.sign_in(store, "Ana Teacher", "guess guess")
    with pytest.raises(AccountError, match="wait"):
        accounts.sign_in(store, "Ana Teacher", "correct horse battery")


@pytest.mark.parametrize(
    ("name", "passphrase", "message"),
    [
        ("", "long enough pass", "name"),
        ("A" * 81, "long enough pass", "name"),
        ("Carl", "short", "at least"),
        ("Ana Teacher", "long enough pass", "taken"),
    ],
)
def test_bad_sign_up_is_explained(store, teacher, name, passphrase, message):
    with pytest.raises(AccountError, match=message):
        accounts.create_person(store, name, passphrase)


def test_session_tokens_identify_a_person_until_tampered_with(store, teacher):
    from verp.core import sessions

    token = sessions.issue_token(store, teacher.id)
    assert sessions.person_for_token(store, token).id == teacher.id
    assert sessions.person_for_token(store, token + "x") is None
    assert str(teacher.id) != token and "Ana" not in token


def test_only_a_facilitator_can_grant_the_role(store, teacher, colleague):
    with pytest.raises(AccountError):
        accounts.set_facilitator(store, colleague.id, teacher.id)
    accounts.set_facilitator(store, teacher.id, colleague.id)
    assert accounts.get_person(store, colleague.id).is_facilitator


def test_an_organisation_login_is_a_facilitator_only_for_a_verified_listed_email(store, monkeypatch):
    import dataclasses

    monkeypatch.setattr(
        store,
        "settings",
        dataclasses.replace(store.settings, facilitator_emails=frozenset({"ep@council.example"})),
    )
    unverified = accounts.sign_in_oidc(store, "sub-1", "Eve", "ep@council.example", email_verified=False)
    assert not unverified.is_facilitator or unverified.id == 1  # the very first account is one anyway
    verified = accounts.sign_in_oidc(store, "sub-2", "Pat", "EP@council.example", email_verified=True)
    assert verified.is_facilitator
    stranger = accounts.sign_in_oidc(store, "sub-3", "Sam", "sam@else.example", email_verified=True)
    assert not stranger.is_facilitator
    assert accounts.sign_in_oidc(store, "sub-2", "Pat", None).id == verified.id  # same person next time
