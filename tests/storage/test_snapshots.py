"""Snapshot sessions: reading what is committed while the one writer of the moment goes on."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine, create_session_factory, create_snapshot_factory, write_lock


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'snap.db'}")
    async with engine.begin() as conn:
        await conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
        await conn.exec_driver_sql("INSERT INTO t (name) VALUES ('committed')")
    yield engine
    await engine.dispose()


async def names(engine: AsyncEngine) -> list[str]:
    async with create_snapshot_factory(engine)() as session:
        return list((await session.scalars(text("SELECT name FROM t ORDER BY id"))).all())


async def test_a_snapshot_reads_the_last_commit_while_a_writer_holds_the_lock(
    engine: AsyncEngine,
) -> None:
    writers = create_session_factory(engine)
    async with write_lock(engine), writers() as writer:
        await writer.execute(text("INSERT INTO t (name) VALUES ('not yet')"))
        # The writer holds SQLite's write lock. A reader that asked for it too (BEGIN
        # IMMEDIATE) would wait out busy_timeout, 10 s; a snapshot does not wait at all.
        assert await asyncio.wait_for(names(engine), timeout=5) == ["committed"]
        await writer.commit()
    assert await names(engine) == ["committed", "not yet"]


async def test_a_snapshot_refuses_to_write_and_its_connection_writes_again_after(
    engine: AsyncEngine,
) -> None:
    async with create_snapshot_factory(engine)() as session:
        connection = await session.connection()
        raw = (await connection.get_raw_connection()).driver_connection
        with pytest.raises(OperationalError, match="only reads"):
            await session.execute(text("INSERT INTO t (name) VALUES ('sneaked')"))
    async with write_lock(engine), create_session_factory(engine)() as session:
        connection = await session.connection()
        assert (await connection.get_raw_connection()).driver_connection is raw  # same one
        await session.execute(text("INSERT INTO t (name) VALUES ('written')"))
        await session.commit()
    assert await names(engine) == ["committed", "written"]
