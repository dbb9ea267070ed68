"""What the Review page shows of one clip, read together.

The page shows a clip's moments, its consent record, the workshops it is shared with and any of them
its delete-by date would miss. Each has its own function for the pages that need one; the Review page
asks for all of them on every run, so here they come from one transaction with one check that the clip
is the reader's (four transactions and three checks before), and agree with each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from verp.core.models import Clip
from verp.core.store import Store
from verp.review.clips import ClipView, owned_clip
from verp.review.consent import ConsentView, DeleteByClash, consent_and_clashes
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
    run): its ownership is not asked again."""
    with store.transaction() as s:
        return _review(store, s, clip)


def _review(store: Store, s: Session, clip: Clip | ClipView) -> ClipReview:
    record, clashes = consent_and_clashes(store, s, clip)
    moments = moments_of(store, s, clip.id)
    return ClipReview(moments, record, shares_of(s, clip.owner_id, clip.id), clashes)
