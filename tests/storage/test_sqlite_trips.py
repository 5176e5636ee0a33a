"""The one-trip aiosqlite connection: same answers as aiosqlite, fewer trips to its thread."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import sqlite_trips
from storage.db import _json_loads, create_engine


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'trips.db'}")
    async with engine.begin() as conn:
        await conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)")
    yield engine
    await engine.dispose()


async def test_plain_file_urls_use_the_one_trip_connection(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.driver_connection, sqlite_trips.OneTripConnection)


async def test_rows_rowcount_and_lastrowid(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        inserted = await conn.execute(text("INSERT INTO t (name) VALUES ('a')"))
        assert inserted.lastrowid == 1
        await conn.execute(text("INSERT INTO t (name) VALUES (:n)"), [{"n": "b"}, {"n": "c"}])
        changed = await conn.execute(text("UPDATE t SET name = name || '!' WHERE id > 1"))
        assert changed.rowcount == 2
        rows = (await conn.execute(text("SELECT id, name FROM t ORDER BY id"))).all()
        assert [tuple(r) for r in rows] == [(1, "a"), (2, "b!"), (3, "c!")]
        first = (await conn.execute(text("SELECT name FROM t ORDER BY id"))).first()
        assert first is not None and first[0] == "a"
        streamed = await conn.stream(text("SELECT id FROM t ORDER BY id"))
        assert [r[0] async for r in streamed] == [1, 2, 3]


async def test_errors_and_rollback_behave_as_sqlite(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("INSERT INTO t (name) VALUES ('x')"))
        with pytest.raises(IntegrityError):
            await conn.execute(text("INSERT INTO t (name) VALUES ('x')"))
        await conn.rollback()
        count = (await conn.execute(text("SELECT count(*) FROM t"))).scalar()
        assert count == 0


async def test_one_trip_per_statement(engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    trips: list[object] = []
    queue = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        trips.append(fn)
        return await queue(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
        assert len(trips) == 1  # the BEGIN went with the first statement
        trips.clear()
        for _ in range(10):
            assert (await conn.execute(text("SELECT id FROM t"))).all() == []
        assert len(trips) == 10  # stock aiosqlite: 40 (cursor, execute, fetch, close)
        await conn.commit()
    trips.clear()
    async with engine.connect():
        pass  # checked out and returned with nothing to roll back
    assert trips == []


async def test_the_transaction_holds_the_write_lock_from_its_first_statement(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    other = sqlite3.connect(tmp_path / "trips.db", timeout=0, isolation_level=None)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT count(*) FROM t"))  # a read, yet IMMEDIATE
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            await conn.commit()
        other.execute("BEGIN IMMEDIATE")  # released by the commit
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_json_written_before_orjson_still_reads() -> None:
    # json.dumps wrote NaN and Infinity; orjson refuses them when reading.
    assert _json_loads('{"v": Infinity, "w": [1, "ă"]}') == {"v": float("inf"), "w": [1, "ă"]}
    assert _json_loads(b'{"v": 2}') == {"v": 2}
