"""The per-update middleware tells polling when an update no longer needs the write lock."""

from __future__ import annotations

import asyncio
from typing import Any

from aiogram.types import Chat, Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.dialogs.screen import Screen
from bot.middlewares.requests import UpdatesInHand
from bot.middlewares.update_context import UpdateContextMiddleware


class Outbox:
    """The bot, as far as the outbox uses it: what was sent, and what was in hand then."""

    def __init__(self, in_hand: UpdatesInHand) -> None:
        self.in_hand = in_hand
        self.sent: list[tuple[str, frozenset[int]]] = []

    async def __call__(self, method: Any) -> Any:
        self.sent.append((method.text, self.in_hand.pending))
        return {"message_id": 1}


async def run(
    middleware: UpdateContextMiddleware, update_id: int, handler: Any, outbox: Outbox
) -> None:
    data: dict[str, Any] = {"bot": outbox, "event_chat": Chat(id=7, type="private")}
    await middleware(handler, Update(update_id=update_id), data)
    await asyncio.sleep(0)  # the settling is scheduled, not done, before the screen goes out


async def test_updates_settle_once_committed_whether_handled_duplicated_or_failed(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    in_hand = UpdatesInHand()
    in_hand.received([41, 42, 43])
    middleware = UpdateContextMiddleware(session_factory, Settings(), in_hand)
    outbox = Outbox(in_hand)
    during: list[frozenset[int]] = []

    async def handled(_event: Any, data: dict[str, Any]) -> None:
        during.append(in_hand.pending)
        data["ui"].show(Screen("Bước 2/11", edit=False))

    async def failing(_event: Any, _data: dict[str, Any]) -> None:
        raise RuntimeError("the handler broke")

    await run(middleware, 41, handled, outbox)
    assert during == [frozenset({41, 42, 43})]  # in hand while its transaction was open
    assert in_hand.pending == {42, 43}
    assert outbox.sent == [("Bước 2/11", frozenset({41, 42, 43}))]  # the screen went first

    in_hand.received([41])  # Telegram delivered it again
    await run(middleware, 41, handled, outbox)
    assert len(during) == 1 and in_hand.pending == {42, 43}  # skipped, and settled

    await run(middleware, 42, failing, outbox)
    assert in_hand.pending == {43}
    assert outbox.sent[-1][0].startswith("Xin lỗi")  # the person is told, not left waiting
