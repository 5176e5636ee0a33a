"""WAL checkpoints on a connection of their own, so that no commit pays for one.

In WAL mode SQLite copies the log back into the database file once the log passes 1000 pages,
and by default the commit that crossed the line does the copy, with its fsync, before it
returns; our storage.db.write_lock is held all the while. On our benchmark machine that commit
took 15-20 ms instead of 1, about every 250 wizard steps, and every update queued at the lock
waited for it: a good part of the slowest 1% of steps.

The bot's engine is therefore made with ``wal_autocheckpoint=False`` (storage.db.create_engine)
and this task checkpoints instead, every ``interval`` seconds after commits. A PASSIVE
checkpoint waits for no reader or writer, and writers do not wait for it; its fsync happens on
aiosqlite's thread, not on the event loop. A commit that lands during it leaves frames behind,
which the next round copies. Should the rounds fall behind (or fail), SQLite's own checkpoint
comes back at a higher threshold (storage.db.BACKSTOP_CHECKPOINT_PAGES), so the log stays
bounded. Other processes (the CLI) keep SQLite's defaults, and the last connection to close
checkpoints as it always does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, NamedTuple

import aiosqlite
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import sqlite_trips
from storage.db import autocheckpoints

log = logging.getLogger(__name__)


class Checkpoint(NamedTuple):
    """What ``PRAGMA wal_checkpoint`` answers."""

    busy: int  # 1: another checkpoint (in another process) was running
    frames: int  # frames in the log
    copied: int  # frames now in the database file

    @property
    def complete(self) -> bool:
        return not self.busy and self.copied == self.frames


class WalCheckpointer:
    """Checkpoints one SQLite file's WAL in the background; does nothing for other databases."""

    def __init__(self, engine: AsyncEngine, interval: float = 1.0) -> None:
        self.interval = interval
        # None: not SQLite, or SQLite's own automatic checkpoints are on.
        self.path: str | None = None if autocheckpoints(engine) else engine.url.database
        self.commits = 0
        self.checkpoints = 0
        self._done_at = 0  # the commit count when a checkpoint last copied the whole log
        self._task: asyncio.Task[None] | None = None
        self._connection: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        if self.path is not None:
            event.listen(engine.sync_engine, "commit", self._committed)

    def _committed(self, _connection: Any) -> None:
        self.commits += 1

    @property
    def enabled(self) -> bool:
        return self.path is not None

    async def start(self) -> None:
        if self.path is None or self._task is not None:
            return
        self._task = asyncio.get_running_loop().create_task(self._run(), name="wal-checkpoints")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._close()

    async def checkpoint(self) -> Checkpoint | None:
        """One PASSIVE checkpoint now; None when this engine's WAL is not ours to checkpoint."""
        if self.path is None:
            return None
        async with self._lock:
            if self._connection is None:
                self._connection = await sqlite_trips.connector(self.path)()
            seen = self.commits
            async with self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)") as cursor:
                row = await cursor.fetchone()
            assert row is not None
            result = Checkpoint(*(int(value) for value in row))
            self.checkpoints += 1
            if result.complete:
                self._done_at = seen
            return result

    async def round(self) -> Checkpoint | None:
        """What the task does each ``interval``: a checkpoint, unless nothing is left to copy.

        A failure is logged and tried again next round, on a new connection.
        """
        if self.path is None or self.commits == self._done_at:
            return None
        try:
            return await self.checkpoint()
        except Exception:  # a full disk, say
            log.exception("WAL checkpoint failed; trying again in %s s", self.interval)
            await self._close()
            return None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self.round()

    async def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close()
