"""The reminder pass inside a running bot: at start-up, then every REMINDER_EVERY seconds."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.periodic import Periodic
from bot.reminders.consultations import remind_consultees
from bot.reminders.rounds import due_on, queue_due
from bot.workflow.consultations import awaiting_reminder
from storage.db import write_lock

log = logging.getLogger(__name__)


class ReminderRounds(Periodic):
    """Runs the reminder pass; a failed pass (the database away) is tried next round."""

    what = "reminder pass"

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], settings: Settings
    ) -> None:
        super().__init__(settings.reminder_every)
        self.session_factory = session_factory
        self.settings = settings

    async def once(self) -> int:
        """One pass now: deadlines, and consulted bodies that have not answered; how many
        reminders it queued."""
        settings = self.settings
        engine = self.session_factory.kw["bind"]
        moment = datetime.now(settings.zone)
        async with self.session_factory() as session:  # reads: updates are not held up
            due = await due_on(session, moment, settings.zone)
            asked = bool(await awaiting_reminder(session, moment))
        consulted = 0
        if asked:  # read again under the lock: another worker may have reminded them meanwhile
            async with write_lock(engine), self.session_factory() as session:
                consulted = await remind_consultees(session, moment, settings.zone, settings.quiet)
                await session.commit()
        if consulted:
            log.info("queued %s reminders to consulted bodies", consulted)
        if not due:
            return consulted
        async with write_lock(engine), self.session_factory() as session:
            result = await queue_due(session, due, moment, settings.zone, settings.quiet)
            await session.commit()
        if result.queued:
            log.info("queued %s reminders, sent from %s", len(result.queued), result.send_at)
        return len(result.queued) + consulted
