"""Issue 25: the sender drains the outbox under Telegram's limits, once each, and says why not.

The emulator's flood limits are on (ten times Telegram's rates, so the tests wait a tenth as
long; `python -m bench broadcast` runs at Telegram's own). Counts come from the emulator: the
429s it answered and what each chat received.
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import create_bot
from bot.config import Settings
from bot.outbox import queue
from bot.outbox.sender import OutboxSender
from sandbox.client import SandboxClient
from sandbox.server import Sandbox
from storage.models import OutboxMessage, User
from tests.outbox.conftest import note, people, queue_now, received, states


async def drain(sender: OutboxSender, session_factory: async_sessionmaker[AsyncSession]) -> None:
    """Run the sender until nothing is left to send (or a minute has gone)."""
    await sender.start()
    try:
        for _ in range(1200):
            left = await states(session_factory)
            if not left.get(queue.PENDING) and not left.get(queue.SENDING):
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"the outbox did not drain: {left}")
    finally:
        await sender.stop()


async def run_sender(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession], **options: object
) -> None:
    """A sender of its own, run until the outbox is drained."""
    sender = sender_for(settings, session_factory, **options)
    try:
        await drain(sender, session_factory)
    finally:
        await sender.bot.session.close()


def sender_for(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession], **options: object
) -> OutboxSender:
    bot = create_bot(settings, session_factory)
    return OutboxSender(bot, session_factory, idle=0.05, **options)  # type: ignore[arg-type]


async def test_two_thousand_messages_go_out_once_each_with_no_429(
    limited: Sandbox,
    outbox_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with SandboxClient(limited.base_url) as client:
        everyone = await people(session_factory, client, 2000)
        await queue_now(
            session_factory, [note(u, f"Thông báo cho {u.telegram_id}") for u in everyone]
        )
        await run_sender(outbox_settings, session_factory, rate=250.0, batch=50)
        assert await client.flood_refusals() == 0
    assert await states(session_factory) == {queue.SENT: 2000}
    assert all(
        received(limited, u.telegram_id) == [f"Thông báo cho {u.telegram_id}"] for u in everyone
    )


async def test_one_chat_gets_at_most_one_a_second_and_no_429(
    limited: Sandbox,
    outbox_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with SandboxClient(limited.base_url) as client:
        [reviewer] = await people(session_factory, client, 1)
        await queue_now(session_factory, [note(reviewer, f"Thẻ {n}") for n in range(8)])
        await run_sender(outbox_settings, session_factory, rate=250.0)
        assert await client.flood_refusals() == 0  # the chat's burst of 5 was never needed
        sends = [r for r in await client.requests("sendMessage") if r["ok"]]
    assert received(limited, reviewer.telegram_id) == [f"Thẻ {n}" for n in range(8)]
    gaps = [b["time"] - a["time"] for a, b in itertools.pairwise(sends)]
    assert min(gaps) >= 0.95  # one a second to one chat, in order


async def test_a_person_who_blocked_the_bot_is_marked_and_skipped(
    limited: Sandbox,
    outbox_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with SandboxClient(limited.base_url) as client:
        lan, minh, hoa = await people(session_factory, client, 3)
        blocked = await client.user(minh.telegram_id)
        await blocked.block()
        await queue_now(
            session_factory,
            [note(p, f"{p.telegram_id}: {n}") for n in range(2) for p in (lan, minh, hoa)],
        )
        await run_sender(outbox_settings, session_factory, rate=250.0)
        to_minh = [
            r
            for r in await client.requests("sendMessage")
            if r["params"].get("chat_id") == minh.telegram_id
        ]
    assert len(to_minh) == 1 and to_minh[0]["status"] == 403  # tried once, then left alone
    async with session_factory() as session:
        person = await session.get(User, minh.id)
        assert person is not None and person.blocked_at is not None
        rows = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        # and nothing more is queued for them: a new row is born blocked
        await queue.enqueue(session, [note(minh, "sau đó")])
        await session.commit()
    assert [r.state for r in rows if r.recipient_id == minh.id] == ["blocked", "blocked"]
    assert all(r.state == "sent" for r in rows if r.recipient_id != minh.id)
    assert "blocked" in (rows[1].last_error or "")
    assert (await states(session_factory))["blocked"] == 3
    assert len(received(limited, lan.telegram_id)) == 2


async def test_a_429_pauses_the_whole_sender_for_its_retry_after(
    limited: Sandbox,
    outbox_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with SandboxClient(limited.base_url) as client:
        everyone = await people(session_factory, client, 6)
        await queue_now(session_factory, [note(u, "Nhắc hạn") for u in everyone])
        await client.inject_flood(retry_after=2, count=1)
        await run_sender(outbox_settings, session_factory, rate=250.0)
        assert await client.flood_refusals() == 1
        sends = await client.requests("sendMessage")
    assert [r["status"] for r in sends] == [429] + [200] * 6
    assert sends[1]["time"] - sends[0]["time"] >= 2.0  # nothing at all went meanwhile
    assert all(received(limited, u.telegram_id) == ["Nhắc hạn"] for u in everyone)


async def test_other_errors_are_retried_then_failed_with_the_reason_and_can_be_retried(
    limited: Sandbox,
    outbox_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with SandboxClient(limited.base_url) as client:
        [lan] = await people(session_factory, client, 1)
        async with session_factory() as session:
            # A chat the emulator does not know: 400 "chat not found", every time.
            ghost = User(telegram_id=123, full_name="Không có")
            session.add(ghost)
            await session.flush()
            await queue.enqueue(session, [note(ghost, "?"), note(lan, "ok")], grace=timedelta(0))
            await session.commit()
        await run_sender(
            outbox_settings,
            session_factory,
            rate=250.0,
            max_attempts=3,
            backoff=timedelta(milliseconds=10),
        )
        tries = [r for r in await client.requests("sendMessage") if r["params"]["chat_id"] == 123]
    assert len(tries) == 3
    async with session_factory() as session:
        [failed] = await queue.failed(session)
        assert failed.recipient_id == ghost.id and failed.attempts == 3
        assert "chat not found" in (failed.last_error or "")
        assert await queue.retry(session) == 1
        await session.commit()
    assert (await states(session_factory))["pending"] == 1


async def test_the_sender_outlives_a_database_error_and_sends_the_rest_later(
    limited: Sandbox,
    outbox_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    monkeypatch: object,
) -> None:
    real = queue.mark_sent
    failures = {"left": 1}

    async def flaky(session: AsyncSession, row_id: int, still: object = ()) -> None:
        if failures["left"]:
            failures["left"] -= 1
            raise OSError("database unreachable")
        await real(session, row_id, still)  # type: ignore[arg-type]

    monkeypatch.setattr(queue, "mark_sent", flaky)  # type: ignore[attr-defined]
    async with SandboxClient(limited.base_url) as client:
        everyone = await people(session_factory, client, 5)
        await queue_now(session_factory, [note(u, "Nhắc") for u in everyone])
        await run_sender(
            outbox_settings, session_factory, rate=250.0, lease=timedelta(milliseconds=300)
        )
    got = [len(received(limited, u.telegram_id)) for u in everyone]
    assert min(got) == 1 and sum(got) <= 6  # nobody missed; the one in flight may repeat
    assert await states(session_factory) == {queue.SENT: 5}
