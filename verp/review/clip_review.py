"""What the Review page shows of one clip, read together.

The page shows a clip's moments, its consent record, the workshops it is shared with and any of them
its delete-by date would miss. Each has its own function for the pages that need one; the Review page
asks for all of them on every run, so here they come together, with one check that the clip is the
reader's (none when the page has just read it from the reader's own clips).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, select
from sqlalchemy.orm import Session

from verp.core.models import Clip, Consent, Moment, Share, Workshop
from verp.core.store import Store
from verp.review.clips import ClipView, clip_view, owned_clip
from verp.review.consent import ConsentView, DeleteByClash, clashes_with, consent_view
from verp.review.moments import MomentView, listed
from verp.review.sharing import ShareView


@dataclass(frozen=True)
class ClipReview:
    moments: list[MomentView]
    consent: ConsentView | None
    shares: list[ShareView]
    clashes: list[DeleteByClash]

    @property
    def can_share(self) -> bool:
        """Sharing needs a complete consent record."""
        return self.consent is not None and not self.consent.needs_review


def clip_review(store: Store, owner_id: int, clip_id: str) -> ClipReview:
    """One of the owner's clips as Review shows it; someone else's is refused like a missing one."""
    with store.transaction() as s:
        return _review(store, s, owned_clip(s, owner_id, clip_id))


def review_of(store: Store, clip: ClipView) -> ClipReview:
    """:func:`clip_review` of a clip the page has just read from its owner's own list (Review, on every
    run): its ownership is not asked again, and its reads are plain rows on a reading connection."""
    with store.reading_connection() as connection:
        return _review(store, connection, clip)


def my_clips_and_review(
    store: Store, owner_id: int, chosen: str | None
) -> tuple[list[ClipView], ClipReview | None]:
    """Review's one read on each run: the owner's clips, newest first (those a guider keeps for a
    participant too), and the review of the one ``chosen`` (None when it is none of them: the page then
    chooses one and asks :func:`review_of`)."""
    with store.reading_connection() as c:
        rows = c.execute(_CLIPS_AND_REVIEW, {"owner_id": owner_id, "chosen": chosen}).all()
    rows_of: dict[str, list[Row]] = {}
    for row in rows:  # each clip's rows together: one, or the chosen clip's moments and shares
        rows_of.setdefault(row.the_clip_id, []).append(row)
    clips = [clip_view(store, _clip_columns(own[0])) for own in rows_of.values()]
    chosen_clip = next((clip for clip in clips if clip.id == chosen), None)
    if chosen_clip is None:
        return clips, None
    return clips, _review_of_rows(store, chosen_clip, rows_of[chosen_clip.id])


def _clip_columns(row: Row) -> SimpleNamespace:
    """The clip's own columns of a row of :data:`_CLIPS_AND_REVIEW` (its first ones, ``the_clip_...``)."""
    return SimpleNamespace(**dict(zip(_CLIP_NAMES, row[: len(_CLIP_NAMES)], strict=True)))


def _review(store: Store, s: Session | Connection, clip: Clip | ClipView) -> ClipReview:
    """One read: the clip's consent record and its moments with their shares (the moments' details are
    read when one is opened: ``moments.with_details``); the delete-by clashes are worked out from the
    shares."""
    return _review_of_rows(store, clip, s.execute(_REVIEW_ROWS, {"clip_id": clip.id}).all())


def _review_of_rows(store: Store, clip: Clip | ClipView, rows: Sequence[Row]) -> ClipReview:
    """The review from the clip's rows of :data:`_REVIEW_ROWS` (one at least: the clip's own)."""
    record = _consent(rows[0]) if rows else None
    moments = listed(store, list({r.id: r for r in rows if r.id is not None}.values()))  # each once, in order
    shares = sorted((_share(r) for r in rows if r.share_id is not None), key=lambda v: (v.shared_at, v.id))
    clashes = clashes_with(store, clip, record.delete_by, open_workshops(shares)) if record else []
    return ClipReview(moments, record, shares, clashes)


def _consent(row: Row) -> ConsentView | None:
    """The consent record carried (its columns named ``consent_...``) on each of the clip's rows."""
    if row.consent_id is None:
        return None
    return consent_view(SimpleNamespace(**{c.name: row._mapping[f"consent_{c.name}"] for c in _CONSENT.c}))


def _share(r: Row) -> ShareView:
    return ShareView(
        r.share_id,
        r.id,
        r.workshop_id,
        r.workshop_title,
        r.workshop_status,
        r.held_on,
        r.shared_at,
        r.withdrawn_at,
    )


# The clip's consent record, and its moments in clip order each with its shares: one row for each share
# (a moment shared nowhere: one row, its share columns empty; a clip with no moments: one row, the
# consent's columns only), the consent's columns on every row. One statement built once for Review's
# every run.
_CONSENT, _CLIP = Consent.__table__, Clip.__table__
_REVIEW_COLUMNS: tuple[Any, ...] = (
    *(column.label(f"consent_{column.name}") for column in _CONSENT.c),
    Moment.__table__,
    Share.id.label("share_id"),
    Share.workshop_id,
    Workshop.title.label("workshop_title"),
    Workshop.status.label("workshop_status"),
    Workshop.held_on,
    Share.shared_at,
    Share.withdrawn_at,
)
_REVIEW_ORDER = (Moment.start_s, Moment.id, Share.shared_at, Share.id)
_REVIEW_ROWS = (
    select(*_REVIEW_COLUMNS)
    .select_from(_CLIP)
    .outerjoin(_CONSENT, _CONSENT.c.clip_id == Clip.id)
    .outerjoin(Moment, Moment.clip_id == Clip.id)
    .outerjoin(Share, Share.moment_id == Moment.id)
    .outerjoin(Workshop, Workshop.id == Share.workshop_id)
    .where(Clip.id == bindparam("clip_id"))
    .order_by(*_REVIEW_ORDER)
)
# Every clip of the owner with its own columns (``the_clip_...``: a moment has an ``id`` and a ``clip_id``
# of its own), and only for the chosen one the review's columns as above (the others: one row each,
# those columns empty). Newest clip first, as ``clips.list_clips``.
_CLIP_NAMES = tuple(column.name for column in _CLIP.c)
_CLIPS_AND_REVIEW = (
    select(*(column.label(f"the_clip_{column.name}") for column in _CLIP.c), *_REVIEW_COLUMNS)
    .select_from(_CLIP)
    .outerjoin(_CONSENT, and_(_CONSENT.c.clip_id == Clip.id, Clip.id == bindparam("chosen")))
    .outerjoin(Moment, and_(Moment.clip_id == Clip.id, Clip.id == bindparam("chosen")))
    .outerjoin(Share, Share.moment_id == Moment.id)
    .outerjoin(Workshop, Workshop.id == Share.workshop_id)
    .where(Clip.owner_id == bindparam("owner_id"))
    .order_by(Clip.created_at.desc(), Clip.id, *_REVIEW_ORDER)
)


def open_workshops(shares: list[ShareView]) -> list[tuple[int, str, date]]:
    """The workshops not yet closed that a share still in place shows the clip in: id, title and date,
    each once, in date order."""
    showing = {
        (s.workshop_id, s.workshop_title, s.workshop_held_on)
        for s in shares
        if s.active and s.workshop_status != "closed"
    }
    return sorted(showing, key=lambda w: (w[2], w[0]))
