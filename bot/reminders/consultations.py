"""Reminders to consulted bodies that have not given their opinion, through the outbox.

Which questions are due is decided in ``bot.workflow.consultations``; here each due question is
counted once (a conditional update, so two workers never both remind) and one outbox row per
person of the body is written, sent after the quiet hours. The row is drawn when it goes out:
a body that answered meanwhile gets nothing.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs.consulting import CONSULT_REMINDER
from bot.outbox.queue import REMINDER, Outgoing, write
from bot.reminders.quiet import QuietHours
from bot.workflow.consultations import awaiting_reminder, mark_reminded


async def remind_consultees(
    session: AsyncSession, moment: datetime, zone: tzinfo, quiet: QuietHours
) -> int:
    """Queue the reminders due at ``moment``; how many messages. The caller commits."""
    messages: list[Outgoing] = []
    for consultation, people in await awaiting_reminder(session, moment):
        nth = consultation.reminders + 1
        if not await mark_reminded(session, consultation.id, nth - 1, moment):
            continue
        messages += [
            Outgoing(
                person.id,
                CONSULT_REMINDER,
                {"consultation": consultation.id},
                cause=f"consult-reminder:{consultation.id}:{nth}",
                priority=REMINDER,
            )
            for person in people
        ]
    await write(session, messages, due=quiet.next_allowed(moment, zone))
    return len(messages)
