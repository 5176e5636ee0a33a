"""WAL checkpoints in the background: the bot's commits never copy the log themselves."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import create_app
from bot.config import Settings
from sandbox.server import DEFAULT_TOKEN
from storage.checkpoints import WalCheckpointer
from storage.db import autocheckpoints, create_engine

PAGES = 1500  # more than SQLite's automatic checkpoint threshold of 1000 pages


async def _autocheckpoint_setting(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.exec_driver_sql("PRAGMA wal_autocheckpoint")).scalar_one())


async def _write_pages(engine: AsyncEngine, pages: int) -> None:
    """Each commit adds about one 4 KB page to the log."""
    async with engine.begin() as conn:
        await conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, b BLOB)")
    for _ in range(pages // 50):
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO t (b) VALUES (randomblob(3500))"), [{}] * 50)


@pytest.fixture
async def quiet_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}", wal_autocheckpoint=False)
    yield engine
    await engine.dispose()


async def test_only_engines_that_ask_skip_sqlite_checkpoints(
    tmp_path: Path, quiet_engine: AsyncEngine
) -> None:
    plain = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'p.db'}")
    memory = create_engine("sqlite+aiosqlite://", wal_autocheckpoint=False)
    try:
        assert await _autocheckpoint_setting(quiet_engine) == 0
        assert await _autocheckpoint_setting(plain) == 1000
        assert not autocheckpoints(quiet_engine)
        assert autocheckpoints(plain) and autocheckpoints(memory)  # no file, no WAL
        assert WalCheckpointer(quiet_engine).enabled
        assert not WalCheckpointer(plain).enabled
        assert not WalCheckpointer(memory).enabled
    finally:
        await plain.dispose()
        await memory.dispose()


async def test_commits_leave_the_log_to_the_checkpointer(quiet_engine: AsyncEngine) -> None:
    checkpointer = WalCheckpointer(quiet_engine)
    try:
        await _write_pages(quiet_engine, PAGES)
        result = await checkpointer.checkpoint()
        assert result is not None
        busy, frames, copied = result
        # SQLite would have copied the log at 1000 pages, inside one of the commits.
        assert frames > 1000
        assert (busy, copied) == (0, frames)
        async with quiet_engine.connect() as conn:
            count = (await conn.exec_driver_sql("SELECT count(*) FROM t")).scalar_one()
        assert count == PAGES // 50 * 50
    finally:
        await checkpointer.stop()


async def test_the_task_checkpoints_only_after_commits(quiet_engine: AsyncEngine) -> None:
    checkpointer = WalCheckpointer(quiet_engine, interval=0.02)
    await checkpointer.start()
    try:
        await asyncio.sleep(0.15)
        assert checkpointer.checkpoints == 0  # nothing committed, nothing to do
        await _write_pages(quiet_engine, 100)
        for _ in range(500):  # five seconds at most
            if checkpointer.checkpoints:
                break
            await asyncio.sleep(0.01)
        assert checkpointer.checkpoints >= 1
        await asyncio.sleep(0.2)  # one may have started between the two commits: let it end
        done = checkpointer.checkpoints
        await asyncio.sleep(0.15)
        assert checkpointer.checkpoints == done  # and not again until the next commit
    finally:
        await checkpointer.stop()
    assert checkpointer._task is None and checkpointer._connection is None


async def test_the_bot_checkpoints_in_the_background(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token=SecretStr(DEFAULT_TOKEN),
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
    )
    app = create_app(settings)
    try:
        assert not autocheckpoints(app.engine)
        starters = [getattr(h.callback, "__self__", None) for h in app.dispatcher.startup.handlers]
        stoppers = [getattr(h.callback, "__self__", None) for h in app.dispatcher.shutdown.handlers]
        checkpointers = [s for s in starters if isinstance(s, WalCheckpointer)]
        assert len(checkpointers) == 1 and checkpointers[0] in stoppers
        assert checkpointers[0].enabled
    finally:
        await app.close()
