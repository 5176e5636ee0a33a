"""A background job of the running bot: once at start-up, then every few seconds or minutes.

A round that fails (the database away, Telegram away) is logged in one line and the next round
tries again: none of these jobs may stop the bot, and none needs a restart to recover.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod

log = logging.getLogger(__name__)


class Periodic(ABC):
    """Subclasses say what they do in ``once`` and name it in ``what`` (for the log)."""

    what = "background job"

    def __init__(self, interval: float) -> None:
        self.interval = interval  # read every round: a test may shorten it
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    @abstractmethod
    async def once(self) -> object:
        """One round."""

    async def _run(self) -> None:
        while True:
            try:
                await self.once()
            except Exception as exc:  # the next round tries again
                log.warning("%s failed: %s", self.what, exc)
            await asyncio.sleep(self.interval)
