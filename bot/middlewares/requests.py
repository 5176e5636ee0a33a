"""Bot API request policies: wait out flood limits a bounded number of times; note blocks."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramForbiddenError, TelegramRetryAfter
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.methods.base import Response, TelegramType
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.workflow.users import mark_blocked
from storage.db import write_lock

log = logging.getLogger(__name__)


class UpdatesFirst(BaseRequestMiddleware):
    """Let the updates just received start before the next ``getUpdates`` is sent.

    aiogram's polling loop starts each update as a task and then at once asks Telegram for the
    next batch; building and sending that request ran before any of the new updates' handlers,
    and so added its cost to every update's answer. Yielding once first lets them start.
    """

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if isinstance(method, GetUpdates):
            await asyncio.sleep(0)
        return await make_request(bot, method)


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
