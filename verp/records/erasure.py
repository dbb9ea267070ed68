"""Deleting a person's account and everything it owns, for good.

What goes: their clips (every file of them: originals, copies, cuts, stills), moments and shares, helping
questions and ratings, next steps, the workshops they facilitate (with those workshops' reflections and next
steps), their groups, one-to-ones and guider's log (see :func:`erase_interventions_of`), their failed
sign-in tries and their sign-in sessions. Reflections they sent in colleagues' workshops stay with that
workshop's record (the group's, kept for the records period) without a link to the account. The audit log
keeps one line, "account deleted", naming only the account's number.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update

from verp.core import audit
from verp.core.errors import VerpError
from verp.core.models import (
    Attempt,
    Clip,
    GuiderLogEntry,
    GuiderLogShare,
    HelpingQuestion,
    Moment,
    NextStep,
    OneToOne,
    Person,
    Rating,
    SeriesGroup,
    Share,
    SupervisionNote,
    Workshop,
)
from verp.core.store import Store
from verp.records.retention import delete_workshop
from verp.review import clips, uploads
from verp.workshop import groups


class ErasureError(VerpError):
    """An account that cannot be deleted now, with the reason, worded for its owner."""


@dataclass(frozen=True)
class AccountContents:
    """What deleting an account removes, counted, so its owner can confirm knowing what goes."""

    display_name: str
    clips: int
    moments: int
    shares: int
    helping_questions: int
    ratings: int
    next_steps: int
    workshops: int  # workshops the person facilitates
    groups: int = 0  # groups the person facilitates
    one_to_ones: int = 0  # one-to-one interventions the person guides
    log_entries: int = 0  # the person's guider's log
    supervision_notes: int = 0  # notes the person wrote on others' log entries

    def lines(self) -> list[str]:
        """Each kind of thing that goes, in words; empty kinds left out."""
        counts = [
            (self.clips, "clip", "clips", "with every copy, cut and still"),
            (self.moments, "moment", "moments", ""),
            (self.shares, "share of a moment with a workshop", "shares of a moment with a workshop", ""),
            (self.helping_questions, "helping question", "helping questions", ""),
            (self.ratings, "rating", "ratings", ""),
            (self.next_steps, "next step", "next steps", ""),
            (
                self.workshops,
                "workshop you facilitate",
                "workshops you facilitate",
                "with its reflections and next steps",
            ),
            (self.groups, "group you facilitate", "groups you facilitate", ""),
            (
                self.one_to_ones,
                "one-to-one intervention you guide",
                "one-to-one interventions you guide",
                "(reviews and held clips included)",
            ),
            (self.log_entries, "entry in your guider's log", "entries in your guider's log", ""),
            (self.supervision_notes, "supervision note you wrote", "supervision notes you wrote", ""),
        ]
        return [
            f"{n} {one if n == 1 else many}{' ' + extra if extra else ''}"
            for n, one, many, extra in counts
            if n
        ]


def _count(s, query) -> int:
    return s.scalar(select(func.count()).select_from(query.subquery())) or 0


def what_goes(store: Store, person_id: int) -> AccountContents:
    """Count what deleting this account would remove."""
    with store.transaction() as s:
        person = s.get(Person, person_id)
        if person is None:
            raise ErasureError("This account has already been deleted.")
        moments = select(Moment.id).join(Clip, Clip.id == Moment.clip_id).where(Clip.owner_id == person_id)
        questions = select(HelpingQuestion.id).where(HelpingQuestion.person_id == person_id)
        return AccountContents(
            display_name=person.display_name,
            clips=_count(s, select(Clip.id).where(Clip.owner_id == person_id)),
            moments=_count(s, moments),
            shares=_count(s, select(Share.id).where(Share.moment_id.in_(moments))),
            helping_questions=_count(s, questions),
            ratings=_count(s, select(Rating.id).where(Rating.helping_question_id.in_(questions))),
            next_steps=_count(s, select(NextStep.id).where(NextStep.person_id == person_id)),
            workshops=_count(s, select(Workshop.id).where(Workshop.facilitator_id == person_id)),
            groups=_count(s, select(SeriesGroup.id).where(SeriesGroup.facilitator_id == person_id)),
            one_to_ones=_count(s, select(OneToOne.id).where(OneToOne.guider_id == person_id)),
            log_entries=_count(s, select(GuiderLogEntry.id).where(GuiderLogEntry.guider_id == person_id)),
            supervision_notes=_count(
                s, select(SupervisionNote.id).where(SupervisionNote.author_id == person_id)
            ),
        )


def delete_account(store: Store, person_id: int, confirm_name: str, actor: str | None = None) -> None:
    """Delete the account and everything it owns, once its owner has typed its name to confirm.

    Uploads begun and clips go first, each with its files and the workshops showing it redrawn; the rows
    follow in one unit of work, so a failure half-way leaves an account that can be deleted again, never
    a broken one.
    """
    contents = what_goes(store, person_id)
    if " ".join(confirm_name.split()).casefold() != " ".join(contents.display_name.split()).casefold():
        raise ErasureError("Type your name exactly as it is shown, to confirm that the account should go.")
    with store.transaction() as s:
        if s.scalar(
            select(Workshop.id).where(Workshop.facilitator_id == person_id, Workshop.status == "live")
        ):
            raise ErasureError("You are running a live workshop. Close it first, then delete your account.")
        clip_ids = list(s.scalars(select(Clip.id).where(Clip.owner_id == person_id)))
    uploads.discard_uploads_of(store, person_id)  # footage half-sent is theirs too
    for clip_id in clip_ids:
        try:
            clips.delete_clip(store, person_id, clip_id)
        except clips.ClipError:
            continue  # deleted meanwhile, in another tab or by the purge
    with store.transaction() as s:
        person = s.get(Person, person_id)
        if person is None:
            return
        for workshop_id in s.scalars(select(Workshop.id).where(Workshop.facilitator_id == person_id)).all():
            delete_workshop(s, workshop_id)
        s.execute(delete(NextStep).where(NextStep.person_id == person_id))
        erase_interventions_of(s, person_id)
        s.execute(delete(Attempt).where(Attempt.kind == "signin", Attempt.key == person.name_key))
        s.delete(person)  # helping questions and ratings go with it; sessions too
        who = audit.actor_of(person_id)
        audit.record(s, actor or who, "account_deleted", who)


def erase_interventions_of(s, person_id: int) -> None:
    """What a person owns in the whole-intervention tables: the groups they facilitate and their place in
    others, the one-to-ones they guide (the clips held for them went with their clips), their guider's
    log, the entries shared with them and the supervision notes they wrote. A one-to-one they took part
    in stays with its guider under its participant code, without the link to the account."""
    groups.erase_groups_of(s, person_id)
    s.execute(delete(OneToOne).where(OneToOne.guider_id == person_id))
    s.execute(update(OneToOne).where(OneToOne.participant_id == person_id).values(participant_id=None))
    s.execute(delete(SupervisionNote).where(SupervisionNote.author_id == person_id))
    s.execute(delete(GuiderLogShare).where(GuiderLogShare.supervisor_id == person_id))
    s.execute(delete(GuiderLogEntry).where(GuiderLogEntry.guider_id == person_id))


def person_named(store: Store, display_name: str) -> int | None:
    """The account with this name (compared as at sign-in: spaces and case do not matter)."""
    key = " ".join(display_name.split()).casefold()
    with store.transaction() as s:
        return s.scalar(select(Person.id).where(Person.name_key == key))
