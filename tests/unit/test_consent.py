"""A consent record that protects children: who agreed, other adults, no child without consent in shot."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from tests.support.review import add_consent, add_test_clip, add_workshop, cut_moment
from verp.core.errors import VerpError
from verp.core.models import Consent, today
from verp.review import consent, sharing

COMPLETE = dict(
    filmed_group="Year 2 phonics group",
    basis="parental_consent",
    recorded_by="Office, signed forms",
    consent_date=today(),
    children_agreement="agreed",
    no_child_without_consent=True,
)


@pytest.fixture
def clip(store, teacher, tmp_path):
    return add_test_clip(store, teacher.id, tmp_path)


def test_a_complete_record_keeps_who_agreed_other_adults_and_the_assessment(store, teacher, clip):
    consent.record_consent(
        store,
        teacher.id,
        clip.id,
        **COMPLETE,
        other_adults="Teaching assistant",
        other_adults_agreed=True,
        dpia_reference="DPIA-2026-07 (video for staff development)",
    )
    kept = consent.get_consent(store, teacher.id, clip.id)
    assert (kept.children_agreement, kept.other_adults, kept.other_adults_agreed) == (
        "agreed",
        "Teaching assistant",
        True,
    )
    assert kept.no_child_without_consent and kept.dpia_reference.startswith("DPIA-2026-07")
    assert not kept.needs_review


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"basis": "no_identifiable"}, "basis"),
        ({"children_agreement": None}, "children agreed"),
        ({"no_child_without_consent": False}, "no child without consent"),
        ({"other_adults": "Mr Lee (TA)"}, "Other adults in the frame must agree"),
        ({"dpia_reference": "x" * 201}, "under 200 characters"),
    ],
)
def test_an_incomplete_record_is_refused_with_a_plain_message(store, teacher, clip, change, words):
    with pytest.raises(consent.ConsentError, match=words):
        consent.record_consent(store, teacher.id, clip.id, **{**COMPLETE, **change})
    assert consent.get_consent(store, teacher.id, clip.id) is None


def test_no_child_can_be_identified_is_no_longer_offered():
    assert "no_identifiable" not in consent.BASES
    assert all("backs only" not in label for label in consent.BASES.values())


def test_an_old_backs_only_record_keeps_its_data_but_needs_review_before_sharing(store, teacher, clip):
    add_consent(store, teacher.id, clip.id)
    with store.transaction() as s:
        s.execute(update(Consent).values(basis="no_identifiable", children_agreement=None))
    moment = cut_moment(store, teacher.id, clip.id, "Waiting", 1.0, 3.0)
    add_workshop(store, teacher.id)

    kept = consent.get_consent(store, teacher.id, clip.id)
    assert (
        kept.needs_review and kept.basis == "no_identifiable" and kept.filmed_group == "Year 3 reading group"
    )
    assert "voice" in kept.review_reason
    with pytest.raises(VerpError, match="complete this clip.s consent record"):
        sharing.share_moment(store, teacher.id, moment.id, "ABCD23")

    consent.record_consent(store, teacher.id, clip.id, **COMPLETE)
    assert sharing.share_moment(store, teacher.id, moment.id, "ABCD23")
