"""Bot API request middlewares that change when a call goes out."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from aiogram.methods import GetUpdates, SendMessage
from aiogram.types import Update

from bot.app import create_app, create_bot
from bot.config import Settings
from bot.middlewares.requests import UpdatesFirst, UpdatesInHand
from bot.middlewares.update_context import UpdateContextMiddleware


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


class Telegram:
    """getUpdates that hands out one new update per call."""

    def __init__(self) -> None:
        self.asked: list[int] = []

    async def __call__(self, _bot: Any, method: Any) -> list[Update]:
        self.asked.append(method.offset)
        return [Update(update_id=method.offset)]


async def test_polling_asks_for_more_once_the_updates_in_hand_have_committed() -> None:
    in_hand = UpdatesInHand()
    pacer = UpdatesFirst(in_hand)
    telegram = Telegram()
    await pacer(telegram, None, GetUpdates(offset=1, timeout=10))  # type: ignore[arg-type]
    assert in_hand.pending == {1}
    asking = asyncio.create_task(pacer(telegram, None, GetUpdates(offset=2, timeout=10)))  # type: ignore[arg-type]
    for _ in range(10):
        await asyncio.sleep(0)
    assert telegram.asked == [1]  # update 1 still holds (or waits for) the write lock
    in_hand.settled(1)
    await asking
    assert telegram.asked == [1, 2] and in_hand.pending == {2}


async def test_polling_goes_on_when_an_update_takes_too_long(
    caplog: pytest.LogCaptureFixture,
) -> None:
    in_hand = UpdatesInHand(patience=0.01)
    in_hand.received([5])
    telegram = Telegram()
    await UpdatesFirst(in_hand)(telegram, None, GetUpdates(offset=6, timeout=10))  # type: ignore[arg-type]
    assert telegram.asked == [6] and in_hand.pending == {6}
    assert "still at work" in caplog.text


async def test_the_app_paces_polling_by_the_updates_its_dispatcher_commits(tmp_path: Path) -> None:
    app = create_app(
        Settings(
            bot_token="123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'app.db'}",
        )
    )
    try:
        pacer = app.bot.session.middleware._middlewares[0]
        outer = app.dispatcher.update.outer_middleware
        [context] = [m for m in outer if isinstance(m, UpdateContextMiddleware)]
        assert isinstance(pacer, UpdatesFirst) and pacer.in_hand is not None
        assert context.in_hand is pacer.in_hand
    finally:
        await app.close()
    # PostgreSQL queues no update behind another: polling is not held back there.
    app = create_app(
        Settings(
            bot_token="123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none",  # never connected
        )
    )
    try:
        pacer = app.bot.session.middleware._middlewares[0]
        assert isinstance(pacer, UpdatesFirst) and pacer.in_hand is None
    finally:
        await app.close()
