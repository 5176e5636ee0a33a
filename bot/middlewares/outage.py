"""When the database is away: keep the updates that met it, and handle them once it is back.

Telegram (or the webhook) has already handed over an update that fails for want of the
database; left alone, it would be lost, and the person told to type it again on a phone with
weak signal. Instead it is held in memory, the person is told once that it is kept, and one
task probes the database with a capped backoff (a log line a try) and feeds the held updates
back through the dispatcher, oldest first, as soon as the database answers. An update that
keeps failing with the database up is not an outage but a fault: after ``attempts`` tries in
all it is given up, and the person gets the usual apology.

What is held lives in this process: a crash during an outage loses it, as a crash always lost
updates in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiogram.types import Update
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)


def is_database_outage(exc: BaseException) -> bool:
    """Does ``exc`` say the database could not be reached or used just now?"""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, OSError | TimeoutError):  # refused, reset, unreachable, timed out
        return True
    # asyncpg's own connection errors, raised while connecting, before SQLAlchemy wraps them.
    return type(exc).__module__.startswith("asyncpg") and "Connect" in type(exc).__name__


def short_reason(exc: BaseException) -> str:
    inner = getattr(exc, "orig", None) or exc
    first = str(inner).strip().splitlines()
    return f"{type(inner).__name__}: {first[0]}" if first else type(inner).__name__


class DatabaseOutage:
    """Updates held while the database is away, and the task that brings them back."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        limit: int = 1000,
        attempts: int = 3,
        first_delay: float = 1.0,
        max_delay: float = 30.0,
    ) -> None:
        self.engine = engine
        self.limit = limit
        self.attempts = attempts
        self.first_delay = first_delay
        self.max_delay = max_delay
        self._held: dict[int, tuple[Update, Any, Any]] = {}
        self._tries: dict[int, int] = {}
        self._task: asyncio.Task[None] | None = None

    def hold(self, update: Update, bot: Any, dispatcher: Any) -> bool | None:
        """Keep ``update`` to handle again: True the first time, None on a later try, False if
        it has been tried enough (or too many are held) and must be given up."""
        tries = self._tries.get(update.update_id, 0)  # tries so far that met the outage
        if tries + 1 >= self.attempts or len(self._held) >= self.limit:
            self._tries.pop(update.update_id, None)
            return False
        self._tries[update.update_id] = tries + 1
        self._held[update.update_id] = (update, bot, dispatcher)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._recover())
        return True if tries == 0 else None

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _recover(self) -> None:
        while self._held:
            await self._wait_for_database()
            log.warning("database is back: handling %s held updates", len(self._held))
            for update_id in sorted(self._held):
                update, bot, dispatcher = self._held.pop(update_id)
                await dispatcher.feed_update(bot, update)
                if update_id in self._held:  # it met the outage again: back to waiting
                    break
                self._tries.pop(update_id, None)

    async def _wait_for_database(self) -> None:
        delay = self.first_delay
        attempt = 0
        while True:
            attempt += 1
            try:
                async with self.engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
                return
            except Exception as exc:
                log.warning(
                    "database unreachable (%s); %s updates held; retry %s in %.0f s",
                    short_reason(exc),
                    len(self._held),
                    attempt,
                    delay,
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_delay)
