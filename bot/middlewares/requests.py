"""Bot API request policies: wait out flood limits a bounded number of times; note blocks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramForbiddenError, TelegramRetryAfter
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.workflow.users import mark_blocked
from storage.db import write_lock

log = logging.getLogger(__name__)


class UpdatesInHand:
    """Updates received by long polling whose database work is not finished yet.

    With SQLite every update queues for the one write lock. Asking Telegram for the next batch
    costs the event loop about half a millisecond; done while an update holds the lock, it
    stretched that hold (and every wait behind it) by as much. Updates that arrive meanwhile
    could not have started any sooner: they would have queued for the lock.
    """

    def __init__(self, patience: float = 1.0) -> None:
        #: Never wait longer than this for the next batch, whatever an update is doing.
        self.patience = patience
        self._ids: set[int] = set()
        self._settled = asyncio.Event()
        self._settled.set()

    def received(self, update_ids: Iterable[int]) -> None:
        self._ids.update(update_ids)
        if self._ids:
            self._settled.clear()

    def settled(self, update_id: int) -> None:
        """The update has committed (or failed, or was a duplicate): it no longer needs the lock."""
        self._ids.discard(update_id)
        if not self._ids:
            self._settled.set()

    @property
    def pending(self) -> frozenset[int]:
        return frozenset(self._ids)

    async def wait(self) -> None:
        if self._settled.is_set():
            return
        try:
            async with asyncio.timeout(self.patience):
                await self._settled.wait()
        except TimeoutError:
            log.warning(
                "updates %s still at work after %ss; polling goes on",
                sorted(self._ids),
                self.patience,
            )
            self._ids.clear()
            self._settled.set()


class UpdatesFirst(BaseRequestMiddleware):
    """Let the updates just received do their database work before the next ``getUpdates``.

    aiogram's polling loop starts each update as a task and then at once asks Telegram for the
    next batch; building and sending that request ran inside the new updates' transactions (at
    their first trip to the database) and so added its cost to every answer. Now it waits, up
    to ``UpdatesInHand.patience``, until they have committed. Without a tracker it only yields
    once, which lets the new updates start.
    """

    def __init__(self, in_hand: UpdatesInHand | None = None) -> None:
        self.in_hand = in_hand

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if not isinstance(method, GetUpdates):
            return await make_request(bot, method)
        await asyncio.sleep(0)
        if self.in_hand is None:
            return await make_request(bot, method)
        await self.in_hand.wait()
        updates = await make_request(bot, method)
        # aiogram's request middlewares pass on the call's result itself, despite the hint.
        self.in_hand.received(update.update_id for update in cast(list[Update], updates))
        return updates


class KeepResponseTypes(BaseRequestMiddleware):
    """Keep aiogram's ``Response[T]`` classes alive so pydantic builds each one only once.

    aiogram validates every answer as ``Response[method.__returning__]``; pydantic caches
    parametrized generics in a WeakValueDictionary, so without a strong reference the class
    and its whole schema are rebuilt on every request (measured: most of a step's CPU).
    """

    def __init__(self) -> None:
        self._kept: dict[Any, Any] = {}

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in self._kept:
            self._kept[returning] = Response[returning]  # type: ignore[valid-type]
        return await make_request(bot, method)


class RetryAfterMiddleware(BaseRequestMiddleware):
    """Obey 429's retry_after, at most ``max_retries`` times and never longer than ``max_wait``."""

    def __init__(self, max_retries: int = 3, max_wait: float = 30.0) -> None:
        self.max_retries = max_retries
        self.max_wait = max_wait

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        attempt = 0
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                attempt += 1
                if attempt > self.max_retries or exc.retry_after > self.max_wait:
                    raise
                log.info("flood limit on %s: waiting %ss", type(method).__name__, exc.retry_after)
                await asyncio.sleep(exc.retry_after)


class BlockedUserMiddleware(BaseRequestMiddleware):
    """A 403 means the person blocked the bot: mark them, do not retry."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        try:
            return await make_request(bot, method)
        except TelegramForbiddenError:
            chat_id: Any = getattr(method, "chat_id", None)
            if isinstance(chat_id, int):
                engine = self.session_factory.kw["bind"]
                async with write_lock(engine), self.session_factory() as session:
                    await mark_blocked(session, chat_id)
                    await session.commit()
            raise
