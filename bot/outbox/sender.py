"""The sender: drains the outbox through the Bot API under Telegram's limits.

- At most ``SEND_RATE`` messages a second in all (aiolimiter's leaky bucket), and at most one a
  second to any one chat.
- A 429 pauses the whole sender for its ``retry_after``; Telegram unreachable pauses it with a
  capped backoff. Neither counts as a failed try.
- A 403 (the person blocked the bot) marks them, and every row still to go to them, as
  blocked.
- Any other error is tried again later (30 s, 60 s, 120 s, …) and after ``max_attempts`` tries
  the row is ``failed`` with the error, for an administrator to see and retry
  (``python -m bot outbox``).

Rows go out one at a time, each marked sent before the next goes (see bot.outbox.queue: a
crash repeats at most one). An update's own rows are sent by that update right after its
commit (``deliver``); the background loop takes everything else, and those too if the update
never got to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
)
from aiolimiter import AsyncLimiter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.handlers.ui import send_screen
from bot.outbox import queue
from bot.outbox.render import render
from storage.db import create_snapshot_factory, write_lock
from storage.models import OutboxMessage, User

log = logging.getLogger(__name__)


class Pacer:
    """When the next message may go: the global rate, one a second per chat, and pauses."""

    def __init__(self, rate: float, per_chat: float = 1.0) -> None:
        # A bucket of a fifth of a second's messages: steady, with no burst at start.
        self.limiter = AsyncLimiter(max(1.0, rate / 5), 0.2)
        self.per_chat = per_chat
        self._last: dict[int, float] = {}
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        self._paused_until = max(self._paused_until, loop.time() + seconds)

    async def wait(self, chat_id: int) -> None:
        """Until ``chat_id`` may be written to again and no pause is on."""
        loop = asyncio.get_running_loop()
        while True:
            moment = loop.time()
            ready = max(self._paused_until, self._last.get(chat_id, -1e9) + self.per_chat)
            if ready <= moment:
                return
            await asyncio.sleep(ready - moment)

    def paused(self) -> float:
        """Seconds of pause left (a 429 or Telegram away)."""
        return max(0.0, self._paused_until - asyncio.get_running_loop().time())

    def sent(self, chat_id: int) -> None:
        loop = asyncio.get_running_loop()
        self._last[chat_id] = loop.time()
        if len(self._last) > 50_000:  # forget chats last written to more than a second ago
            cutoff = loop.time() - self.per_chat
            self._last = {chat: t for chat, t in self._last.items() if t > cutoff}


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    recipient_id: int


class OutboxSender:
    """One sender per process; on PostgreSQL several processes may share the table."""

    def __init__(
        self,
        bot: Bot,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        rate: float = 25.0,
        batch: int = 25,
        max_attempts: int = 5,
        backoff: timedelta = timedelta(seconds=30),
        idle: float = 2.0,
        lease: timedelta = timedelta(seconds=60),
    ) -> None:
        self.bot = bot
        self.session_factory = session_factory
        self.engine = session_factory.kw["bind"]
        self.snapshots = create_snapshot_factory(self.engine)
        self.pacer = Pacer(rate)
        self.batch = batch
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.idle = idle
        self.lease = lease
        #: One message in flight at a time, marked sent before the next goes: a crash repeats
        #: at most one. The round trip then bounds the rate (40 ms a message at 25/s).
        self._in_flight = asyncio.Lock()
        self._urgent = 0
        self._calm = asyncio.Event()  # set while no update is delivering its own rows
        self._calm.set()
        self._task: asyncio.Task[None] | None = None
        self._network_delay = 1.0

    # -- life ----------------------------------------------------------------------------------

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def deliver(self, ids: Sequence[int]) -> None:
        """Send the rows an update just committed, now, in its own task."""
        self._urgent += 1
        self._calm.clear()
        try:
            await self._send_all(await self._claim(ids), urgent=True)
        except Exception:  # they stay in the table: the loop takes them over after the grace
            log.exception("outbox rows %s not delivered now; the sender will", list(ids))
        finally:
            self._urgent -= 1
            if not self._urgent:
                self._calm.set()

    # -- the loop ------------------------------------------------------------------------------

    async def _run(self) -> None:
        if self.engine.dialect.name == "sqlite":  # the only sender: what it claimed goes again
            async with write_lock(self.engine), self.session_factory() as session:
                again = await queue.recover(session)
                await session.commit()
            if again:
                log.warning("outbox: %s messages claimed before a stop are sent again", again)
        while True:
            try:
                claimed = await self._claim(None)
            except Exception as exc:  # the database away: try again in a while
                log.warning("outbox: cannot read the queue (%s); again in %s s", exc, self.idle)
                claimed = []
            if claimed:
                try:
                    await self._send_all(claimed)
                except Exception as exc:  # the database went away mid-claim, say
                    # What is left of the claim goes again once its lease has run out.
                    log.warning("outbox: sending stopped (%s); again in %s s", exc, self.idle)
                    await asyncio.sleep(self.idle)
                continue
            await asyncio.sleep(self.idle)

    async def _claim(self, ids: Sequence[int] | None) -> list[Claimed]:
        limit = self.batch if ids is None else len(ids)
        async with write_lock(self.engine), self.session_factory() as session:
            rows = await queue.claim(session, limit=limit, ids=ids, lease=self.lease)
            claimed = [Claimed(row.id, row.recipient_id) for row in rows]
            await session.commit()
        return claimed

    async def _send_all(self, claimed: list[Claimed], *, urgent: bool = False) -> None:
        for index, row in enumerate(claimed):
            rest = [c.id for c in claimed[index + 1 :]]
            try:
                await self._send_one(row, rest, urgent=urgent)
            except asyncio.CancelledError:
                # Stopping: the rows not begun go back untried (the one in hand may repeat).
                with contextlib.suppress(Exception):
                    await self._write(queue.release, rest)
                raise

    # -- one message ---------------------------------------------------------------------------

    async def _send_one(self, row: Claimed, rest: list[int], *, urgent: bool = False) -> None:
        try:
            async with self.snapshots() as session:
                message = await session.get(OutboxMessage, row.id)
                user = await session.get(User, row.recipient_id)
                if message is None or user is None:  # gone meanwhile: nothing to send
                    await self._write(queue.mark_cancelled, row.id, "no such message or person")
                    return
                if user.blocked_at is not None:
                    await self._write(queue.mark_recipient_blocked, user.id, "blocked the bot")
                    return
                screen = await render(session, message, user)
                chat_id = user.telegram_id
        except Exception as exc:
            log.exception("outbox row %s cannot be drawn", row.id)
            await self._retry(row, f"cannot be drawn: {exc}")
            return
        if screen is None:
            await self._write(queue.mark_cancelled, row.id, "nothing to send any more")
            return
        while True:
            await self.pacer.wait(chat_id)
            if not urgent:  # notices an update just committed go before the bulk
                await self._calm.wait()
            async with self._in_flight:
                if self.pacer.paused():
                    continue  # a 429 came while this one waited its turn
                await self.pacer.limiter.acquire()
                try:
                    await send_screen(self.bot, chat_id, screen)
                except TelegramRetryAfter as exc:
                    log.warning("outbox: Telegram asks for %s s of quiet; pausing", exc.retry_after)
                    self.pacer.pause(exc.retry_after)
                    continue
                except TelegramNetworkError as exc:
                    log.warning(
                        "outbox: Telegram unreachable (%s); pausing %.0f s",
                        exc,
                        self._network_delay,
                    )
                    self.pacer.pause(self._network_delay)
                    self._network_delay = min(self._network_delay * 2, 60.0)
                    continue
                except TelegramForbiddenError as exc:
                    await self._write(queue.mark_recipient_blocked, row.recipient_id, str(exc))
                    return
                except TelegramAPIError as exc:
                    await self._retry(row, str(exc))
                    return
                self.pacer.sent(chat_id)
                self._network_delay = 1.0
                # Marked before the next one goes: only this one can repeat after a crash.
                await self._write(queue.mark_sent, row.id, rest)
                return

    async def _retry(self, row: Claimed, error: str) -> None:
        state = await self._write(
            queue.mark_retry, row.id, error, max_attempts=self.max_attempts, backoff=self.backoff
        )
        if state == queue.FAILED:
            log.warning("outbox row %s failed for good: %s", row.id, error)

    async def _write(self, change: Any, *args: Any, **kwargs: Any) -> Any:
        async with write_lock(self.engine), self.session_factory() as session:
            result = await change(session, *args, **kwargs)
            await session.commit()
        return result
