"""Issue 25: no gap and at most one repeat when the sender dies, and no notice lost to a crash.

The sender runs inside the real bot (`python -m bot run`, a subprocess) and is killed with
SIGKILL halfway through a queue; started again, it sends the rest: every person gets their
message, and at most one gets it twice. On PostgreSQL the claim of the dead sender is taken
over once its lease (OUTBOX_LEASE, 2 s here) has run out; on SQLite at start-up.
"""

from __future__ import annotations

import asyncio
import signal
from datetime import timedelta
from pathlib import Path

from pydantic import AnyHttpUrl
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.outbox import queue
from bot.outbox.sender import OutboxSender
from sandbox.client import SandboxClient
from sandbox.flood import FloodLimits
from sandbox.server import DEFAULT_TOKEN, Sandbox, run_sandbox
from storage.models import OutboxMessage
from tests.e2e.test_restart import spawn_bot, stop_bot_process
from tests.outbox.conftest import note, people, queue_now, received, states

ROOT = Path(__file__).resolve().parents[2]
COUNT = 150


def _delivered(sandbox: Sandbox, telegram_ids: list[int]) -> int:
    return sum(len(received(sandbox, t)) for t in telegram_ids)


async def test_the_sender_killed_halfway_and_started_again_leaves_no_gap_and_one_repeat_at_most(
    limited: Sandbox,
    database_url: str,
    session_factory: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    async with SandboxClient(limited.base_url) as client:
        everyone = await people(session_factory, client, COUNT)
        await queue_now(session_factory, [note(u, f"Hạn nộp: {u.telegram_id}") for u in everyone])
        ids = [u.telegram_id for u in everyone]
        bot = await spawn_bot(limited, database_url, tmp_path, SEND_RATE="25", OUTBOX_LEASE="2")
        try:
            for _ in range(600):
                if _delivered(limited, ids) >= COUNT // 3:
                    break
                await asyncio.sleep(0.02)
        finally:
            bot.send_signal(signal.SIGKILL)
            await bot.wait()
        at_kill = _delivered(limited, ids)
        assert 0 < at_kill < COUNT, at_kill  # killed halfway, not before or after

        bot = await spawn_bot(limited, database_url, tmp_path, SEND_RATE="25", OUTBOX_LEASE="2")
        try:
            for _ in range(1500):
                left = await states(session_factory)
                if left == {queue.SENT: COUNT}:
                    break
                await asyncio.sleep(0.02)
        finally:
            await stop_bot_process(bot)
        assert left == {queue.SENT: COUNT}
        assert await client.flood_refusals() == 0
    got = {u.telegram_id: received(limited, u.telegram_id) for u in everyone}
    assert all(texts and set(texts) == {f"Hạn nộp: {t}"} for t, texts in got.items())  # no gap
    repeats = sum(len(texts) - 1 for texts in got.values())
    assert repeats <= 1, repeats


async def test_a_reviewer_notice_survives_a_crash_right_after_the_commit(
    outbox_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    monkeypatch: object,
) -> None:
    """The submission commits, and the process dies before it sends anything to others.

    The proposer walks the wizard at the speed of a test, faster than the flood limits allow
    one chat: this emulator has none.
    """
    async with run_sandbox(DEFAULT_TOKEN, flood=FloodLimits.off()) as free:
        settings = outbox_settings.model_copy(
            update={"telegram_api_base": AnyHttpUrl(free.base_url)}
        )
        await _crash_after_commit(free, settings, session_factory, monkeypatch)


async def _crash_after_commit(
    sandbox: Sandbox,
    outbox_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    monkeypatch: object,
) -> None:
    from bot.demo import seed
    from bot.handlers.wizard import today
    from tests.e2e.conftest import start_bot, stop_bot
    from tests.e2e.test_review import _activate, quick
    from tests.e2e.test_wizard import proposer

    async with session_factory() as session:
        await seed(session, today().date())
        await session.commit()
    await _activate(session_factory, "tiny-plan.toml")

    async def dies(self: OutboxSender, ids: object) -> None:
        return None  # the crash: what was committed is never sent by this process

    async def never(self: OutboxSender) -> None:
        return None  # nor by its background loop

    monkeypatch.setattr(OutboxSender, "deliver", dies)  # type: ignore[attr-defined]
    monkeypatch.setattr(OutboxSender, "start", never)  # type: ignore[attr-defined]
    app, task = await start_bot(outbox_settings)
    async with SandboxClient(sandbox.base_url, timeout=15) as client:
        officer = await client.user(1003, "Nguyễn Thị Lan", started=True)
        head = await proposer(client, session_factory, "village_head", "KT-KR-DRU-T1", 9510)
        before = len(await officer.messages())
        await quick(head)
        await stop_bot(app, task)
        assert len(await officer.messages()) == before  # nothing reached the reviewer
        assert (await states(session_factory)).get(queue.PENDING, 0) >= 1

        monkeypatch.undo()  # type: ignore[attr-defined]
        async with session_factory() as session:  # the grace for the dead update has passed
            await session.execute(
                update(OutboxMessage).values(next_attempt_at=queue.now() - timedelta(seconds=1))
            )
            await session.commit()
        app, task = await start_bot(outbox_settings)  # the bot started again
        try:
            card = await officer.wait_for("📥", timeout=15)
        finally:
            await stop_bot(app, task)
    assert "Tiêu chí" in card["text"]  # the card itself, drawn from what was committed
