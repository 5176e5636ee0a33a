"""Engine and session factory for both modes: SQLite (embedded) and PostgreSQL (scale-out)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary, WeakSet

import orjson
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage import sqlite_trips


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the one writer; foreign keys are off in SQLite unless asked;
    # busy_timeout makes a second writer wait instead of failing at once.
    if dbapi_connection.isolation_level is not None:
        dbapi_connection.isolation_level = None  # let the "begin" event below issue BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


#: With checkpoints in the background (storage/checkpoints.py), SQLite's own stays as a backstop
#: only: a log this long (16 MB) means the background ones have not kept up, and the commit that
#: finds it copies what is left while storage.db.write_lock is held, so the log starts over.
BACKSTOP_CHECKPOINT_PAGES = 4000
#: What a log that did grow is cut back to once it starts over.
WAL_SIZE_LIMIT = 64 * 1024 * 1024


def _backstop_checkpoints(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_CHECKPOINT_PAGES}")
    cursor.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
    cursor.close()


#: Execution option of sessions that only read (see create_snapshot_factory).
SNAPSHOT = "exemplar_snapshot"


def _begin_immediate(connection: Any) -> None:
    # Every update writes (its update_id at least). A deferred transaction that reads first and
    # writes later fails at once with SQLITE_BUSY when another writer committed in between;
    # taking the write lock at BEGIN makes it wait its turn instead. Transactions stay short
    # because nothing is sent to Telegram before the commit (see bot/handlers/ui.py).
    # A snapshot session never writes: its plain BEGIN reads the last commit, and waits for
    # nobody.
    snapshot = bool(connection.get_execution_options().get(SNAPSHOT))
    begin = "BEGIN" if snapshot else "BEGIN IMMEDIATE"
    driver = connection.connection.driver_connection
    if isinstance(driver, sqlite_trips.OneTripConnection):
        # sent with the first statement, one trip; a snapshot's writes are refused
        driver.begin_lazily(begin, reading_only=snapshot)
    else:
        connection.exec_driver_sql(begin)


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _json_loads(text: str | bytes) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # NaN or Infinity, which json.dumps wrote before orjson
        return json.loads(text)


# JSON columns (answers, snapshots, audit details) are written on almost every update.
JSON_CODEC: dict[str, Any] = {"json_serializer": _json_dumps, "json_deserializer": _json_loads}


_BACKGROUND_CHECKPOINTS: WeakSet[Any] = WeakSet()


def create_engine(url: str, *, echo: bool = False, wal_autocheckpoint: bool = True) -> AsyncEngine:
    """``wal_autocheckpoint=False``: on a SQLite file, commits leave the WAL to
    storage.checkpoints.WalCheckpointer, which the caller runs (the bot does)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        options: dict[str, Any] = {}
        on_file = bool(parsed.database) and parsed.database != ":memory:"
        # A plain path (no URL options) is a file opened exactly as named, here and by the
        # checkpointer: fewer thread trips (storage/sqlite_trips.py), background checkpoints.
        plain_file = on_file and not parsed.query
        if on_file:
            Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
        if plain_file:
            options["async_creator"] = sqlite_trips.connector(str(parsed.database))
        engine = create_async_engine(url, echo=echo, **JSON_CODEC, **options)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        if plain_file and not wal_autocheckpoint:
            event.listen(engine.sync_engine, "connect", _backstop_checkpoints)
            _BACKGROUND_CHECKPOINTS.add(engine.sync_engine)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
        return engine
    return create_async_engine(
        url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20, **JSON_CODEC
    )


def autocheckpoints(engine: AsyncEngine) -> bool:
    """False only for a SQLite file engine made with ``wal_autocheckpoint=False``: its WAL is
    checkpointed by storage.checkpoints.WalCheckpointer."""
    return engine.sync_engine not in _BACKGROUND_CHECKPOINTS


_WRITE_LOCKS: WeakKeyDictionary[Any, asyncio.Lock] = WeakKeyDictionary()


def write_lock(engine: AsyncEngine) -> AbstractAsyncContextManager[Any]:
    """On SQLite, one writer at a time, queued fairly in this process.

    SQLite has one write lock; writers that miss it sleep in its busy handler with a backoff of
    up to 100 ms a retry, and give up after busy_timeout. Queueing them on an asyncio lock
    instead costs nothing and keeps latency flat. PostgreSQL needs no such lock.
    """
    if engine.dialect.name != "sqlite":
        return contextlib.nullcontext()
    lock = _WRITE_LOCKS.get(engine.sync_engine)
    if lock is None:
        lock = _WRITE_LOCKS[engine.sync_engine] = asyncio.Lock()
    return lock


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: handlers render what they just saved after committing it.
    return async_sessionmaker(engine, expire_on_commit=False)


def create_snapshot_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that only read what is committed, outside write_lock.

    On SQLite (WAL) such a session sees the database as of its first statement, while the
    writer of the moment goes on; it must not write, which would make it a second writer.
    On PostgreSQL it is an ordinary session.
    """
    # On the engine, not the session: an engine's options reach its connections (and the
    # begin hook above) in every SQLAlchemy 2 release.
    return async_sessionmaker(engine.execution_options(**{SNAPSHOT: True}), expire_on_commit=False)
