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
from storage.db import (
    BACKSTOP_CHECKPOINT_PAGES,
    WAL_SIZE_LIMIT,
    autocheckpoints,
    create_engine,
)

PAGES = 1500  # more than SQLite's automatic checkpoint threshold of 1000 pages


async def _pragma(engine: AsyncEngine, name: str) -> int:
    async with engine.connect() as conn:
        return int((await conn.exec_driver_sql(f"PRAGMA {name}")).scalar_one())


async def _write_pages(engine: AsyncEngine, pages: int) -> None:
    """Each row takes about one 4 KB page of the log."""
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


async def test_only_engines_that_ask_leave_checkpoints_to_the_task(
    tmp_path: Path, quiet_engine: AsyncEngine
) -> None:
    plain = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'p.db'}")
    memory = create_engine("sqlite+aiosqlite://", wal_autocheckpoint=False)
    # A URL with options may name the file differently (uri=true): not one to open by path.
    uri = create_engine(
        f"sqlite+aiosqlite:///file:{tmp_path / 'u.db'}?uri=true", wal_autocheckpoint=False
    )
    try:
        assert await _pragma(quiet_engine, "wal_autocheckpoint") == BACKSTOP_CHECKPOINT_PAGES
        assert await _pragma(quiet_engine, "journal_size_limit") == WAL_SIZE_LIMIT
        assert await _pragma(plain, "wal_autocheckpoint") == 1000
        assert not autocheckpoints(quiet_engine)
        assert autocheckpoints(plain) and autocheckpoints(memory) and autocheckpoints(uri)
        assert WalCheckpointer(quiet_engine).enabled
        assert not any(WalCheckpointer(e).enabled for e in (plain, memory, uri))
        assert await WalCheckpointer(plain).round() is None
    finally:
        for engine in (plain, memory, uri):
            await engine.dispose()


async def test_commits_leave_the_log_to_the_checkpointer(quiet_engine: AsyncEngine) -> None:
    checkpointer = WalCheckpointer(quiet_engine)
    try:
        await _write_pages(quiet_engine, PAGES)
        result = await checkpointer.checkpoint()
        assert result is not None
        # SQLite would have copied the log at 1000 pages, inside one of the commits.
        assert result.frames > 1000
        assert result.complete
        async with quiet_engine.connect() as conn:
            count = (await conn.exec_driver_sql("SELECT count(*) FROM t")).scalar_one()
        assert count == PAGES // 50 * 50
    finally:
        await checkpointer.stop()


async def test_the_log_stays_bounded_without_the_task(quiet_engine: AsyncEngine) -> None:
    """SQLite's own checkpoint comes back, later, when the background ones do not run."""
    checkpointer = WalCheckpointer(quiet_engine)
    try:
        await _write_pages(quiet_engine, BACKSTOP_CHECKPOINT_PAGES + 1000)
        result = await checkpointer.checkpoint()
        assert result is not None and result.frames < BACKSTOP_CHECKPOINT_PAGES
    finally:
        await checkpointer.stop()


async def test_a_round_checkpoints_only_what_commits_left(quiet_engine: AsyncEngine) -> None:
    checkpointer = WalCheckpointer(quiet_engine)
    try:
        assert await checkpointer.round() is None  # nothing committed, nothing to do
        await _write_pages(quiet_engine, 100)
        first = await checkpointer.round()
        assert first is not None and first.complete and first.frames > 0
        assert await checkpointer.round() is None  # and nothing again until the next commit
        await _write_pages(quiet_engine, 50)
        assert await checkpointer.round() is not None
        assert checkpointer.checkpoints == 2
    finally:
        await checkpointer.stop()


async def test_a_failed_round_is_tried_again_on_a_new_connection(
    quiet_engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    checkpointer = WalCheckpointer(quiet_engine)
    try:
        await _write_pages(quiet_engine, 50)
        assert await checkpointer.checkpoint() is not None
        broken = checkpointer._connection
        assert broken is not None
        await broken.close()  # as a connection gone bad would fail
        await _write_pages(quiet_engine, 50)
        assert await checkpointer.round() is None
        assert "WAL checkpoint failed" in caplog.text
        assert checkpointer._connection is None
        result = await checkpointer.round()  # the commits are still owed a checkpoint
        assert result is not None and result.complete
    finally:
        await checkpointer.stop()


async def test_the_task_runs_rounds_until_stopped(quiet_engine: AsyncEngine) -> None:
    checkpointer = WalCheckpointer(quiet_engine, interval=0.01)
    await checkpointer.start()
    try:
        await _write_pages(quiet_engine, 50)
        for _ in range(500):  # five seconds at most
            if checkpointer.checkpoints:
                break
            await asyncio.sleep(0.01)
        assert checkpointer.checkpoints >= 1
    finally:
        await checkpointer.stop()
    assert checkpointer._task is None and checkpointer._connection is None


async def test_the_bot_app_starts_and_stops_a_checkpointer(tmp_path: Path) -> None:
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
