"""aiosqlite with one trip to its thread per statement instead of four.

aiosqlite runs every sqlite3 call on its own thread and hands the result back to the event loop.
Through SQLAlchemy a statement makes four such trips (open a cursor, execute, fetch, close), and
the pool's reset on return makes one more even when nothing is left to roll back. Each trip
costs about 90 µs of CPU on our 2-core benchmark machine, more than the statements themselves:
a wizard step spent a fifth of its time crossing threads.

Here a cursor is opened, executed, fetched and closed in one trip; the transaction's BEGIN
travels with its first statement; a commit or rollback with no open transaction is skipped.
The thread, its queue and the loop never blocking on SQLite stay aiosqlite's own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import aiosqlite

_Description = tuple[tuple[str, None, None, None, None, None, None], ...] | None


def _run(
    connection: sqlite3.Connection, begin: str | None, sql: str, parameters: Any, many: bool
) -> tuple[_Description, int, int | None, list[Any]]:
    """On aiosqlite's thread: everything SQLAlchemy will ask of the cursor, in one go."""
    if begin is not None:
        connection.execute(begin)
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class BufferedCursor:
    """The cursor SQLAlchemy's aiosqlite adapter expects; rows arrive with the execute."""

    arraysize = 1

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self.description: _Description = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: list[Any] = []

    async def __aenter__(self) -> BufferedCursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> BufferedCursor:
        return await self._go(sql, () if parameters is None else parameters, many=False)

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> BufferedCursor:
        return await self._go(sql, list(parameters), many=True)

    async def _go(self, sql: str, parameters: Any, *, many: bool) -> BufferedCursor:
        connection = self._connection
        if connection.reading_only and sql.lstrip()[:6].upper() != "SELECT":
            # A snapshot's writes would bypass storage.db.write_lock: refuse them loudly.
            raise sqlite3.OperationalError(f"a snapshot session only reads: {sql[:60]}")
        begin, connection.pending_begin = connection.pending_begin, None
        self.description, self.rowcount, self.lastrowid, self._rows = await connection._execute(
            _run, connection._conn, begin, sql, parameters, many
        )
        return self

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = self.arraysize if size is None else size
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def close(self) -> None:
        self._rows = []


class OneTripConnection(aiosqlite.Connection):
    #: A BEGIN to run just before the next statement, in the same trip (see begin_lazily).
    pending_begin: str | None = None
    #: The open transaction may only read (see begin_lazily).
    reading_only = False

    def cursor(self) -> BufferedCursor:  # type: ignore[override]
        return BufferedCursor(self)

    def begin_lazily(self, statement: str = "BEGIN", *, reading_only: bool = False) -> None:
        """Open the transaction with the next statement rather than with a trip of its own.

        SQLAlchemy begins a transaction just before its first statement anyway; an error in
        the BEGIN (a lock held too long) is then raised by that statement, and handled the same.
        ``reading_only``: statements other than SELECT raise until it ends.
        """
        self.pending_begin = statement
        self.reading_only = reading_only

    async def commit(self) -> None:
        self.pending_begin = None
        self.reading_only = False
        if self._idle():
            return
        await super().commit()

    async def rollback(self) -> None:
        self.pending_begin = None
        self.reading_only = False
        if self._idle():
            return
        await super().rollback()

    def _idle(self) -> bool:
        # Reading in_transaction from the loop is safe: nothing else is using the connection
        # (SQLAlchemy hands it to one task at a time) and the read touches no database page.
        connection = self._connection
        return connection is not None and not connection.in_transaction


def connector(path: str | Path) -> Callable[[], OneTripConnection]:
    """For ``create_async_engine(async_creator=...)``: a new connection to the file at ``path``."""

    def connect() -> OneTripConnection:
        # check_same_thread=False only so that the loop may read in_transaction (see rollback);
        # isolation_level=None because storage.db issues BEGIN itself.
        connection = OneTripConnection(
            lambda: sqlite3.connect(str(path), check_same_thread=False, isolation_level=None),
            iter_chunk_size=64,
        )
        connection._thread.daemon = True  # as SQLAlchemy does for plain aiosqlite connections
        return connection

    return connect
