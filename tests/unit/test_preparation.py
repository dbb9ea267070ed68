"""The facilitator's preparation notes: kept per moment, private, never on the projector or exported."""

import pytest

from tests.support.workshop import make_workshop, share_moment
from verp.core.errors import VerpError
from verp.records import export, summary
from verp.review import sharing
from verp.workshop import preparation, workshops

SECRET = "Ask Ben about the noise first"


def test_notes_and_the_prepared_mark_are_kept_per_moment(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    share_id, moment_id = share_moment(store, colleague.id, w.id, "Circle time")
    preparation.save_preparation(store, teacher.id, w.id, moment_id, SECRET, True)
    preparation.save_preparation(store, teacher.id, w.id, moment_id, SECRET + "!", True)
    [kept] = preparation.preparations(store, teacher.id, w.id).values()
    assert (kept.moment_id, kept.note, kept.with_participant) == (moment_id, SECRET + "!", True)
    result = summary.workshop_summary(store, w.id)
    everything = export.summary_markdown(result, include_ratings=True, include_authors=True)
    assert SECRET not in everything and SECRET not in export.reflections_csv(result).decode()
    assert not any(SECRET in p for s in workshops.steps(store, w.id) for p in (s.title, *s.prompts))
    sharing.withdraw_share(store, colleague.id, share_id)
    assert preparation.preparations(store, teacher.id, w.id) == {}
    with pytest.raises(VerpError, match="no longer shared"):
        preparation.save_preparation(store, teacher.id, w.id, moment_id, "more", False)


def test_only_the_workshops_facilitator_prepares(store, teacher, colleague):
    w = make_workshop(store, teacher.id)
    _, moment_id = share_moment(store, colleague.id, w.id)
    with pytest.raises(VerpError):
        preparation.save_preparation(store, colleague.id, w.id, moment_id, "mine", False)
    with pytest.raises(VerpError):
        preparation.preparations(store, colleague.id, w.id)
