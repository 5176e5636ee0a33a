"""Bot API request middlewares that change when a call goes out."""

from __future__ import annotations

import asyncio
from typing import Any

from aiogram.methods import GetUpdates, SendMessage

from bot.app import create_bot
from bot.config import Settings
from bot.middlewares.requests import UpdatesFirst


async def order_of(method: Any) -> list[str]:
    """What ran first: an update task started just before the call, or the call."""
    seen: list[str] = []

    async def handler() -> None:
        seen.append("update")

    async def make_request(_bot: Any, _method: Any) -> Any:
        seen.append("request")

    task = asyncio.create_task(handler())  # as aiogram's polling loop starts each update
    await UpdatesFirst()(make_request, None, method)  # type: ignore[arg-type]
    await task
    return seen


async def test_updates_received_start_before_the_next_get_updates() -> None:
    assert await order_of(GetUpdates(offset=5, timeout=10)) == ["update", "request"]


async def test_other_calls_go_out_at_once() -> None:
    assert await order_of(SendMessage(chat_id=1, text="x")) == ["request", "update"]


async def test_the_bot_yields_to_new_updates_before_anything_else() -> None:
    bot = create_bot(Settings(bot_token="123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    try:
        assert isinstance(bot.session.middleware._middlewares[0], UpdatesFirst)
    finally:
        await bot.session.close()
