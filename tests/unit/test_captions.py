"""Timed captions: typed as lines, checked, kept with the moment, shown as WebVTT, summarised by consent."""

from __future__ import annotations

import pytest

from tests.support.review import add_consent, add_test_clip, add_workshop, cut_moment
from verp.core.errors import NotYours
from verp.core.models import today
from verp.records import summary
from verp.review import captions, consent, sharing
from verp.review.captions import Caption, CaptionError


@pytest.fixture
def moment(store, teacher, tmp_path):
    clip = add_test_clip(store, teacher.id, tmp_path)
    return cut_moment(store, teacher.id, clip.id, "Waiting for Sam", 1.0, 3.0)


def test_lines_of_start_end_and_words_become_captions_in_time_order():
    typed = "0:01 1.8 Shall we?\n\n0.2 0,9   Look at this one\n"
    assert captions.parse_captions(typed, 2.0) == [
        Caption(0.2, 0.9, "Look at this one"),
        Caption(1.0, 1.8, "Shall we?"),
    ]


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("hello there", "Line 1: write a start time"),
        ("0.5 0.5 same time", "Line 1: the end time must come after"),
        ("0.1 0.4 fine\n3 4 too late", "Line 2: it starts after the moment ends"),
        ("0 1 " + "x" * 201, "Line 1: please keep one caption under 200"),
        ("\n".join("0 1 a" for _ in range(61)), "Please keep to 60 captions"),
    ],
)
def test_captions_that_cannot_be_read_say_which_line_and_why(typed, says):
    with pytest.raises(CaptionError, match=says):
        captions.parse_captions(typed, 2.0)


def test_webvtt_shows_the_words_as_text_and_moves_them_to_the_moment_in_the_video():
    vtt = captions.to_webvtt([Caption(0.5, 1.25, "<b>Sam</b> & me --> you")], offset_s=61.0)
    assert vtt.startswith("WEBVTT\n\n")
    assert "00:01:01.500 --> 00:01:02.250\n" in vtt
    assert "&lt;b&gt;Sam&lt;/b&gt; &amp; me" in vtt
    assert vtt.count("-->") == 1  # typed arrows cannot start a new cue


def test_an_owner_keeps_captions_with_the_moment_and_bad_lines_change_nothing(store, teacher, moment):
    captions.set_captions(store, teacher.id, moment.id, "0.2 1.0 Shall we?")
    with pytest.raises(CaptionError):
        captions.set_captions(store, teacher.id, moment.id, "0.2 1.0 Fine\nnot a caption")
    assert captions.captions_of(store, teacher.id, moment.id) == [Caption(0.2, 1.0, "Shall we?")]
    assert captions.shown_captions(store, moment.id) == [Caption(0.2, 1.0, "Shall we?")]


def test_only_the_owner_can_write_a_moments_captions(store, teacher, colleague, moment):
    with pytest.raises(NotYours):
        captions.set_captions(store, colleague.id, moment.id, "0 1 not mine")


@pytest.mark.parametrize("stills_ok", [True, False])
def test_the_summary_keeps_captions_only_where_consent_lets_stills_be_kept(store, teacher, moment, stills_ok):
    add_consent(store, teacher.id, moment.clip_id)
    record = consent.get_consent(store, teacher.id, moment.clip_id)
    consent.record_consent(
        store,
        teacher.id,
        moment.clip_id,
        filmed_group=record.filmed_group,
        basis=record.basis,
        recorded_by=record.recorded_by,
        consent_date=today(),
        children_agreement="agreed",
        no_child_without_consent=True,
        stills_in_exports=stills_ok,
    )
    workshop_id = add_workshop(store, teacher.id)
    sharing.share_moment(store, teacher.id, moment.id, "ABCD23")
    captions.set_captions(store, teacher.id, moment.id, "0.2 1.0 Shall we?")
    (line,) = summary.workshop_summary(store, workshop_id).moments
    assert line.captions == ("0:00.2–0:01.0 Shall we?" if stills_ok else "")
