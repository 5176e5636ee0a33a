"""SQLAlchemy 2 models: the durable truth of the product.

Every table here is created by an Alembic migration in ``storage/migrations``; a test compares the
two so they never drift.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on both SQLite (which drops tzinfo) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Unit(Base):
    """One node of the tree of administrative units and organisations (no fixed depth)."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # Materialised path of ids, "/1/4/17/": a subtree is a prefix match, one indexed query.
    path: Mapped[str] = mapped_column(String(512), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    full_name: Mapped[str] = mapped_column(String(255), default="")
    username: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    locale: Mapped[str | None] = mapped_column(String(8))  # the user's own choice, via /lang
    language_code: Mapped[str | None] = mapped_column(String(16))  # what Telegram reports
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the user blocked the bot
    # What the next typed message answers (a reason to return or reject, an opinion); in the
    # database for the same reason as the active draft.
    pending_action: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The draft that typed answers go to; kept here so that a restart loses nothing.
    active_nomination_id: Mapped[int | None] = mapped_column(
        ForeignKey("nominations.id", use_alter=True)
    )
    # The message of the wizard screen whose buttons are current; older ones lose theirs
    # (bot.handlers.live_screen).
    screen_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", order_by="Membership.id"
    )


class Membership(Base):
    """A role held in a unit: granted only by an invitation (or the CLI, for the first admin)."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "unit_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    unit: Mapped[Unit] = relationship(lazy="joined")


class Invitation(Base):
    """A one-time code; only its hash is kept, so a database dump grants nobody a role."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    unit: Mapped[Unit] = relationship(lazy="joined")


class ProcessedUpdate(Base):
    """Updates already handled: Telegram redelivers, and a redelivery must do nothing.

    An id alone does not name an update: a Bot API server that starts again (a new token, a
    self-hosted server, the emulator) counts again from where it likes. So ids are kept per
    ``source`` (bot id and API host), with a ``fingerprint`` of what stays the same when the
    same update comes again (chat, message id, date; a callback's id).
    """

    __tablename__ = "processed_updates"

    source: Mapped[str] = mapped_column(String(100), primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    fingerprint: Mapped[str] = mapped_column(String(100))
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class OutboxMessage(Base):
    """A message the bot sends on its own (a notice, a reminder, a broadcast), kept until sent.

    Written in the same transaction as the decision that causes it, and drained by
    bot.outbox.sender under Telegram's limits. The recipient is a person, not a chat, so that
    another channel can follow; ``kind`` and ``payload`` say what to render for them.
    States: pending, sending (claimed by a sender), sent, failed, blocked, cancelled.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "state", "priority", "next_attempt_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    cause: Mapped[str] = mapped_column(String(64))
    priority: Mapped[int] = mapped_column(Integer, default=0)  # lower goes first
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Reminder(Base):
    """A reminder planned for one person about one deadline day: its key is unique, so a pass
    that runs again (after a restart, or on a second worker) plans nothing twice.

    ``kind`` is "before" (``offset_days`` before the day) or "overdue" (to the level above,
    after the day; ``unit_id`` is then that unit). The message itself is an outbox row.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint(
            "plan_id",
            "deadline_id",
            "occurrence",
            "unit_id",
            "user_id",
            "kind",
            "offset_days",
            name="uq_reminders_key",  # the convention's name is past PostgreSQL's 63 characters
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[str] = mapped_column(String(64))
    deadline_id: Mapped[str] = mapped_column(String(64))
    occurrence: Mapped[date] = mapped_column(Date, index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    offset_days: Mapped[int] = mapped_column(Integer)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Broadcast(Base):
    """A notice sent to a part of the unit tree: its audience, its text, and where its sender
    watches it go out (a progress message edited in place). Its messages are outbox rows whose
    cause is ``broadcast:<id>``."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the CLI
    # The unit the sender broadcast as (theirs that holds the audience): shown to recipients.
    sender_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    only_unit: Mapped[bool] = mapped_column(Boolean, default=False)
    roles: Mapped[list[str]] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text)
    file_kind: Mapped[str | None] = mapped_column(String(16))  # photo | document
    file_id: Mapped[str | None] = mapped_column(String(255))
    # From the command line: a file on this machine, uploaded once by the sender.
    file_path: Mapped[str | None] = mapped_column(String(1024))
    plan_id: Mapped[str | None] = mapped_column(String(64))  # about a plan: a button opens it
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default="sending")  # sending, done, stopped
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id], lazy="joined")
    sender_unit: Mapped[Unit | None] = relationship(foreign_keys=[sender_unit_id], lazy="joined")


class AuditEntry(Base):
    """Append-only record of every change: who, what, when, from which state to which, why."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class PlanVersion(Base):
    """The exact text of a plan file as loaded; a changed file is a new version."""

    __tablename__ = "plan_versions"
    __table_args__ = (
        UniqueConstraint("plan_id", "version"),
        UniqueConstraint("plan_id", "digest"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    source_name: Mapped[str] = mapped_column(String(255))
    source_text: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PlanActivation(Base):
    """A plan running in a unit's subtree over a span of dates (the document's or a later one)."""

    __tablename__ = "plan_activations"
    __table_args__ = (UniqueConstraint("plan_id", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[str] = mapped_column(String(64), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined")


class Nomination(Base):
    """One proposal of a person, household or collective under one plan version.

    While a draft, ``step`` is where the wizard stands: the row, not memory, is the truth.
    ``version`` grows with every change; buttons carry it, so a stale screen cannot act.
    """

    __tablename__ = "nominations"
    __table_args__ = (Index("ix_nominations_dupe", "plan_id", "nominee_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("plan_versions.id"))
    plan_id: Mapped[str] = mapped_column(String(64), index=True)
    proposer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)  # proposer's unit
    state: Mapped[str] = mapped_column(String(24), default="draft", index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    step: Mapped[str | None] = mapped_column(String(96))
    back_to_summary: Mapped[bool] = mapped_column(Boolean, default=False)
    subject_kind: Mapped[str | None] = mapped_column(String(16))
    category_id: Mapped[str | None] = mapped_column(String(64))
    nominee: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    nominee_key: Mapped[str | None] = mapped_column(String(300))  # folded name + birth year
    nominee_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    achievements: Mapped[str | None] = mapped_column(Text)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Where it stands in the plan's review chain: the level's index and the unit reviewing it.
    level_index: Mapped[int] = mapped_column(Integer, default=0)
    review_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    round: Mapped[int] = mapped_column(Integer, default=0)  # submissions so far
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)

    plan_version: Mapped[PlanVersion] = relationship(lazy="joined", viewonly=True)
    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id], lazy="joined", viewonly=True)


class Evidence(Base):
    """A photo, document or voice note kept for a nomination: by file_id, and by content."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"), index=True)
    criterion_id: Mapped[str | None] = mapped_column(String(64))  # None: the achievements
    kind: Mapped[str] = mapped_column(String(16))  # photo | document | voice
    file_id: Mapped[str] = mapped_column(String(255))
    file_unique_id: Mapped[str] = mapped_column(String(128))
    file_name: Mapped[str | None] = mapped_column(String(255))
    mime_type: Mapped[str | None] = mapped_column(String(128))
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)  # set once downloaded
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class NominationVersion(Base):
    """What a nomination said when it was submitted: every round keeps its own copy."""

    __tablename__ = "nomination_versions"
    __table_args__ = (UniqueConstraint("nomination_id", "round"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("plan_versions.id"))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Consultation(Base):
    """An opinion asked of a consulted body (police, Fatherland Front…) about a nomination."""

    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))  # None: nobody there
    kind: Mapped[str] = mapped_column(String(32))
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # answered, unavailable
    opinion: Mapped[str | None] = mapped_column(String(16))  # agree | disagree | note
    note: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminders: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # An objection a reviewer passed over, where the plan lets them: who, when, why.
    overridden_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    overridden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    override_reason: Mapped[str | None] = mapped_column(Text)

    unit: Mapped[Unit | None] = relationship(lazy="joined")
