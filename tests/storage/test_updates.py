"""De-duplication keeps Telegram's contract: a repeat does nothing, a new update is handled."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from aiogram.types import CallbackQuery, Chat, Message, Update, User
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.middlewares.update_identity import update_fingerprint, update_source
from storage.models import ProcessedUpdate
from storage.updates import REDELIVERY_WINDOW, UpdateKey, claim_update, prune_processed

SANDBOX = "123456789@127.0.0.1:8081"


async def _claim(factory: async_sessionmaker[AsyncSession], key: UpdateKey) -> bool:
    async with factory() as session:
        claimed = await claim_update(session, key)
        await session.commit()
        return claimed


async def _count(factory: async_sessionmaker[AsyncSession]) -> int:
    async with factory() as session:
        return await session.scalar(select(func.count()).select_from(ProcessedUpdate)) or 0


async def test_a_repeat_does_nothing_and_a_rolled_back_claim_is_no_claim(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    first = UpdateKey(SANDBOX, 41, "message:7:1:1765000000")
    assert await _claim(session_factory, first) is True
    assert await _claim(session_factory, first) is False  # Telegram delivered it again
    second = UpdateKey(SANDBOX, 42, "message:7:2:1765000001")
    async with session_factory() as session:
        assert await claim_update(session, second) is True
        await session.rollback()  # the handler failed before its commit
    assert await _claim(session_factory, second) is True
    assert await _count(session_factory) == 2


async def test_a_counter_that_started_again_is_handled_not_dropped(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    for n in range(3):
        assert await _claim(session_factory, UpdateKey(SANDBOX, 1001 + n, f"message:7:{n}:100"))
    # The server started again and counts from 1001 once more: other messages, same ids.
    again = UpdateKey(SANDBOX, 1001, "message:7:1:5000")
    assert await _claim(session_factory, again) is True
    assert await _claim(session_factory, again) is False  # and its own repeat is still a repeat
    assert await _claim(session_factory, UpdateKey(SANDBOX, 1002, "callback_query:99")) is True
    assert await _count(session_factory) == 3


async def test_another_bot_or_server_is_another_window(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    same = "message:7:1:100"
    assert await _claim(session_factory, UpdateKey(SANDBOX, 5, same)) is True
    assert await _claim(session_factory, UpdateKey("987654@api.telegram.org", 5, same)) is True
    assert await _claim(session_factory, UpdateKey("123456789@api.telegram.org", 5, same)) is True
    assert await _count(session_factory) == 3


async def test_an_old_claim_outside_the_redelivery_window_does_not_block(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    key = UpdateKey(SANDBOX, 77, "sha256:abc")
    assert await _claim(session_factory, key) is True
    long_ago = datetime.now(UTC) - REDELIVERY_WINDOW - timedelta(minutes=1)
    async with session_factory() as session:
        await session.execute(update(ProcessedUpdate).values(processed_at=long_ago))
        await session.commit()
    assert await _claim(session_factory, key) is True  # Telegram cannot redeliver that late
    assert await _claim(session_factory, key) is False
    async with session_factory() as session:
        await session.execute(
            update(ProcessedUpdate).values(processed_at=long_ago - timedelta(days=3))
        )
        assert await prune_processed(session) == 1
        await session.commit()
    assert await _count(session_factory) == 0


def _message(message_id: int, at: int, text: str = "1975") -> Update:
    person = User(id=7, is_bot=False, first_name="Hoa")
    message = Message(
        message_id=message_id,
        date=datetime.fromtimestamp(at, UTC),
        chat=Chat(id=7, type="private"),
        from_user=person,
        text=text,
    )
    return Update(update_id=1001, message=message)


def test_fingerprints_repeat_for_a_redelivery_and_differ_for_another_update() -> None:
    assert update_fingerprint(_message(1, 100)) == update_fingerprint(_message(1, 100))
    assert update_fingerprint(_message(1, 100)) != update_fingerprint(_message(1, 101))
    assert update_fingerprint(_message(1, 100)) != update_fingerprint(_message(2, 100))
    person = User(id=7, is_bot=False, first_name="Hoa")
    tap = Update(
        update_id=1001,
        callback_query=CallbackQuery(id="q1", from_user=person, chat_instance="c", data="x"),
    )
    assert update_fingerprint(tap) == "callback_query:q1"
    bare = update_fingerprint(Update(update_id=5))
    assert bare.startswith("sha256:") and bare == update_fingerprint(Update(update_id=6))


def test_the_source_names_the_bot_and_the_api_host() -> None:
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    token = "123456789:AAsandbox-local-test-token-0000000"
    production = Bot(token)
    local = Bot(
        token, session=AiohttpSession(api=TelegramAPIServer.from_base("http://127.0.0.1:8081"))
    )
    assert update_source(production) == "123456789@api.telegram.org"
    assert update_source(local) == "123456789@127.0.0.1:8081"


async def test_the_bot_forgets_old_update_ids_at_start_up(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    from bot.app import UpdatePruner

    assert await _claim(session_factory, UpdateKey(SANDBOX, 1, "old"))
    assert await _claim(session_factory, UpdateKey(SANDBOX, 2, "recent"))
    async with session_factory() as session:
        old = datetime.now(UTC) - timedelta(days=3)
        await session.execute(
            update(ProcessedUpdate).where(ProcessedUpdate.update_id == 1).values(processed_at=old)
        )
        await session.commit()
    pruner = UpdatePruner(session_factory, interval=60)
    await pruner.start()
    for _ in range(100):
        if await _count(session_factory) == 1:
            break
        await asyncio.sleep(0.02)
    await pruner.stop()
    assert await _count(session_factory) == 1
