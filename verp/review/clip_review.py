"""What the Review page shows of one clip, read together.

The page shows a clip's moments, its consent record, the workshops it is shared with and any of them
its delete-by date would miss. Each has its own function for the pages that need one; the Review page
asks for all of them on every run, so here they come from one transaction with one check that the clip
is the reader's (four transactions and three checks before), and agree with each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from verp.core.store import Store
from verp.review.clips import owned_clip
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
        clip = owned_clip(s, owner_id, clip_id)
        record, clashes = consent_and_clashes(store, s, clip)
        return ClipReview(moments_of(store, s, clip_id), record, shares_of(s, owner_id, clip_id), clashes)
