"""One pass of reminders: what is due today is planned once, and queued in the outbox.

A pass may run any number of times a day, on any number of workers: the key of each reminder
(plan, deadline, day, unit, person, kind, days before) is unique in the database, and on
PostgreSQL one advisory lock lets one pass at a time decide. A reminder planned in quiet hours
waits in the outbox for the morning.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Final

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs.reminders import REMINDER, payload_of
from bot.outbox.queue import REMINDER as REMINDER_PRIORITY
from bot.outbox.queue import Outgoing, write
from bot.reminders.quiet import QuietHours
from bot.workflow.deadlines import REPORT_OVERDUE_WITHIN, Planned, reminders_for_day
from storage.models import Reminder

#: pg_try_advisory_xact_lock's key for the reminder pass ("REMIND" in ASCII, as a number).
LOCK_KEY: Final = 0x52454D494E44


@dataclass(frozen=True, slots=True)
class PassResult:
    due: list[Planned]  # everything due today
    queued: list[Planned]  # the part of it this pass queued (the rest was queued before)
    send_at: datetime | None  # when they go out (later than now in quiet hours)
    skipped: bool = False  # another process held the lock


async def _another_pass_runs(session: AsyncSession) -> bool:
    if session.bind is None or session.bind.dialect.name != "postgresql":
        return False  # SQLite: one process; its write lock orders the passes
    got = await session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    return not got


async def planned_keys(session: AsyncSession, since: date) -> set[tuple[object, ...]]:
    rows = await session.execute(
        select(
            Reminder.plan_id,
            Reminder.deadline_id,
            Reminder.occurrence,
            Reminder.unit_id,
            Reminder.user_id,
            Reminder.kind,
            Reminder.offset_days,
        ).where(Reminder.occurrence >= since)
    )
    return {tuple(row) for row in rows.all()}


async def run_pass(
    session: AsyncSession, moment: datetime, zone: tzinfo, quiet: QuietHours
) -> PassResult:
    """Plan and queue what is due on ``moment``'s day, in one session; the caller commits."""
    due = await due_on(session, moment, zone)
    return await queue_due(session, due, moment, zone, quiet)


async def due_on(session: AsyncSession, moment: datetime, zone: tzinfo) -> list[Planned]:
    """What is due on ``moment``'s day: only reads, so the bot may run it outside its write
    lock (a district of a hundred communes takes a few hundred small queries)."""
    return await reminders_for_day(session, moment.astimezone(zone).date())


async def queue_due(
    session: AsyncSession, due: list[Planned], moment: datetime, zone: tzinfo, quiet: QuietHours
) -> PassResult:
    """Queue the part of ``due`` not planned before; the caller commits."""
    if not due:
        return PassResult(due, [], None)
    if await _another_pass_runs(session):
        return PassResult([], [], None, skipped=True)
    today = moment.astimezone(zone).date()
    seen = await planned_keys(session, today - REPORT_OVERDUE_WITHIN)
    fresh = [p for p in due if p.key not in seen]
    if not fresh:
        return PassResult(due, [], None)
    send_at = quiet.next_allowed(moment, zone)
    rows = await write(
        session,
        [
            Outgoing(
                p.user.id,
                REMINDER,
                payload_of(p),
                cause=f"reminder:{p.occurrence.plan.id}:{p.occurrence.deadline.id}",
                priority=REMINDER_PRIORITY,
            )
            for p in fresh
        ],
        due=send_at,
    )
    session.add_all(
        Reminder(
            plan_id=p.occurrence.plan.id,
            deadline_id=p.occurrence.deadline.id,
            occurrence=p.occurrence.day,
            unit_id=p.unit.id,
            user_id=p.user.id,
            kind=p.kind,
            offset_days=p.offset,
            outbox_id=row.id,
        )
        for p, row in zip(fresh, rows, strict=True)
    )
    await session.flush()
    return PassResult(due, fresh, send_at)
