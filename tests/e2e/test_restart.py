"""Rule 1 across a crash: the bot process is killed mid-wizard and started again; nothing is lost.

The bot runs as a real subprocess (`python -m bot run`) against the sandbox. It is SIGKILLed
after an answer; the user types the next answer while it is down; the restarted bot picks that
update up and files it under the right step, because the draft row, not memory, says where the
wizard stands.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.plans.loader import load_preset
from sandbox.client import SandboxClient
from sandbox.server import DEFAULT_TOKEN, Sandbox
from storage.models import Nomination
from tests.e2e.test_wizard import proposer
from tests.e2e.wizard_driver import complete

ROOT = Path(__file__).resolve().parents[2]


async def stop_bot_process(bot: asyncio.subprocess.Process) -> None:
    """SIGTERM, as an operator stops it; SIGKILL if it has not ended 15 s later."""
    bot.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(bot.wait(), 15)
    except TimeoutError:
        bot.kill()
        await bot.wait()


async def spawn_bot(
    sandbox: Sandbox, database_url: str, tmp_path: Path, **settings: str
) -> asyncio.subprocess.Process:
    """``python -m bot run`` against ``sandbox``, with ``settings`` added to its environment."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TELEGRAM_API_BASE": sandbox.base_url,
        "BOT_TOKEN": DEFAULT_TOKEN,
        "EVIDENCE_DIR": str(tmp_path / "evidence"),
        "LOG_LEVEL": "WARNING",
        **settings,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


@pytest.fixture
async def settled(sandbox: Sandbox) -> AsyncIterator[SandboxClient]:
    # The subprocess handles updates concurrently: collect replies until the chat is quiet.
    async with SandboxClient(sandbox.base_url, timeout=20, settle=0.4) as running:
        yield running


async def test_killed_mid_wizard_resumes_at_the_same_step(
    sandbox: Sandbox,
    settled: SandboxClient,
    seeded: None,
    database_url: str,
    tmp_path: Path,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    user = await proposer(settled, session_factory, "village_head", "KT-KR-DRU-T3", 8001)
    plan = load_preset("kontum-44-2023")
    bot = await spawn_bot(sandbox, database_url, tmp_path)
    try:
        first = await user.send("/propose", timeout=30)
        asked = await complete(user, plan, first, stop_at="Năm sinh?")
        assert asked.last is not None and asked.last.buttons  # Back, at least
        year_screen = asked.last.messages[-1]["message_id"]
    finally:
        bot.send_signal(signal.SIGKILL)
        await bot.wait()

    async with session_factory() as session:
        [draft] = (await session.scalars(select(Nomination))).all()
        assert draft.step == "f:birth_year"
        assert draft.nominee["name"] == "Y Thị Hoa" and draft.nominee["sex"] == "male"

    pending = await user.send("1975", wait=False)  # typed while the bot is down
    bot = await spawn_bot(sandbox, database_url, tmp_path)
    try:
        await settled.wait_handled(pending.update_id or 0, timeout=30)
        resumed = await user.wait_for("Dân tộc?", timeout=10)
        assert "Bước" in resumed["text"]
        # The restarted process knows which screen was current (it is on the person's row)
        # and takes its buttons away, as the first process would have.
        for _ in range(50):
            shown = {m["message_id"]: m for m in await user.messages()}
            if not shown[year_screen]["buttons"]:
                break
            await asyncio.sleep(0.1)
        assert shown[year_screen]["buttons"] == []
        assert shown[resumed["message_id"]]["buttons"]
        async with session_factory() as session:
            [draft] = (await session.scalars(select(Nomination))).all()
            assert draft.nominee["birth_year"] == 1975 and draft.step == "f:ethnicity"
        listing = await user.send("/drafts")
        assert "Y Thị Hoa" in listing.text
        again = await user.press(text="1. Tiếp tục 1")
        run = await complete(user, plan, again)
        assert "Đủ điều kiện" in run.text
    finally:
        await stop_bot_process(bot)
