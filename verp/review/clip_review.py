"""What the Review page shows of one clip, read together.

The page shows a clip's moments, its consent record, the workshops it is shared with and any of them
its delete-by date would miss. Each has its own function for the pages that need one; the Review page
asks for all of them on every run, so here they come together, with one check that the clip is the
reader's (none when the page has just read it from the reader's own clips).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from verp.core.models import Clip
from verp.core.store import Store
from verp.review.clips import ClipView, owned_clip
from verp.review.consent import ConsentView, DeleteByClash, clashes_with, consent_of
from verp.review.moments import MomentView, moments_of
from verp.review.sharing import ShareView, shares_of


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


def _review(store: Store, s: Session | Connection, clip: Clip | ClipView) -> ClipReview:
    """Four reads: the consent record, the moments (their details are read when one is opened:
    ``moments.with_details``), and the shares, from which the delete-by clashes are worked out."""
    record, shares = consent_of(s, clip.id), shares_of(s, clip.owner_id, clip.id)
    clashes = clashes_with(store, clip, record.delete_by, open_workshops(shares)) if record else []
    return ClipReview(moments_of(store, s, clip.id, details=False), record, shares, clashes)


def open_workshops(shares: list[ShareView]) -> list[tuple[int, str, date]]:
    """The workshops not yet closed that a share still in place shows the clip in: id, title and date,
    each once, in date order."""
    showing = {
        (s.workshop_id, s.workshop_title, s.workshop_held_on)
        for s in shares
        if s.active and s.workshop_status != "closed"
    }
    return sorted(showing, key=lambda w: (w[2], w[0]))
