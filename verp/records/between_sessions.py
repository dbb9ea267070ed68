"""Between sessions: a one-page "until we meet again" sheet and a calendar file for each participant.

The sheet carries the person's helping question, their next step, when to film and how long a clip to
bring; the calendar file (iCalendar, made with the ``icalendar`` library) holds the next session and a
filming reminder a few days before it. Both are text only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from icalendar import Alarm, Calendar, Event

from verp.core.models import today, utcnow
from verp.core.store import Store
from verp.records.export import _Document
from verp.workshop import groups, one_to_one

FILM_DAYS_BEFORE = 3  # film at least this many days before the session, to have time to choose moments
CLIP_ADVICE = (
    "Film 5 to 10 minutes of an ordinary moment with the children, on an ordinary day. Before we meet, "
    "choose up to three short moments of about 10 seconds where something is working."
)
UNPLANNED = "The date is still to be agreed."


@dataclass(frozen=True)
class BetweenSheet:
    """What one participant takes away until the next session."""

    heading: str  # the group's name, or "One-to-one review"
    who: str  # the person's name, or the participant code for a parent or carer without an account
    helping_question: str
    next_step: str
    next_session: str  # "Session 2" / "Review 1"
    next_on: date | None

    @property
    def film_by(self) -> date | None:
        return self.next_on - timedelta(days=FILM_DAYS_BEFORE) if self.next_on else None

    @property
    def when_to_film(self) -> str:
        if self.film_by is None:
            return "Film in the next few weeks, once the next session's date is agreed."
        if self.film_by <= today():
            return f"Film as soon as you can: the next session is on {self.next_on:%A %d %B %Y}."
        return f"Film between now and {self.film_by:%A %d %B %Y}, a few days before we meet."


def group_sheets(store: Store, person_id: int, name: str) -> list[BetweenSheet]:
    """One sheet per group the person belongs to that still has a session to come."""
    return [
        BetweenSheet(
            g.group_name, name, g.helping_question, g.next_step, f"Session {g.next_number}", g.next_on
        )
        for g in groups.my_series(store, person_id)
        if g.next_number is not None
    ]


def one_to_one_sheet(store: Store, person_id: int, one_to_one_id: int) -> BetweenSheet:
    """The sheet of a one-to-one, for its guider (to print for a parent) or its participant."""
    view = one_to_one.get_one_to_one(store, person_id, one_to_one_id)
    return BetweenSheet(
        "One-to-one review",
        view.participant_code,
        view.helping_question,
        view.latest_next_step,
        f"Review {view.current_cycle}",
        view.next_review_on,
    )


def sheet_pdf(sheet: BetweenSheet) -> bytes:
    """One A4 page: until we meet again."""
    doc = _Document(f"Until we meet again · {sheet.who}")
    doc.heading("Until we meet again", 0)
    doc.para(f"{sheet.heading} · {sheet.who}", grey=60)
    doc.heading("My helping question")
    doc.para(sheet.helping_question or "Not written yet: we will write it together.")
    doc.heading("My next step")
    doc.para(sheet.next_step or "Not set yet.")
    doc.heading("Next time we meet")
    when = f"{sheet.next_on:%A %d %B %Y}" if sheet.next_on else UNPLANNED
    doc.para(f"{sheet.next_session}: {when}")
    doc.heading("When to film")
    doc.para(sheet.when_to_film)
    doc.heading("How long a clip")
    doc.para(CLIP_ADVICE)
    return bytes(doc.output())


def _all_day(summary: str, on: date, uid: str, description: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", utcnow())
    event.add("summary", summary)
    event.add("dtstart", on)
    event.add("dtend", on + timedelta(days=1))
    event.add("description", description)
    return event


def calendar_ics(sheet: BetweenSheet, uid_prefix: str) -> bytes:
    """The next session and a filming reminder, as an iCalendar file any calendar app imports."""
    cal = Calendar()
    cal.add("prodid", "-//VERP Workshop//Between sessions//EN")
    cal.add("version", "2.0")
    if sheet.next_on:
        cal.add_component(
            _all_day(
                f"VERP: {sheet.next_session} ({sheet.heading})",
                sheet.next_on,
                f"{uid_prefix}-session@verp",
                f"Helping question: {sheet.helping_question}\nNext step: {sheet.next_step}",
            )
        )
    film_on = max(sheet.film_by or today() + timedelta(days=7), today())
    reminder = _all_day(
        "VERP: film a few minutes for the next session",
        film_on,
        f"{uid_prefix}-film@verp",
        f"{sheet.when_to_film}\n{CLIP_ADVICE}",
    )
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", "Film a few minutes for your next VERP session")
    alarm.add("trigger", timedelta(hours=9))  # 9 am on the day
    reminder.add_component(alarm)
    cal.add_component(reminder)
    return cal.to_ical()
