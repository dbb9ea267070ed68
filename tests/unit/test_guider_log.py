"""The guider's log: entries from every shared review, supervision by invitation, text-only exports."""

import csv
import io
from datetime import timedelta

import pytest
from icalendar import Calendar

from tests.support.series import group_with_two_sessions, next_week
from verp.core.accounts import create_person
from verp.core.errors import NotYours
from verp.core.models import GuiderLogEntry, OneToOne, SeriesGroup, SupervisionNote, today
from verp.records import between_sessions, erasure, guider_log
from verp.workshop import one_to_one


def _two_reviews(store, teacher, colleague):
    group_with_two_sessions(store, teacher.id, colleague.id)
    review = one_to_one.start_one_to_one(store, teacher.id, "Parent A", "parent", 3)
    one_to_one.finish_review(
        store,
        teacher.id,
        review.id,
        1,
        words="He smiled",
        rating=5,
        next_step="Wait",
        principles=["attentive"],
    )
    return review


def test_every_shared_review_appears_with_codes_not_names(store, teacher, colleague):
    _two_reviews(store, teacher, colleague)
    entries = guider_log.my_log(store, teacher.id)
    kinds = sorted(e.kind for e in entries)
    assert kinds == ["group", "one_to_one"]  # the closed session 1 and the one-to-one; session 2 is not held
    group = next(e for e in entries if e.kind == "group")
    assert group.participant_codes == guider_log.participant_code(colleague.id)
    assert "Ben" not in group.participant_codes and group.cycle == 1
    vig = next(e for e in entries if e.kind == "one_to_one")
    assert (vig.participant_codes, vig.cycle, vig.principles) == ("Parent A", 1, ("Being attentive",))
    assert vig.duration_min >= 1
    assert len(guider_log.my_log(store, teacher.id)) == 2  # asking again adds nothing


def test_a_supervisor_reads_and_notes_only_what_is_shared_with_them(store, teacher, colleague):
    _two_reviews(store, teacher, colleague)
    entry = guider_log.my_log(store, teacher.id)[0]
    supervisor = create_person(store, "Sue Supervisor", "supervising passphrase")
    assert guider_log.shared_with_me(store, supervisor.id) == []
    with pytest.raises(NotYours):
        guider_log.add_note(store, supervisor.id, entry.id, "Lovely attunement")
    guider_log.reflect(store, teacher.id, entry.id, "I talked too soon", ["receiving"])
    guider_log.share_entry(store, teacher.id, entry.id, supervisor.id)
    (seen,) = guider_log.shared_with_me(store, supervisor.id)
    assert seen.reflection == "I talked too soon" and seen.applied_principles == ("receiving",)
    guider_log.add_note(store, supervisor.id, entry.id, "Notice your own pause")
    mine = next(e for e in guider_log.my_log(store, teacher.id) if e.id == entry.id)
    assert [(n.author, n.text) for n in mine.notes] == [("Sue Supervisor", "Notice your own pause")]
    with pytest.raises(NotYours):
        guider_log.reflect(store, supervisor.id, entry.id, "not mine")
    guider_log.unshare_entry(store, teacher.id, entry.id, supervisor.id)
    assert guider_log.shared_with_me(store, supervisor.id) == []


def test_exports_are_text_only_and_spreadsheet_safe(store, teacher, colleague):
    _two_reviews(store, teacher, colleague)
    entry = guider_log.my_log(store, teacher.id)[0]
    guider_log.reflect(store, teacher.id, entry.id, '=HYPERLINK("http://x")')
    entries = guider_log.my_log(store, teacher.id)
    pdf = guider_log.log_pdf(entries, "Ana Teacher")
    assert pdf.startswith(b"%PDF") and b"/Subtype /Image" not in pdf
    rows = list(csv.reader(io.StringIO(guider_log.log_csv(entries).decode())))
    assert rows[0][:4] == ["date", "kind", "participant codes", "cycle"]
    assert '\'=HYPERLINK("http://x")' in [r[6] for r in rows[1:]]


def test_the_calendar_holds_the_next_session_and_a_filming_reminder(store, teacher, colleague):
    _, _, second = group_with_two_sessions(store, teacher.id, colleague.id)
    (sheet,) = between_sessions.group_sheets(store, colleague.id, "Ben Colleague")
    assert (sheet.next_session, sheet.next_on, sheet.next_step) == (
        "Session 2",
        second.held_on,
        "Wait longer",
    )
    calendar = Calendar.from_ical(between_sessions.calendar_ics(sheet, "g1-p2"))
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    session = events["VERP: Session 2 (Spring group)"]
    assert session.decoded("dtstart") == second.held_on
    reminder = events["VERP: film a few minutes for the next session"]
    assert reminder.decoded("dtstart") == second.held_on - timedelta(days=3)
    assert calendar.walk("VALARM")
    pdf = between_sessions.sheet_pdf(sheet)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page\r") <= 1


def test_a_one_to_one_sheet_for_a_parent_names_only_the_code(store, teacher):
    review = one_to_one.start_one_to_one(store, teacher.id, "Parent A", "parent", 3)
    one_to_one.set_goal(store, teacher.id, review.id, "Enjoy bath time", next_week())
    sheet = between_sessions.one_to_one_sheet(store, teacher.id, review.id)
    assert (sheet.who, sheet.helping_question, sheet.next_session) == (
        "Parent A",
        "Enjoy bath time",
        "Review 1",
    )
    assert sheet.film_by == next_week() - timedelta(days=3)


def test_deleting_accounts_removes_their_groups_log_and_notes(store, teacher, colleague):
    _two_reviews(store, teacher, colleague)
    supervisor = create_person(store, "Sue Supervisor", "supervising passphrase")
    entry = guider_log.my_log(store, teacher.id)[0]
    guider_log.share_entry(store, teacher.id, entry.id, supervisor.id)
    guider_log.add_note(store, supervisor.id, entry.id, "A note")
    erasure.delete_account(store, supervisor.id, "Sue Supervisor")
    with store.transaction() as s:
        assert s.query(SupervisionNote).count() == 0
    erasure.delete_account(store, teacher.id, "Ana Teacher")
    with store.transaction() as s:
        assert (
            s.query(GuiderLogEntry).count() == s.query(OneToOne).count() == s.query(SeriesGroup).count() == 0
        )


def test_log_entries_go_after_the_records_period(store, teacher, colleague):
    _two_reviews(store, teacher, colleague)
    assert guider_log.my_log(store, teacher.id)
    later = today() + timedelta(days=store.settings.records_days + 1)
    assert guider_log.purge_log(store, later) == 2
