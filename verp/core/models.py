"""The things in the domain, as SQLAlchemy 2 tables.

The schema itself is created and changed only by the migrations in ``verp/core/migrations``; these classes
describe it for queries. Keep both in step: ``tests/unit/test_store.py`` fails when they drift.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from verp.core.config import DEFAULT_RETENTION_DAYS


def utcnow() -> datetime:
    """Now, in UTC. One clock for every row."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date on the same clock as :func:`utcnow`: every date check (delete-by, consent) uses it."""
    return utcnow().date()


def default_clip_delete_by() -> date:
    """A clip's delete-by date when nothing else sets it (the app sets it from its settings)."""
    return today() + timedelta(days=DEFAULT_RETENTION_DAYS)


class UTCDateTime(TypeDecorator):
    """A timestamp that always comes back timezone-aware in UTC, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        return value.astimezone(UTC) if value is not None and value.tzinfo else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    pass


class Person(Base):
    """Someone with an account: a teacher, a support assistant or a facilitator."""

    __tablename__ = "person"
    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(80))
    name_key: Mapped[str] = mapped_column(String(80), unique=True)  # casefolded, for sign-in
    passphrase_hash: Mapped[str | None] = mapped_column(String(255))
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True)
    is_facilitator: Mapped[bool] = mapped_column(Boolean, default=False)
    # Sees the whole service's audit log and can grant or remove the facilitator role.
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Workshop(Base):
    """One group session, with its plan and its live state (the database is the truth)."""

    __tablename__ = "workshop"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(Date)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    focus: Mapped[str] = mapped_column(Text, default="")  # comma-separated principle keys
    ground_rules: Mapped[str] = mapped_column(Text, default="")
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="planned")  # planned|live|closed
    allow_anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    auto_approve: Mapped[bool] = mapped_column(Boolean, default=False)  # moderated unless chosen
    # The step the room is on, by what it is (``verp.room.running_order``), so shares can come and go.
    current_step_key: Mapped[str] = mapped_column(String(120), default="welcome")
    timer_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    timer_elapsed_s: Mapped[float] = mapped_column(Float, default=0.0)
    playing: Mapped[bool] = mapped_column(Boolean, default=True)
    # The rest of the room's playback (sound, speed, loop, the last seek command): JSON, see
    # ``verp.room.playback``; and the facilitator's minutes per step (step key → minutes), JSON too.
    playback: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    step_minutes: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    child_word: Mapped[str] = mapped_column(String(40), default="child", server_default="child")
    state_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Participant(Base):
    """A name in one workshop: an account holder, or someone who joined by code."""

    __tablename__ = "participant"
    __table_args__ = (UniqueConstraint("workshop_id", "token"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    display_name: Mapped[str] = mapped_column(String(80))
    token: Mapped[str] = mapped_column(String(64))  # lets a joiner edit their own reflections
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HelpingQuestion(Base):
    """What a person wants to get better at, for one cycle (film + review)."""

    __tablename__ = "helping_question"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    text: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Rating(Base):
    """A 0–10 rating of a helping question, taken at a review."""

    __tablename__ = "rating"
    id: Mapped[int] = mapped_column(primary_key=True)
    helping_question_id: Mapped[int] = mapped_column(
        ForeignKey("helping_question.id", ondelete="CASCADE"), index=True
    )
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    score: Mapped[int] = mapped_column(Integer)
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshop.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Clip(Base):
    """A video a person brought: private to its owner until they share a moment of it."""

    __tablename__ = "clip"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # uuid4 hex; also the file stem
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    original_filename: Mapped[str] = mapped_column(String(255))  # shown only, never a path
    stored_name: Mapped[str] = mapped_column(String(80))  # under clips_dir
    playable_name: Mapped[str | None] = mapped_column(String(80))
    proxy_name: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(16), default="ready")  # processing|ready|failed
    status_detail: Mapped[str] = mapped_column(Text, default="")
    # No longer written: preparing a clip is a job of the task queue (verp.core.tasks), which keeps its
    # own lease. The columns stay so that no upgrade drops data.
    worker: Mapped[str | None] = mapped_column(String(120))
    worker_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(16), default="upload")  # upload|capture
    duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    video_codec: Mapped[str] = mapped_column(String(32), default="")
    audio_codec: Mapped[str | None] = mapped_column(String(32))
    fps: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")  # 0: not known (older clips)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Every clip is deleted for good on or after this date, shared or not; a consent record may move it.
    delete_by: Mapped[date] = mapped_column(Date, default=default_clip_delete_by, index=True)


class Consent(Base):
    """Who was filmed, on what basis, who recorded it, and when the video must go."""

    __tablename__ = "consent"
    id: Mapped[int] = mapped_column(primary_key=True)
    clip_id: Mapped[str] = mapped_column(ForeignKey("clip.id", ondelete="CASCADE"), unique=True)
    filmed_group: Mapped[str] = mapped_column(String(200))
    basis: Mapped[str] = mapped_column(String(32))  # parental_consent|public_task (no_identifiable: old)
    recorded_by: Mapped[str] = mapped_column(String(120))
    consent_date: Mapped[date] = mapped_column(Date)
    scope: Mapped[str] = mapped_column(String(32), default="workshop_only")
    stills_in_exports: Mapped[bool] = mapped_column(Boolean, default=False)
    delete_by: Mapped[date] = mapped_column(Date)  # kept equal to the clip's delete_by
    children_agreement: Mapped[str | None] = mapped_column(String(16))  # agreed|too_young; None: old record
    other_adults: Mapped[str] = mapped_column(String(200), default="")
    other_adults_agreed: Mapped[bool] = mapped_column(Boolean, default=False)
    no_child_without_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    dpia_reference: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Moment(Base):
    """A few seconds of a clip, with the owner's private note: the unit a workshop looks at."""

    __tablename__ = "moment"
    id: Mapped[int] = mapped_column(primary_key=True)
    clip_id: Mapped[str] = mapped_column(ForeignKey("clip.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    share_note: Mapped[bool] = mapped_column(Boolean, default=False)
    cut_name: Mapped[str | None] = mapped_column(String(80))
    # A worker cuts the moment to its own file (verp.review.moment_cuts): ready | cutting | failed. New
    # times take the old cut away at once: while cutting there is no cut_name, or a cut of these times.
    cut_status: Mapped[str] = mapped_column(String(16), default="ready", server_default="ready")
    cut_detail: Mapped[str] = mapped_column(String(300), default="", server_default="")  # progress; why not
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Timed captions typed by the owner, one "start end words" line each (see verp.review.captions).
    captions: Mapped[str] = mapped_column(Text, default="", server_default="")


class MomentTag(Base):
    """A principle seen in a moment; optionally the behaviour and its place in the chain."""

    __tablename__ = "moment_tag"
    id: Mapped[int] = mapped_column(primary_key=True)
    moment_id: Mapped[int] = mapped_column(ForeignKey("moment.id", ondelete="CASCADE"), index=True)
    principle_key: Mapped[str] = mapped_column(String(40))
    behaviour: Mapped[str | None] = mapped_column(String(200))
    chain_part: Mapped[str | None] = mapped_column(String(16))  # initiative|reception|response


class FreezeFrame(Base):
    """A time in a moment worth stopping on."""

    __tablename__ = "freeze_frame"
    id: Mapped[int] = mapped_column(primary_key=True)
    moment_id: Mapped[int] = mapped_column(ForeignKey("moment.id", ondelete="CASCADE"), index=True)
    at_s: Mapped[float] = mapped_column(Float)
    still_name: Mapped[str | None] = mapped_column(String(80))
    # a worker makes the picture (verp.review.freeze_stills): ready | making | failed
    still_status: Mapped[str] = mapped_column(String(16), default="ready", server_default="ready")
    still_detail: Mapped[str] = mapped_column(String(300), default="", server_default="")  # why not
    caption: Mapped[str] = mapped_column(String(200), default="", server_default="")
    chain_part: Mapped[str | None] = mapped_column(String(16))  # initiative|reception|response


class Preparation(Base):
    """The facilitator's own preparation of one shared moment for one workshop: private to them."""

    __tablename__ = "preparation"
    __table_args__ = (UniqueConstraint("workshop_id", "moment_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    moment_id: Mapped[int] = mapped_column(ForeignKey("moment.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    with_participant: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Share(Base):
    """A moment shared with a workshop by its owner; withdrawn_at set means it is gone from view."""

    __tablename__ = "share"
    __table_args__ = (Index("ix_share_workshop_live", "workshop_id", "withdrawn_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    moment_id: Mapped[int] = mapped_column(ForeignKey("moment.id", ondelete="CASCADE"), index=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    prompt_set: Mapped[str] = mapped_column(String(40), default="default")
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Reflection(Base):
    """Something the group noticed. Append-only: an edit adds a row that supersedes the old one."""

    __tablename__ = "reflection"
    __table_args__ = (Index("ix_reflection_workshop_status", "workshop_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    moment_id: Mapped[int | None] = mapped_column(ForeignKey("moment.id", ondelete="SET NULL"))
    moment_title: Mapped[str] = mapped_column(String(200), default="")  # kept if the clip goes
    principle_key: Mapped[str | None] = mapped_column(String(40))
    prompt: Mapped[str] = mapped_column(Text, default="")
    author_name: Mapped[str] = mapped_column(String(80), default="the group")
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), default="noticed")
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="approved")  # pending|approved|hidden|withdrawn
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("reflection.id"), index=True)
    client_key: Mapped[str | None] = mapped_column(String(64), unique=True)  # idempotent resend
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NextStep(Base):
    """What a participant will do more of, carried into the next cycle."""

    __tablename__ = "next_step"
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshop.id", ondelete="SET NULL"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    participant_name: Mapped[str] = mapped_column(String(80))
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEvent(Base):
    """Who did what to whose video, and when: shares, withdrawals, projections, downloads, deletions."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_actor_at", "actor", "at"),)  # a facilitator's own actions
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="")
    workshop_id: Mapped[int | None] = mapped_column(Integer, index=True)  # whose facilitator may read it


class Attempt(Base):
    """A failed passphrase or join-code try, kept so repeated guesses can be slowed down."""

    __tablename__ = "attempt"
    __table_args__ = (Index("ix_attempt_kind_key_at", "kind", "key", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # signin|join
    key: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Task(Base):
    """A background job in the embedded queue (SQLite); PostgreSQL services use procrastinate's tables.

    ``period`` makes a periodic job unique per task and period, so any number of workers add it once.
    """

    __tablename__ = "task"
    __table_args__ = (
        UniqueConstraint("name", "period", name="uq_task_name_period"),
        Index("ix_task_ready", "status", "run_after"),
        Index("ix_task_key", "key"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    args: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    key: Mapped[str | None] = mapped_column(String(120))  # one waiting job per key
    period: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued|running|done|failed|cancelled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    worker: Mapped[str | None] = mapped_column(String(120))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignInSession(Base):
    """A signed-in browser: only a hash of its cookie's token is kept, so a copy of the database signs
    nobody in. A one-time ticket (hashed too) lets the app's own route set the HttpOnly cookie."""

    __tablename__ = "session"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    ticket_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    ticket_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# ---------------------------------------------------------------- whole interventions


class SeriesGroup(Base):
    """A VERP group that meets several times: session N is each member's cycle N."""

    __tablename__ = "series_group"
    id: Mapped[int] = mapped_column(primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    planned_sessions: Mapped[int] = mapped_column(Integer, default=3)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SeriesMember(Base):
    """An account that belongs to a group."""

    __tablename__ = "series_member"
    __table_args__ = (UniqueConstraint("group_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("series_group.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)


class SeriesSession(Base):
    """A workshop as one numbered session of a group."""

    __tablename__ = "series_session"
    __table_args__ = (UniqueConstraint("group_id", "number"),)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("series_group.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)


class OneToOne(Base):
    """A one-to-one VIG intervention: a guider and one participant, known to others only by a code."""

    __tablename__ = "one_to_one"
    id: Mapped[int] = mapped_column(primary_key=True)
    guider_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    participant_code: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(16))  # teacher|assistant|parent
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )  # None: a parent or carer without an account, whose clips the guider holds
    planned_cycles: Mapped[int] = mapped_column(Integer, default=3)
    helping_question: Mapped[str] = mapped_column(Text, default="")
    next_review_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OneToOneReview(Base):
    """One meeting of a one-to-one: cycle 0 is the goal-setting session, 1.. the shared reviews."""

    __tablename__ = "one_to_one_review"
    __table_args__ = (UniqueConstraint("one_to_one_id", "cycle"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    one_to_one_id: Mapped[int] = mapped_column(ForeignKey("one_to_one.id", ondelete="CASCADE"), index=True)
    cycle: Mapped[int] = mapped_column(Integer)
    held_on: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    words: Mapped[str] = mapped_column(Text, default="")  # the participant's own words, as typed
    rating: Mapped[int | None] = mapped_column(Integer)
    next_step: Mapped[str] = mapped_column(Text, default="")
    principles: Mapped[str] = mapped_column(String(400), default="")  # comma-separated keys


class OneToOneMoment(Base):
    """A moment chosen for one cycle's review: the only video of the participant its guider may watch."""

    __tablename__ = "one_to_one_moment"
    id: Mapped[int] = mapped_column(primary_key=True)
    one_to_one_id: Mapped[int] = mapped_column(ForeignKey("one_to_one.id", ondelete="CASCADE"), index=True)
    moment_id: Mapped[int] = mapped_column(ForeignKey("moment.id", ondelete="CASCADE"), index=True)
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HeldClip(Base):
    """A clip the guider holds for a participant without an account (the guider is its owner)."""

    __tablename__ = "held_clip"
    clip_id: Mapped[str] = mapped_column(ForeignKey("clip.id", ondelete="CASCADE"), primary_key=True)
    one_to_one_id: Mapped[int] = mapped_column(ForeignKey("one_to_one.id", ondelete="CASCADE"), index=True)


class GuiderLogEntry(Base):
    """One shared review in its guider's log: facts copied when it ended, and the guider's reflection."""

    __tablename__ = "guider_log_entry"
    __table_args__ = (UniqueConstraint("guider_id", "source"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    guider_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(40))  # workshop:<id> | one_to_one_review:<id>
    kind: Mapped[str] = mapped_column(String(16))  # group|one_to_one
    held_on: Mapped[date] = mapped_column(Date, index=True)
    participant_codes: Mapped[str] = mapped_column(String(400), default="")
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    principles: Mapped[str] = mapped_column(String(400), default="")  # comma-separated keys
    duration_min: Mapped[int] = mapped_column(Integer, default=0)
    reflection: Mapped[str] = mapped_column(Text, default="")
    applied_principles: Mapped[str] = mapped_column(String(400), default="")  # to the guider's guidance
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuiderLogShare(Base):
    """A log entry its guider lets one supervisor read."""

    __tablename__ = "guider_log_share"
    __table_args__ = (UniqueConstraint("entry_id", "supervisor_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("guider_log_entry.id", ondelete="CASCADE"), index=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SupervisionNote(Base):
    """A supervisor's note on a log entry shared with them."""

    __tablename__ = "supervision_note"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("guider_log_entry.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _integer_keyed(table) -> bool:
    keys = list(table.primary_key.columns)
    return len(keys) == 1 and keys[0].name == "id" and isinstance(keys[0].type, Integer)


# A number once given to a row is never given to another (on PostgreSQL sequences already work so): the
# links the app signs (a projector's, an upload's, a download's) and a tab's sign-in name rows by number,
# and SQLite would otherwise hand the number of the newest row, once deleted, to the next one made.
INTEGER_KEYED = tuple(sorted(t.name for t in Base.metadata.tables.values() if _integer_keyed(t)))
for _name in INTEGER_KEYED:
    Base.metadata.tables[_name].dialect_options["sqlite"]["autoincrement"] = True
