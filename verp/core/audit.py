"""A plain record of who did what to whose video: uploads, shares, withdrawals, projections, links,
moderation, downloads, roles and deletions.

Written inside the same unit of work as the change it describes, so the record and the change commit
together or not at all. Rows are only ever added. Each row names the workshop it belongs to, so a
facilitator reads their own workshops' entries and their own actions; an administrator reads all.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from verp.core.errors import VerpError
from verp.core.models import AuditEvent, Person, Workshop
from verp.core.store import Store
from verp.core.text import whole_number

PERSON_PREFIX = "person:"
_WORKSHOP = re.compile(r"workshop:(\d+)")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHOWN_ROWS = 100  # the newest entries on the page: what a person reads on a screen
DOWNLOAD_ROWS = 10_000  # the newest entries in the download: the rest of the log, for a spreadsheet


class AuditError(VerpError):
    """Someone asked for the audit log who may not see it."""


@dataclass(frozen=True)
class AuditView:
    at: datetime
    actor: str  # as recorded: ``person:<id>`` or a job's name such as ``retention``
    actor_name: str  # for reading: the person's current display name, when the actor is a person
    action: str
    subject: str
    detail: str
    workshop_id: int | None = None


def actor_of(person_id: int) -> str:
    """How a signed-in person is named in the audit trail (an id, never a name that may change)."""
    return f"{PERSON_PREFIX}{person_id}"


def record(
    session: Session, actor: str, action: str, subject: str, detail: str = "", workshop_id: int | None = None
) -> None:
    """Add one audit row to the open unit of work ``session``.

    The workshop, when not given, is the one the subject or detail names (``workshop:<id>``).
    """
    if workshop_id is None:
        found = _WORKSHOP.search(subject) or _WORKSHOP.search(detail)
        workshop_id = int(found.group(1)) if found else None
    session.add(
        AuditEvent(
            actor=actor[:120],
            action=action[:40],
            subject=subject[:200],
            detail=detail,
            workshop_id=workshop_id,
        )
    )


# The page reads the newest entries on every run: statements built once, run on a plain connection.
_EVENT, _PERSON, _WORKSHOP_ROW = AuditEvent.__table__.c, Person.__table__.c, Workshop.__table__.c
_NEWEST = (
    select(_EVENT.at, _EVENT.actor, _EVENT.action, _EVENT.subject, _EVENT.detail, _EVENT.workshop_id)
    .order_by(_EVENT.at.desc(), _EVENT.id.desc())
    .limit(bindparam("limit"))
)
_NEWEST_SEEN_BY = _NEWEST.where(
    or_(
        _EVENT.workshop_id.in_(
            select(_WORKSHOP_ROW.id).where(_WORKSHOP_ROW.facilitator_id == bindparam("viewer"))
        ),
        _EVENT.actor == bindparam("viewer_actor"),
    )
)
_NAMES = select(_PERSON.id, _PERSON.display_name).where(_PERSON.id.in_(bindparam("ids", expanding=True)))
_ROLES = select(_PERSON.is_facilitator, _PERSON.is_admin).where(_PERSON.id == bindparam("viewer"))


def recent_events(store: Store, limit: int = 200, visible_to: int | None = None) -> list[AuditView]:
    """The newest entries first, with people's current names beside their ids.

    With ``visible_to`` (a facilitator's id), only the entries of the workshops they facilitate and
    their own actions.
    """
    with store.reading_connection() as c:
        if visible_to is None:
            rows = c.execute(_NEWEST, {"limit": limit}).all()
        else:
            seen_by = {"limit": limit, "viewer": visible_to, "viewer_actor": actor_of(visible_to)}
            rows = c.execute(_NEWEST_SEEN_BY, seen_by).all()
        person_ids = {actor: _person_id(actor) for actor in {row.actor for row in rows}}
        ids = sorted({i for i in person_ids.values() if i is not None})
        names = {i: name for i, name in c.execute(_NAMES, {"ids": ids})} if ids else {}
    shown = {actor: _name(actor, person_id, names) for actor, person_id in person_ids.items()}
    return [
        AuditView(at, actor, shown[actor], action, subject, detail, workshop_id)
        for at, actor, action, subject, detail, workshop_id in rows
    ]


def _person_id(actor: str) -> int | None:
    rest = actor[len(PERSON_PREFIX) :] if actor.startswith(PERSON_PREFIX) else ""
    return whole_number(rest)


def _name(actor: str, person_id: int | None, names: dict[int, str]) -> str:
    if person_id is None:
        return actor
    return names.get(person_id, f"a deleted account ({actor})")


def log_for(store: Store, viewer_id: int, limit: int = 200) -> list[AuditView]:
    """The audit log as ``viewer_id`` may read it: an administrator, all of it; a facilitator, the
    entries of the workshops they facilitate and their own actions; anyone else, nothing."""
    roles = store.first_row(_ROLES, {"viewer": viewer_id})
    if roles is None or not (roles.is_facilitator or roles.is_admin):
        raise AuditError("Only a facilitator can see the audit log.")
    everything = bool(roles.is_admin)
    return recent_events(store, limit, visible_to=None if everything else viewer_id)


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading apostrophe."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def log_csv(events: list[AuditView]) -> bytes:
    """The entries as CSV (UTF-8 with a byte-order mark, for spreadsheets), formulas defused: details
    and names can come from anyone who typed them."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["when (UTC)", "who", "did", "to what", "details", "workshop"])
    for e in events:
        cells = [e.actor_name, e.action, e.subject, e.detail]
        when = e.at.strftime("%Y-%m-%d %H:%M:%S")
        writer.writerow([when, *(safe_cell(c) for c in cells), e.workshop_id or ""])
    return out.getvalue().encode("utf-8-sig")


def log_download(store: Store, viewer_id: int) -> bytes:
    """The log as ``viewer_id`` may read it, as CSV, up to ``DOWNLOAD_ROWS`` entries: made when the
    download is asked for, so the page itself reads only the entries it shows."""
    return log_csv(log_for(store, viewer_id, limit=DOWNLOAD_ROWS))
