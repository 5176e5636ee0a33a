"""What the running bot writes to its log: a line for what an operator needs, no more."""

from __future__ import annotations

import logging


def quiet_per_update_lines() -> None:
    """aiogram logs a line for every update it handles; below DEBUG, keep only its failures.

    At the benchmark's load that is 20 lines a second saying nothing a person needs, written
    on the event loop: a fortieth of a step's CPU. aiogram.event still logs failed updates.
    """
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        logging.getLogger("aiogram.event").setLevel(logging.WARNING)


class OneLinePerRetry(logging.Filter):
    """aiogram's polling writes two lines for each failed getUpdates (an ERROR with the cause,
    then a WARNING with the delay); an operator reading a night without network wants one:
    what failed, which try, and when the next one comes. The backoff itself is aiogram's,
    capped at ``bot.app.POLLING_BACKOFF.max_delay``."""

    def __init__(self) -> None:
        super().__init__()
        self._cause = ""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.msg if isinstance(record.msg, str) else ""
        if message.startswith("Failed to fetch updates"):
            self._cause = record.getMessage().removeprefix("Failed to fetch updates - ")
            return False
        if message.startswith("Sleep for") and isinstance(record.args, tuple):
            delay, tries = record.args[0], record.args[1]
            record.msg = "Telegram unreachable (%s); retry %s in %.0f s"
            record.args = (self._cause or "?", int(tries) + 1, float(delay))
        return True


def one_line_per_retry() -> None:
    logger = logging.getLogger("aiogram.dispatcher")
    if not any(isinstance(f, OneLinePerRetry) for f in logger.filters):
        logger.addFilter(OneLinePerRetry())
