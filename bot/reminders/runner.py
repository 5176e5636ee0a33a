"""The reminder pass inside a running bot: at start-up, then every REMINDER_EVERY seconds."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.reminders.rounds import due_on, queue_due
from storage.db import write_lock

log = logging.getLogger(__name__)


class ReminderRounds:
    """Runs ``run_pass``; a failed pass (the database away) is logged and tried next round."""

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], settings: Settings
    ) -> None:
        self.session_factory = session_factory
        self.settings = settings
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def once(self) -> int:
        """One pass now; how many reminders it queued."""
        settings = self.settings
        engine = self.session_factory.kw["bind"]
        moment = datetime.now(settings.zone)
        async with self.session_factory() as session:  # reads: updates are not held up
            due = await due_on(session, moment, settings.zone)
        if not due:
            return 0
        async with write_lock(engine), self.session_factory() as session:
            result = await queue_due(session, due, moment, settings.zone, settings.quiet)
            await session.commit()
        if result.queued:
            log.info("queued %s reminders, sent from %s", len(result.queued), result.send_at)
        return len(result.queued)

    async def _run(self) -> None:
        while True:
            try:
                await self.once()
            except Exception as exc:  # the database may be away; the next round tries again
                log.warning("reminder pass failed: %s", exc)
            await asyncio.sleep(self.settings.reminder_every)
