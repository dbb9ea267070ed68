"""A finished workshop built row by row through the ORM, for the summary and export tests.

It holds the awkward cases on purpose: hidden, withdrawn, pending and superseded reflections that must not
appear; a moment whose share was withdrawn; a reflection whose clip was deleted; and text with Unicode,
emoji, right-to-left script, newlines, quotes, commas and Markdown that tries to become a link.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from PIL import Image
from sqlalchemy import delete

from tests.support.apptest import open_sections
from verp.core.models import (
    Clip,
    Consent,
    FreezeFrame,
    HelpingQuestion,
    Moment,
    MomentTag,
    NextStep,
    Participant,
    Rating,
    Reflection,
    Share,
    Workshop,
    today,
)
from verp.core.store import Store
from verp.ui.summary_view import PARTS

TITLE = "Spring group: quieter pupils"
HELD_ON = date(2026, 3, 12)
TRICKY = 'She waited, then said "your turn" — ✨🎉 שלום עולם, مرحبا\nsecond line, with a comma'
INJECTION = (
    "[click me](https://evil.example/x) ![img](https://evil.example/i.png) <b>bold</b> # not a heading"
)
EMOJI_ONLY = "🙂👍"
NOT_SHOWN = ("HIDDEN-TEXT", "WITHDRAWN-TEXT", "PENDING-TEXT", "OLD-VERSION-TEXT", "WITHDRAWN-SHARE-TEXT")
T0 = datetime(2026, 3, 12, 9, 0)


@dataclass
class Built:
    workshop_id: int
    moment_allowed: int  # consent allows stills in exports
    moment_private: int  # consent does not
    still_allowed: str
    still_private: str
    shown_texts: tuple[str, ...]


def _jpeg(store: Store, name: str, shade: int) -> str:
    path = store.clip_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 48), (shade, shade, shade)).save(path, "JPEG")
    return name


def _clip(s, store: Store, owner_id: int, title: str, stills_ok: bool, shade: int) -> tuple[Clip, str]:
    clip = Clip(
        id=uuid.uuid4().hex, owner_id=owner_id, title=title, original_filename="a.mp4", stored_name="x/a.mp4"
    )
    s.add(clip)
    s.flush()
    s.add(
        Consent(
            clip_id=clip.id,
            filmed_group="Year 3",
            basis="parental_consent",
            recorded_by="Ana",
            consent_date=HELD_ON,
            children_agreement="agreed",
            no_child_without_consent=True,
            stills_in_exports=stills_ok,
            delete_by=today() + timedelta(days=60),  # still in date, whenever the tests run
        )
    )
    return clip, _jpeg(store, f"{clip.id}/still-1.jpg", shade)


def _moment(s, clip: Clip, still: str, title: str, note: str, share_note: bool, tags, workshop_id, pos):
    moment = Moment(clip_id=clip.id, title=title, start_s=1, end_s=9, note=note, share_note=share_note)
    s.add(moment)
    s.flush()
    s.add_all([MomentTag(moment_id=moment.id, principle_key=k) for k in tags])
    s.add(FreezeFrame(moment_id=moment.id, at_s=3.0, still_name=still))
    s.add(Share(moment_id=moment.id, workshop_id=workshop_id, position=pos, shared_at=T0 - timedelta(days=1)))
    return moment


def build_workshop(store: Store, facilitator_id: int, teacher_id: int) -> Built:
    """One closed workshop: the facilitator runs it, the teacher (and a phone joiner) take part."""
    with store.transaction() as s:
        w = Workshop(
            title=TITLE,
            held_on=HELD_ON,
            facilitator_id=facilitator_id,
            focus="encouraging,receiving",
            join_code=uuid.uuid4().hex[:8],
            status="closed",
        )
        s.add(w)
        s.flush()
        s.add(Participant(workshop_id=w.id, person_id=teacher_id, display_name="Ben C.", token="t1"))
        joiner = Participant(workshop_id=w.id, display_name="Chloé 🌟", token="t2")
        s.add(joiner)
        q = HelpingQuestion(person_id=teacher_id, cycle=1, text="How can I give quieter pupils, more turns?")
        s.add(q)
        s.flush()
        s.add(Rating(helping_question_id=q.id, cycle=1, score=4, workshop_id=w.id))
        s.add(
            HelpingQuestion(person_id=teacher_id, cycle=2, text="PRIVATE-QUESTION", active=True, shared=False)
        )

        clip_a, still_a = _clip(s, store, teacher_id, "Reading corner", True, 200)
        clip_b, still_b = _clip(s, store, teacher_id, "Maths table", False, 60)
        clip_gone, still_gone = _clip(s, store, teacher_id, "Gone", True, 120)
        m_a = _moment(
            s, clip_a, still_a, "Waiting for Sam", "I felt calm", True, ["receiving", "attentive"], w.id, 1
        )
        m_b = _moment(s, clip_b, still_b, "Counting together", "PRIVATE-NOTE", False, ["guiding"], w.id, 2)
        m_w = _moment(s, clip_b, still_b, "Withdrawn moment", "", False, [], w.id, 3)
        m_gone = _moment(s, clip_gone, still_gone, "Deleted moment title", "", False, ["attentive"], w.id, 4)
        s.flush()
        for share in s.query(Share).filter_by(moment_id=m_w.id):
            share.withdrawn_at = T0

        def add(text, principle=None, moment=None, status="approved", title="", **kw):
            r = Reflection(
                workshop_id=w.id,
                moment_id=moment.id if moment else None,
                moment_title=title or (moment.title if moment else ""),
                principle_key=principle,
                text=text,
                status=status,
                created_at=T0 + timedelta(minutes=add.n),
                **kw,
            )
            add.n += 1
            s.add(r)
            s.flush()
            return r

        add.n = 0
        add(
            TRICKY,
            "receiving",
            m_a,
            author_name="Chloé 🌟",
            participant_id=joiner.id,
            prompt="What did you see?",
        )
        add(INJECTION, "receiving", m_a)
        add("A warm tone of voice", "encouraging", m_b, kind="wondering")
        add(EMOJI_ONLY, None, m_a)
        add("NA", "guiding", m_b)  # a word pandas would read as missing
        add("The pause gave everyone time", "attentive", m_gone)
        add("We enjoyed the whole session", None, None)
        old = add("OLD-VERSION-TEXT", "attentive", m_a)
        add("The new version of the text", "attentive", m_a, supersedes_id=old.id)
        pending_edit_of = add("Kept until the edit is approved", "guiding", m_a)
        add("PENDING-TEXT", "guiding", m_a, status="pending", supersedes_id=pending_edit_of.id)
        add("HIDDEN-TEXT", "receiving", m_a, status="hidden")
        add("WITHDRAWN-TEXT", "receiving", m_b, status="withdrawn")
        add("WITHDRAWN-SHARE-TEXT", "attentive", m_w)

        s.add(
            NextStep(
                workshop_id=w.id,
                person_id=teacher_id,
                participant_name="Ben C.",
                text="Wait 5 s,\nthen smile",
            )
        )
        s.add(NextStep(workshop_id=w.id, participant_name="Chloé 🌟", text="Name what I see"))
        shown = (
            TRICKY,
            INJECTION,
            "A warm tone of voice",
            EMOJI_ONLY,
            "NA",
            "We enjoyed the whole session",
            "The new version of the text",
            "Kept until the edit is approved",
        )
        built = Built(w.id, m_a.id, m_b.id, still_a, still_b, shown)
    with store.transaction() as s:  # the owner deletes a clip: its reflections are kept, never shown
        s.execute(delete(Clip).where(Clip.id == clip_gone.id))
    return built


@dataclass
class Scene:
    """A store holding the built workshop, with its facilitator and participating teacher."""

    store: Store
    built: Built
    facilitator_id: int
    teacher_id: int


def open_scene(folder) -> Scene:
    """A fresh store in ``folder`` with the workshop built once, for read-only tests to share."""
    from tests.support.database import test_database_url
    from verp.core.accounts import create_person
    from verp.core.config import load_settings

    settings = load_settings(
        {"VERP_DATA_DIR": str(folder / "data"), "VERP_DATABASE_URL": test_database_url(folder)}
    )
    store = Store.open(settings)
    ana = create_person(store, "Ana Teacher", "correct horse battery")
    ben = create_person(store, "Ben Colleague", "another long passphrase")
    return Scene(store, build_workshop(store, ana.id, ben.id), ana.id, ben.id)


def pass_delete_by(store: Store, moment_title: str) -> None:
    """Move the delete-by date of the clip holding ``moment_title`` to today: it is past keeping."""
    from sqlalchemy import select

    with store.transaction() as s:
        clip_id = s.scalar(select(Moment.clip_id).where(Moment.title == moment_title))
        s.scalar(select(Consent).where(Consent.clip_id == clip_id)).delete_by = today()
        s.get(Clip, clip_id).delete_by = today()


# The Summary page's parts, each drawn only while open (``verp.ui.sections``): their headings and keys.
SUMMARY_PART_LABELS = tuple(label for label, _ in PARTS.values())
SUMMARY_PARTS = tuple(key for _, key in PARTS.values())


def open_whole_summary(at):
    """The Summary page with every part of the summary open, as a facilitator reading all of it has it."""
    return open_sections(at, *SUMMARY_PARTS)
