"""``python -m bench broadcast --recipients 10000``: the outbox drained at Telegram's own limits.

Queues one message for each of N simulated people (in the database and in the emulator, which
enforces Telegram's flood limits), runs the real bot (``python -m bot run``) and measures what
the issue's goals name: the sustained rate against SEND_RATE, the 429s the emulator answered,
the time from queueing to the last message, and the bot's peak RSS. Also checks that every
person got exactly one message.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select

from bench.bot_process import SubprocessBot
from bot.dialogs.screen import Screen, screen_to_payload
from bot.outbox.queue import BROADCAST, Outgoing, enqueue
from bot.outbox.render import SCREEN
from sandbox.client import SandboxClient
from sandbox.flood import FloodLimits
from sandbox.server import DEFAULT_TOKEN, run_sandbox
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import User

FIRST_ID = 800_000


@dataclass
class BroadcastResult:
    recipients: int
    send_rate: float
    sent: int
    missing: int
    repeated: int
    refused_429: int
    total_s: float
    sustained_rate: float
    peak_rss_mb: float | None

    @property
    def rate_share(self) -> float:
        return self.sustained_rate / self.send_rate

    def lines(self, goal_minutes: float, goal_rss_mb: float) -> list[str]:
        rss = f"{self.peak_rss_mb:.0f} MB" if self.peak_rss_mb is not None else "?"
        return [
            f"broadcast: {self.recipients} recipients, SEND_RATE {self.send_rate:g}/s",
            f"  sent {self.sent}; missing {self.missing}; twice or more {self.repeated}; "
            f"429s answered {self.refused_429} (goal 0)",
            f"  sustained rate {self.sustained_rate:.2f}/s = {self.rate_share:.1%} of SEND_RATE "
            "(goal >= 95%)",
            f"  total {self.total_s:.1f} s from queueing to the last message "
            f"(goal <= {goal_minutes * 60:.0f} s)",
            f"  bot peak RSS {rss} (goal <= {goal_rss_mb:.0f} MB)",
        ]

    def met(self, goal_minutes: float, goal_rss_mb: float) -> bool:
        return (
            self.missing == 0
            and self.repeated == 0
            and self.refused_429 == 0
            and self.rate_share >= 0.95
            and self.total_s <= goal_minutes * 60
            and (self.peak_rss_mb or 0) <= goal_rss_mb
        )


async def _people(url: str, count: int) -> list[int]:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        async with create_session_factory(engine)() as session:
            rows = [
                {"telegram_id": FIRST_ID + n, "full_name": f"Người nhận {n}", "is_active": True}
                for n in range(count)
            ]
            await session.execute(insert(User), rows)
            await session.commit()
            ids = await session.scalars(
                select(User.id).where(User.telegram_id >= FIRST_ID).order_by(User.telegram_id)
            )
            return list(ids)
    finally:
        await engine.dispose()


async def _queue(url: str, user_ids: list[int]) -> None:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            payload = screen_to_payload(
                Screen("📣 Hạn nộp đề xuất điển hình tiên tiến: 15/12. Xin cảm ơn.", edit=False)
            )
            messages = [
                Outgoing(uid, SCREEN, payload, cause="broadcast:bench", priority=BROADCAST)
                for uid in user_ids
            ]
            await enqueue(session, messages, grace=timedelta(0))
            await session.commit()
    finally:
        await engine.dispose()


async def run_broadcast(
    recipients: int,
    send_rate: float,
    database: str,
    keep: bool,
    run_timeout: float,
    say: Callable[[str], None],
) -> BroadcastResult:
    workdir = Path(tempfile.mkdtemp(prefix="bench-broadcast-"))
    url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}" if database == "sqlite" else database
    try:
        say(f"  preparing {recipients} people in {url} …")
        user_ids = await _people(url, recipients)
        async with (
            run_sandbox(DEFAULT_TOKEN, flood=FloodLimits()) as sandbox,
            SandboxClient(sandbox.base_url) as client,
        ):
            for start in range(0, recipients, 200):
                await asyncio.gather(
                    *(
                        client.user(FIRST_ID + n, f"Người nhận {n}", started=True)
                        for n in range(start, min(recipients, start + 200))
                    )
                )
            bot = SubprocessBot(
                sandbox.base_url, url, workdir, LOG_LEVEL="WARNING", SEND_RATE=str(send_rate)
            )
            await bot.start()
            try:
                for _ in range(600):  # until the bot polls: it has started, its sender too
                    if any(r["method"] == "getUpdates" for r in sandbox.state.requests):
                        break
                    await asyncio.sleep(0.1)
                say(f"  queueing {recipients} messages; the bot sends them …")
                queued = time.monotonic()
                await _queue(url, user_ids)
                deadline = queued + run_timeout
                peak: float | None = None
                delivered = 0
                next_report = queued + 30
                while time.monotonic() < deadline:
                    delivered = sum(
                        1
                        for r in sandbox.state.requests
                        if r["method"] == "sendMessage" and r["ok"]
                    )
                    rss, _cpu = bot.sample()
                    peak = rss if rss is not None else peak
                    if delivered >= recipients:
                        break
                    if time.monotonic() >= next_report:
                        say(f"    {delivered} sent after {time.monotonic() - queued:.0f} s")
                        next_report += 30
                    await asyncio.sleep(0.25)
                done = time.monotonic()
            finally:
                await bot.stop()
            sends = [r for r in sandbox.state.requests if r["method"] == "sendMessage" and r["ok"]]
            per_chat: dict[int, int] = {}
            for r in sends:
                per_chat[r["params"]["chat_id"]] = per_chat.get(r["params"]["chat_id"], 0) + 1
            span = sends[-1]["time"] - sends[0]["time"] if len(sends) > 1 else 0.0
            return BroadcastResult(
                recipients=recipients,
                send_rate=send_rate,
                sent=len(sends),
                missing=recipients - len(per_chat),
                repeated=sum(1 for n in per_chat.values() if n > 1),
                refused_429=sandbox.state.flood.refused,
                total_s=done - queued,
                sustained_rate=(len(sends) - 1) / span if span else 0.0,
                peak_rss_mb=peak,
            )
    finally:
        if keep:
            say(f"  (run directory kept: {workdir})")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
