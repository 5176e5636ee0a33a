"""The outbox against the emulator with flood limits on: people in the database and the chat."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.dialogs.screen import Screen, screen_to_payload
from bot.outbox.queue import Outgoing, enqueue
from bot.outbox.render import SCREEN
from sandbox.client import SandboxClient
from sandbox.flood import FloodLimits
from sandbox.server import DEFAULT_TOKEN, Sandbox, run_sandbox
from storage.models import OutboxMessage, User
from tests.e2e.conftest import sandbox_settings

#: Telegram's limits, ten times faster: the same shape of pacing, a tenth of the waiting.
FAST_LIMITS = FloodLimits(global_rate=300.0, global_burst=300.0, chat_rate=1.0, chat_burst=5.0)


@pytest.fixture
async def limited() -> AsyncIterator[Sandbox]:
    async with run_sandbox(DEFAULT_TOKEN, flood=FAST_LIMITS) as running:
        yield running


@pytest.fixture
def outbox_settings(database_url: str, limited: Sandbox, tmp_path: Path) -> Settings:
    return sandbox_settings(database_url, limited, tmp_path)


async def people(
    session_factory: async_sessionmaker[AsyncSession],
    client: SandboxClient,
    count: int,
    first: int = 700_000,
) -> list[User]:
    """``count`` people who started the bot: a row each in the database and in the emulator."""
    telegram_ids = list(range(first, first + count))
    async with session_factory() as session:
        session.add_all(User(telegram_id=t, full_name=f"Người {t}") for t in telegram_ids)
        await session.commit()
        users = list(await session.scalars(select(User).where(User.telegram_id.in_(telegram_ids))))
    for start in range(0, count, 100):
        await asyncio.gather(
            *(client.user(t, f"Người {t}", started=True) for t in telegram_ids[start : start + 100])
        )
    return sorted(users, key=lambda u: u.telegram_id)


def note(user: User, text: str, cause: str = "broadcast:test") -> Outgoing:
    return Outgoing(user.id, SCREEN, screen_to_payload(Screen(text, edit=False)), cause=cause)


async def queue_now(
    session_factory: async_sessionmaker[AsyncSession], messages: list[Outgoing]
) -> list[int]:
    """Queue ``messages`` due at once (not left for the update that wrote them to send)."""
    async with session_factory() as session:
        ids = await enqueue(session, messages, grace=timedelta(0))
        await session.commit()
    return ids


async def states(session_factory: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with session_factory() as session:
        rows = await session.scalars(select(OutboxMessage.state))
        out: dict[str, int] = {}
        for state in rows:
            out[state] = out.get(state, 0) + 1
        return out


def received(sandbox: Sandbox, telegram_id: int) -> list[str]:
    """What the bot wrote in this person's chat, oldest first."""
    chat = sandbox.state.chats.get(telegram_id, {})
    return [m.text or "" for m in chat.values() if m.sender == "bot"]
