"""Telegram's flood limits as token buckets, so a bot's burst behaviour is exercised in tests.

Telegram allows roughly 30 messages per second overall and about one per second per chat, with
short bursts tolerated, and answers the excess with 429 and ``retry_after``. A bot that sends ten
messages in a loop to one user works against a fake without limits and fails in production.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class FloodLimits:
    """Rates are messages per second; bursts are how many may go at once from a full bucket."""

    global_rate: float = 30.0
    global_burst: float = 30.0
    chat_rate: float = 1.0
    chat_burst: float = 5.0
    enabled: bool = True

    @classmethod
    def off(cls) -> FloodLimits:
        """No limits at all (benchmarks of the bot's own throughput)."""
        return cls(enabled=False)


class TokenBucket:
    """Classic token bucket; ``wait_time`` says how long until one token is available."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float]) -> None:
        self.rate = rate
        self.burst = max(1.0, burst)
        self.tokens = self.burst
        self._clock = clock
        self._last = clock()

    def _refill(self) -> None:
        now = self._clock()
        self.tokens = min(self.burst, self.tokens + (now - self._last) * self.rate)
        self._last = now

    def wait_time(self) -> float:
        """Seconds until a token is available (0 if one is available now)."""
        self._refill()
        if self.tokens >= 1.0:
            return 0.0
        if self.rate <= 0:
            return math.inf
        return (1.0 - self.tokens) / self.rate

    def take(self) -> None:
        self._refill()
        self.tokens -= 1.0


class FloodControl:
    """The global bucket plus one bucket per chat; a send must find a token in both."""

    def __init__(self, limits: FloodLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._global = TokenBucket(limits.global_rate, limits.global_burst, clock)
        self._chats: dict[int, TokenBucket] = {}
        #: 429s answered, in all and per chat: tests and benchmarks count them.
        self.refused = 0
        self.refused_by_chat: dict[int, int] = {}
        #: 429s to answer next whatever the buckets say (their retry_after), set by a test.
        self.injected: list[int] = []

    def inject(self, retry_after: int, count: int = 1) -> None:
        self.injected += [retry_after] * count

    def check(self, chat_id: int) -> int | None:
        """Consume a token for ``chat_id``; return ``retry_after`` seconds if refused."""
        if self.injected:
            return self._refuse(chat_id, self.injected.pop(0))
        if not self.limits.enabled:
            return None
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = TokenBucket(
                self.limits.chat_rate, self.limits.chat_burst, self._clock)
        wait = max(chat.wait_time(), self._global.wait_time())
        if wait > 0:
            return self._refuse(chat_id, max(1, math.ceil(wait)) if math.isfinite(wait) else 3600)
        chat.take()
        self._global.take()
        return None

    def _refuse(self, chat_id: int, retry_after: int) -> int:
        self.refused += 1
        self.refused_by_chat[chat_id] = self.refused_by_chat.get(chat_id, 0) + 1
        return retry_after

    def reset(self) -> None:
        self._global = TokenBucket(self.limits.global_rate, self.limits.global_burst, self._clock)
        self._chats.clear()
        self.refused = 0
        self.refused_by_chat.clear()
        self.injected.clear()
