"""WAL checkpoints on a connection of their own, so that no commit pays for one.

In WAL mode SQLite copies the log back into the database file once the log passes 1000 pages,
and by default the commit that crossed the line does the copy, with its fsync, while it still
holds the write lock. On our benchmark machine that commit took 15-20 ms instead of 1, about
every 250 wizard steps, and every update queued at the write lock waited for it: a good part of
the slowest 1% of steps.

The bot's engine is therefore made with ``wal_autocheckpoint=False`` (storage.db.create_engine)
and this task checkpoints instead, every ``interval`` seconds when something was committed.
A PASSIVE checkpoint waits for no reader or writer, and writers do not wait for it; its fsync
happens on aiosqlite's thread, not on the event loop. Other processes (the CLI) keep SQLite's
automatic checkpoints, and the last connection to close checkpoints as it always does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import aiosqlite
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import autocheckpoints

log = logging.getLogger(__name__)


class WalCheckpointer:
    """Checkpoints one SQLite file's WAL in the background; does nothing for other databases."""

    def __init__(self, engine: AsyncEngine, interval: float = 1.0) -> None:
        self.interval = interval
        # None: not SQLite, or SQLite's own automatic checkpoints are on.
        self.path: str | None = None if autocheckpoints(engine) else engine.url.database
        self.commits = 0
        self.checkpoints = 0
        self._seen = 0
        self._task: asyncio.Task[None] | None = None
        self._connection: aiosqlite.Connection | None = None
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
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    async def checkpoint(self) -> tuple[int, int, int] | None:
        """One PASSIVE checkpoint: (busy, frames in the log, frames copied), as SQLite says."""
        if self.path is None:
            return None
        if self._connection is None:
            connection = aiosqlite.connect(self.path)
            connection._thread.daemon = True  # as the engine's: never keeps a process alive
            self._connection = await connection
        self._seen = self.commits
        async with self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)") as cursor:
            row = await cursor.fetchone()
        self.checkpoints += 1
        assert row is not None
        busy, frames, copied = (int(value) for value in row)
        return busy, frames, copied

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            if self.commits == self._seen:
                continue
            try:
                result = await self.checkpoint()
            except Exception:  # a full disk, say: the next round may succeed
                log.exception("WAL checkpoint failed; trying again in %s s", self.interval)
                continue
            if result is not None and result[2] < result[1]:
                # Readers still use the older frames: the next checkpoint will copy them.
                log.debug("WAL checkpoint copied %s of %s frames", result[2], result[1])
