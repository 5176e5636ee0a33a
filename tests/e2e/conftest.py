"""End-to-end: the real bot, polling the sandbox emulator over loopback HTTP, one test at a time.

The bot handles updates one after another (``handle_as_tasks=False``), so when the sandbox says
an update was acknowledged, everything the bot does for it is visible in the chat.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import AnyHttpUrl, SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App, create_app, run_polling
from bot.config import Settings
from bot.demo import DEMO_PEOPLE, seed
from bot.handlers.wizard import today
from sandbox.client import SandboxClient, SimUser
from sandbox.flood import FloodLimits
from sandbox.server import DEFAULT_TOKEN, Sandbox, run_sandbox


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with run_sandbox(DEFAULT_TOKEN, flood=FloodLimits.off()) as running:
        yield running


def sandbox_settings(database_url: str, sandbox: Sandbox, tmp_path: Path, **more: Any) -> Settings:
    """The bot's settings against ``sandbox`` (and ``more``), with nothing from the environment."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        telegram_api_base=AnyHttpUrl(sandbox.base_url),
        bot_token=SecretStr(DEFAULT_TOKEN),
        evidence_dir=tmp_path / "evidence",
        **more,
    )


@pytest.fixture
def settings(database_url: str, sandbox: Sandbox, tmp_path: Path) -> Settings:
    return sandbox_settings(database_url, sandbox, tmp_path)


def free_port() -> int:
    """A loopback port free just now: for a server that must come back at the same address."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def start_bot(settings: Settings) -> tuple[App, asyncio.Task[None]]:
    app = create_app(settings)
    task = asyncio.create_task(run_polling(app, handle_signals=False, handle_as_tasks=False))
    for _ in range(200):  # until the bot has asked for updates once
        if app.dispatcher._running_lock.locked():
            break
        await asyncio.sleep(0.01)
    return app, task


async def stop_bot(app: App, task: asyncio.Task[None]) -> None:
    try:
        await app.dispatcher.stop_polling()
    except RuntimeError:
        pass
    await asyncio.wait_for(task, 15)


@pytest.fixture
async def bot_app(settings: Settings) -> AsyncIterator[App]:
    app, task = await start_bot(settings)
    yield app
    await stop_bot(app, task)


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(sandbox.base_url, timeout=15) as running:
        yield running


@pytest.fixture
async def seeded(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with session_factory() as session:
        await seed(session, today().date())
        await session.commit()


@pytest.fixture
async def people(client: SandboxClient, seeded: None) -> dict[str, SimUser]:
    """The demo people as simulated users, by role (and 'guest' for the one without)."""
    users: dict[str, SimUser] = {}
    for person in DEMO_PEOPLE:
        user = await client.user(
            person.telegram_id, person.name, language_code=person.language, started=True
        )
        key = person.role or "guest"
        users[key if key not in users else f"{key}_{person.telegram_id}"] = user
    return users
