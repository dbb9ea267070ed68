"""Signing in: display name + personal passphrase, hashed with scrypt; signed, expiring tokens.

A colleague on the same school laptop must not be able to open someone else's clips, and a copied link
must never become someone's identity, so a refresh is kept signed in only by a signed token that expires.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select

from verp.core.errors import VerpError
from verp.core.models import Attempt, Person, utcnow
from verp.core.store import Store

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSPHRASE = 8
TOKEN_MAX_AGE_S = 12 * 3600
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=10)


class AccountError(VerpError):
    """A sign-in problem, worded for the person at the screen."""


@dataclass(frozen=True)
class PersonView:
    id: int
    display_name: str
    is_facilitator: bool


def hash_passphrase(passphrase: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(passphrase.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    encoded = base64.b64encode(salt + digest).decode()
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${encoded}"


def check_passphrase(passphrase: str, stored: str) -> bool:
    try:
        _, n, r, p, encoded = stored.split("$")
        raw = base64.b64decode(encoded)
    except ValueError:
        return False
    salt, digest = raw[:16], raw[16:]
    candidate = hashlib.scrypt(
        passphrase.encode(), salt=salt, n=int(n), r=int(r), p=int(p), dklen=len(digest)
    )
    return hmac.compare_digest(candidate, digest)


_NO_ACCOUNT_HASH = hash_passphrase(os.urandom(16).hex())


def _name_key(display_name: str) -> str:
    return " ".join(display_name.split()).casefold()


def _view(person: Person) -> PersonView:
    return PersonView(person.id, person.display_name, person.is_facilitator)


def create_person(store: Store, display_name: str, passphrase: str) -> PersonView:
    """Make an account. The first account made on a fresh install becomes a facilitator."""
    name = " ".join(display_name.split())
    if not name or len(name) > 80 or not name.isprintable():
        raise AccountError("Please give a name of up to 80 characters.")
    if len(passphrase) < MIN_PASSPHRASE:
        raise AccountError(f"Please choose a passphrase of at least {MIN_PASSPHRASE} characters.")
    with store.transaction() as s:
        if s.scalar(select(Person.id).where(Person.name_key == _name_key(name))):
            raise AccountError("That name is taken here. Add an initial, or sign in instead.")
        first = s.scalar(select(func.count(Person.id))) == 0
        person = Person(
            display_name=name,
            name_key=_name_key(name),
            passphrase_hash=hash_passphrase(passphrase),
            is_facilitator=first,
        )
        s.add(person)
        s.flush()
        return _view(person)


def recent_failures(store: Store, kind: str, key: str) -> int:
    since = utcnow() - FAILURE_WINDOW
    with store.transaction() as s:
        return (
            s.scalar(
                select(func.count(Attempt.id)).where(
                    Attempt.kind == kind, Attempt.key == key, Attempt.at >= since
                )
            )
            or 0
        )


def record_failure(store: Store, kind: str, key: str) -> None:
    with store.transaction() as s:
        s.add(Attempt(kind=kind, key=key[:120]))


def sign_in(store: Store, display_name: str, passphrase: str) -> PersonView:
    """Check a name and passphrase; repeated wrong tries for one name are refused for a while."""
    key = _name_key(display_name)
    if recent_failures(store, "signin", key) >= MAX_FAILURES:
        raise AccountError("Too many wrong tries for this name. Please wait ten minutes.")
    with store.transaction() as s:
        person = s.scalar(select(Person).where(Person.name_key == key))
        stored = person.passphrase_hash if person and person.passphrase_hash else _NO_ACCOUNT_HASH
        # Always run scrypt, so the time taken does not tell whether the name has an account.
        ok = check_passphrase(passphrase, stored) and stored is not _NO_ACCOUNT_HASH
        view = _view(person) if ok and person is not None else None
    if view is None:
        record_failure(store, "signin", key)
        raise AccountError("That name and passphrase do not match.")
    return view


def sign_in_oidc(
    store: Store, subject: str, name: str, email: str | None, email_verified: bool = False
) -> PersonView:
    """Find or make the account of someone the deployment's login (``st.login``) vouches for.

    The facilitator role comes from the settings' list of emails, and only for an email the identity
    provider says it has verified: anyone can type an unverified address into some providers.
    """
    listed = bool(email and email.lower() in store.settings.facilitator_emails)
    facilitator = listed and email_verified is True
    with store.transaction() as s:
        person = s.scalar(select(Person).where(Person.oidc_subject == subject))
        if person is None:
            base = " ".join((name or email or "Colleague").split())[:70]
            person = Person(display_name=base, name_key=f"oidc:{subject}"[:80], oidc_subject=subject)
            s.add(person)
        person.is_facilitator = person.is_facilitator or facilitator
        s.flush()
        return _view(person)


def get_person(store: Store, person_id: int) -> PersonView | None:
    with store.transaction() as s:
        person = s.get(Person, person_id)
        return _view(person) if person else None


def set_facilitator(store: Store, granted_by: int, person_id: int, value: bool = True) -> None:
    """Only a facilitator can make someone else a facilitator."""
    with store.transaction() as s:
        granter = s.get(Person, granted_by)
        if not granter or not granter.is_facilitator:
            raise AccountError("Only a facilitator can do that.")
        person = s.get(Person, person_id)
        if person is None:
            raise AccountError("No such account.")
        person.is_facilitator = value


def list_people(store: Store) -> list[PersonView]:
    with store.transaction() as s:
        return [_view(p) for p in s.scalars(select(Person).order_by(Person.display_name))]


def _serializer(store: Store) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(store.settings.secret_key(), salt="verp-sign-in")


def issue_token(store: Store, person: PersonView) -> str:
    """A signed token that keeps a browser signed in across refreshes for a working day."""
    return _serializer(store).dumps({"p": person.id})


def person_from_token(store: Store, token: str, max_age_s: int = TOKEN_MAX_AGE_S) -> PersonView | None:
    try:
        data = _serializer(store).loads(token, max_age=max_age_s)
    except BadSignature:
        return None
    return get_person(store, int(data.get("p", 0)))
