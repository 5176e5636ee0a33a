"""The outbox table's life: rows written with their cause, claimed, sent, retried, given up.

A row is written in the same transaction as the decision that causes it, so a crash can lose
neither. A sender claims rows (state ``sending``) and commits the claim before it sends; it
sends the rows of a claim one at a time, in order, and marks each as sent as soon as Telegram
has it. After a crash, the rows still ``sending`` go out again; only the first of them can
have reached Telegram already, so a crash repeats at most one message, and skips none.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, User

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
BLOCKED = "blocked"
CANCELLED = "cancelled"  # nothing to send any more (a nomination left review before its card)
STATES = (PENDING, SENDING, SENT, FAILED, BLOCKED, CANCELLED)

#: Priorities: notices to people about their own work go before bulk messages.
NOTICE = 0
REMINDER = 5
BROADCAST = 10

#: Rows an update wrote are sent by that update right after its commit; the background sender
#: leaves them alone this long, and takes them over only if that did not happen (a crash).
GRACE = timedelta(seconds=10)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message for one person: what to render (``kind``, ``payload``) and why (``cause``)."""

    recipient_id: int
    kind: str
    payload: dict[str, Any] = field(default_factory=dict)
    cause: str = "notice"
    priority: int = NOTICE


def now() -> datetime:
    return datetime.now(UTC)


async def enqueue(
    session: AsyncSession, messages: Iterable[Outgoing], *, grace: timedelta = GRACE
) -> list[int]:
    """Write ``messages`` in the caller's transaction; the ids of those to send, in order.

    A person who blocked the bot gets a row too, already ``blocked``, so that what was not
    sent, and why, can be seen.
    """
    rows = await write(session, messages, due=now() + grace)
    return [row.id for row in rows if row.state == PENDING]


async def write(
    session: AsyncSession, messages: Iterable[Outgoing], *, due: datetime
) -> list[OutboxMessage]:
    """``enqueue``, not sent before ``due`` (a reminder waiting for the morning); the rows."""
    items = list(messages)
    if not items:
        return []
    recipients = {m.recipient_id for m in items}
    blocked = set(
        await session.scalars(
            select(User.id).where(User.id.in_(recipients), User.blocked_at.is_not(None))
        )
    )
    rows = [
        OutboxMessage(
            recipient_id=m.recipient_id,
            kind=m.kind,
            payload=m.payload,
            cause=m.cause[:64],
            priority=m.priority,
            state=BLOCKED if m.recipient_id in blocked else PENDING,
            attempts=0,
            next_attempt_at=due,
        )
        for m in items
    ]
    session.add_all(rows)
    await session.flush()
    return rows


async def recipients_by_telegram_id(
    session: AsyncSession, telegram_ids: Iterable[int]
) -> dict[int, int]:
    """Users' ids by their Telegram ids: dialogs still address other people by chat."""
    wanted = set(telegram_ids)
    if not wanted:
        return {}
    rows = await session.execute(
        select(User.telegram_id, User.id).where(User.telegram_id.in_(wanted))
    )
    return {telegram_id: user_id for telegram_id, user_id in rows.all()}


async def claim(
    session: AsyncSession,
    *,
    limit: int,
    ids: Sequence[int] | None = None,
    lease: timedelta = timedelta(minutes=2),
) -> list[OutboxMessage]:
    """Take up to ``limit`` rows for sending, in the order they must go; the caller commits.

    Without ``ids``: rows that are due, and rows another sender claimed longer than ``lease``
    ago (it died). With ``ids``: those rows if still pending, due or not (an update sending what
    it just wrote). On PostgreSQL concurrent senders skip each other's rows.
    """
    moment = now()
    query = select(OutboxMessage)
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(list(ids)), OutboxMessage.state == PENDING)
    else:
        query = query.where(
            or_(
                (OutboxMessage.state == PENDING) & (OutboxMessage.next_attempt_at <= moment),
                (OutboxMessage.state == SENDING) & (OutboxMessage.claimed_at < moment - lease),
            )
        )
    query = query.order_by(OutboxMessage.priority, OutboxMessage.id).limit(limit)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list(await session.scalars(query))
    for row in rows:
        row.state = SENDING
        row.claimed_at = moment
    await session.flush()
    return rows


async def recover(session: AsyncSession) -> int:
    """At start-up of the only sender (SQLite): what was claimed and not marked goes again."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.state == SENDING)
        .values(state=PENDING, next_attempt_at=now(), claimed_at=None)
    )
    return result.rowcount  # type: ignore[attr-defined]


async def mark_sent(session: AsyncSession, row_id: int, still_claimed: Sequence[int] = ()) -> None:
    """Sent; and the rest of the claim is still this sender's (its lease runs from now)."""
    moment = now()
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(state=SENT, sent_at=moment, last_error=None)
    )
    if still_claimed:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(list(still_claimed)), OutboxMessage.state == SENDING)
            .values(claimed_at=moment)
        )


async def release(session: AsyncSession, row_ids: Iterable[int]) -> None:
    """Give claimed rows back, untried (the sender paused or is stopping)."""
    ids = list(row_ids)
    if ids:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.state == SENDING)
            .values(state=PENDING, claimed_at=None)
        )


async def mark_retry(
    session: AsyncSession, row_id: int, error: str, *, max_attempts: int, backoff: timedelta
) -> str:
    """One more failed try: due again after ``backoff``, or ``failed`` after ``max_attempts``."""
    row = await session.get(OutboxMessage, row_id)
    assert row is not None
    row.attempts += 1
    row.last_error = error[:1000]
    row.claimed_at = None
    if row.attempts >= max_attempts:
        row.state = FAILED
    else:
        row.state = PENDING
        row.next_attempt_at = now() + backoff * (2 ** (row.attempts - 1))
    return row.state


async def mark_cancelled(session: AsyncSession, row_id: int, why: str) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(state=CANCELLED, last_error=why[:1000], claimed_at=None)
    )


async def mark_recipient_blocked(session: AsyncSession, recipient_id: int, error: str) -> int:
    """The person blocked the bot: this row and every other still to go to them."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.recipient_id == recipient_id,
            OutboxMessage.state.in_((PENDING, SENDING)),
        )
        .values(state=BLOCKED, last_error=error[:1000], claimed_at=None)
    )
    return result.rowcount  # type: ignore[attr-defined]


async def counts(session: AsyncSession) -> dict[tuple[str, str], int]:
    """How many rows per (cause, state)."""
    rows = await session.execute(
        select(OutboxMessage.cause, OutboxMessage.state, func.count()).group_by(
            OutboxMessage.cause, OutboxMessage.state
        )
    )
    return {(cause, state): n for cause, state, n in rows.all()}


async def failed(session: AsyncSession, limit: int = 50) -> list[OutboxMessage]:
    return list(
        await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.state == FAILED)
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )


async def retry(session: AsyncSession, ids: Sequence[int] | None = None) -> int:
    """Send failed rows again (all of them, or ``ids``), from their first try."""
    query = update(OutboxMessage).where(OutboxMessage.state == FAILED)
    if ids:
        query = query.where(OutboxMessage.id.in_(list(ids)))
    result = await session.execute(
        query.values(state=PENDING, attempts=0, next_attempt_at=now(), claimed_at=None)
    )
    return result.rowcount  # type: ignore[attr-defined]
