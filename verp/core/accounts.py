"""Signing in: display name + personal passphrase, hashed with argon2id; server-side sessions.

A colleague on the same school laptop must not be able to open someone else's clips, and a copied link
must never become someone's identity. Guessing is slowed per name *and* client (see ``limits``), so a
stranger who knows a colleague's name from the projector cannot lock them out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from verp.core import audit, limits
from verp.core.config import Settings, load_settings
from verp.core.errors import VerpError
from verp.core.limits import Limit, LimitReached
from verp.core.models import Person
from verp.core.store import Store
from verp.core.text import JOINERS, clean_text

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1  # the former scheme: still checked, replaced on sign-in
MIN_PASSPHRASE = 8
MAX_FAILURES = 5  # wrong passphrases per name and client in the window
MAX_FAILURES_PER_CLIENT = 30  # wrong passphrases per client over all names: slows a name sprayer
FAILURE_WINDOW = limits.WINDOW
MAX_SIGNUPS = 20  # accounts made per client per hour (a staff room sharing one address signs up at once)
MAX_TAKEN = 5  # "That name is taken" answers per client in the window: names are not for listing
SIGNUP_WINDOW = timedelta(hours=1)
WAIT = "Too many tries from this device. Please wait ten minutes, then try again."


class AccountError(VerpError):
    """A sign-in problem, worded for the person at the screen."""


@dataclass(frozen=True)
class PersonView:
    id: int
    display_name: str
    is_facilitator: bool
    is_admin: bool = False


@lru_cache(maxsize=4)
def _hasher(memory_kib: int, time_cost: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)


def _hasher_for(settings: Settings | None) -> PasswordHasher:
    settings = settings or load_settings()
    return _hasher(settings.passphrase_memory_kib, settings.passphrase_time_cost)


def hash_passphrase(passphrase: str, settings: Settings | None = None) -> str:
    """An argon2id hash at the cost the settings name (OWASP's guidance by default)."""
    return _hasher_for(settings).hash(passphrase)


def scrypt_hash(passphrase: str) -> str:
    """The former scheme, kept so tests can make an account as it was stored before argon2id."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(passphrase.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    encoded = base64.b64encode(salt + digest).decode()
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${encoded}"


def _check_scrypt(passphrase: str, stored: str) -> bool:
    try:
        _, n, r, p, encoded = stored.split("$")
        raw = base64.b64decode(encoded)
    except ValueError:
        return False
    salt, digest = raw[:16], raw[16:]
    candidate = hashlib.scrypt(
        passphrase.encode(), salt=salt, n=int(n), r=int(r), p=int(p), dklen=len(digest), maxmem=64 << 20
    )
    return hmac.compare_digest(candidate, digest)


def check_passphrase(passphrase: str, stored: str, settings: Settings | None = None) -> bool:
    if stored.startswith("scrypt$"):
        return _check_scrypt(passphrase, stored)
    try:
        return _hasher_for(settings).verify(stored, passphrase)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str, settings: Settings | None = None) -> bool:
    """True for a hash made by the former scheme or at another cost than the settings now name."""
    return stored.startswith("scrypt$") or _hasher_for(settings).check_needs_rehash(stored)


@lru_cache(maxsize=4)
def _no_account_hash(memory_kib: int, time_cost: int) -> str:
    """A hash checked for names without an account, so the time taken tells nothing."""
    return _hasher(memory_kib, time_cost).hash(os.urandom(16).hex())


def _name_key(display_name: str) -> str:
    """How names are told apart: not by case, spacing or an invisible joiner (a name with one slipped in
    reads the same on screen as the name without)."""
    cleaned = clean_text(display_name, None, one_line=True)
    return "".join(ch for ch in cleaned if ch not in JOINERS).casefold()


def person_view(person: Person) -> PersonView:
    """What the pages know of a person (never their passphrase hash)."""
    return PersonView(person.id, person.display_name, person.is_facilitator, bool(person.is_admin))


def create_person(store: Store, display_name: str, passphrase: str, client: str | None = None) -> PersonView:
    """Make an account. The first account made on a fresh install becomes a facilitator.

    From a ``client`` (the Sign in page always names one), sign-ups and "That name is taken" answers are
    throttled, so the page can neither make accounts in bulk nor list who has one.
    """
    name = clean_text(display_name, None, one_line=True)
    if not name or len(name) > 80:
        raise AccountError("Please give a name of up to 80 characters.")
    if len(passphrase) < MIN_PASSPHRASE:
        raise AccountError(f"Please choose a passphrase of at least {MIN_PASSPHRASE} characters.")
    taken_try = _throttle_signup(store, client)
    hashed = hash_passphrase(passphrase, store.settings)
    with store.transaction() as s:
        taken = s.scalar(select(Person.id).where(Person.name_key == _name_key(name)))
        if not taken:
            first = s.scalar(select(func.count(Person.id))) == 0
            person = Person(
                display_name=name, name_key=_name_key(name), passphrase_hash=hashed, is_facilitator=first
            )
            s.add(person)
            s.flush()
            view = person_view(person)
    if taken:
        raise AccountError("That name is taken here. Add an initial, or sign in instead.")
    limits.forgive(store, taken_try)
    return view


def _throttle_signup(store: Store, client: str | None) -> list[int]:
    """Count a sign-up (kept) and a possible "taken" answer (forgiven when the name was free)."""
    if client is None:
        return []
    try:
        limits.begin_try(store, [Limit("signup", client, MAX_SIGNUPS, SIGNUP_WINDOW)])
        return limits.begin_try(store, [Limit("taken", client, MAX_TAKEN)])
    except LimitReached:
        raise AccountError(WAIT) from None


def sign_in(
    store: Store, display_name: str, passphrase: str, client: str = limits.UNKNOWN_CLIENT
) -> PersonView:
    """Check a name and passphrase. Wrong tries are counted before the check, per name and client."""
    key = _name_key(display_name)
    tries = [
        Limit("signin", f"{client}|{key}", MAX_FAILURES),
        Limit("signin-client", client, MAX_FAILURES_PER_CLIENT),
    ]
    try:
        counted = limits.begin_try(store, tries)
    except LimitReached:
        raise AccountError(WAIT) from None
    with store.transaction() as s:
        person = s.scalar(select(Person).where(Person.name_key == key))
        stored = person.passphrase_hash if person and person.passphrase_hash else None
        view = person_view(person) if person else None
    settings = store.settings
    # Always check a hash, so the time taken does not tell whether the name has an account.
    dummy = _no_account_hash(settings.passphrase_memory_kib, settings.passphrase_time_cost)
    ok = check_passphrase(passphrase, stored or dummy, settings) and stored is not None
    if not ok or view is None or stored is None:
        raise AccountError("That name and passphrase do not match.")
    limits.forgive(store, counted)
    if needs_rehash(stored, settings):
        _rehash(store, view.id, stored, passphrase)
    return view


def _rehash(store: Store, person_id: int, old: str, passphrase: str) -> None:
    """Store the passphrase again at today's cost (only if nobody changed it meanwhile)."""
    fresh = hash_passphrase(passphrase, store.settings)
    with store.transaction() as s:
        person = s.get(Person, person_id)
        if person is not None and person.passphrase_hash == old:
            person.passphrase_hash = fresh


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
        return person_view(person)


def get_person(store: Store, person_id: int) -> PersonView | None:
    with store.transaction() as s:
        person = s.get(Person, person_id)
        return person_view(person) if person else None


def set_facilitator(store: Store, granted_by: int, person_id: int, value: bool = True) -> None:
    """A facilitator (or an administrator) can make someone a facilitator; only an administrator can
    remove the role. Both are written to the audit log."""
    with store.transaction() as s:
        granter = s.get(Person, granted_by)
        if not granter or not (granter.is_facilitator or granter.is_admin):
            raise AccountError("Only a facilitator can do that.")
        if not value and not granter.is_admin:
            raise AccountError("Only an administrator can remove the facilitator role.")
        person = s.get(Person, person_id)
        if person is None:
            raise AccountError("No such account.")
        if person.is_facilitator != value:
            person.is_facilitator = value
            action = "grant_facilitator" if value else "remove_facilitator"
            audit.record(s, audit.actor_of(granted_by), action, f"person:{person_id}")


def grant_admin(store: Store, display_name: str, actor: str = "command line") -> PersonView:
    """Make the account with this name an administrator (from the server's command line only)."""
    with store.transaction() as s:
        person = s.scalar(select(Person).where(Person.name_key == _name_key(display_name)))
        if person is None:
            raise AccountError(f"There is no account named {display_name!r}.")
        person.is_admin = True
        audit.record(s, actor, "grant_admin", f"person:{person.id}")
        return person_view(person)


def list_people(store: Store) -> list[PersonView]:
    with store.transaction() as s:
        return [person_view(p) for p in s.scalars(select(Person).order_by(Person.display_name))]
