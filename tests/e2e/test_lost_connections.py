"""Issue 24: `run` keeps going through a lost connection, and no update is lost.

Telegram away: the emulator is stopped under the polling bot and started again on the same
address; the bot logs one line per try, with a growing delay, and answers again by itself.
The database away: a PostgreSQL server of the test's own is stopped under the running bot; a
message sent meanwhile gets an apology saying it is kept, and its real answer once the server
is started again, with no restart of the bot and nothing sent twice.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Iterator

import pytest
from pydantic import AnyHttpUrl

from bot.config import Settings
from bot.demo import seed
from bot.handlers.wizard import today
from bot.logs import one_line_per_retry
from sandbox.client import SandboxClient
from sandbox.flood import FloodLimits
from sandbox.server import DEFAULT_TOKEN, run_sandbox
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from tests.e2e import postgres_server
from tests.e2e.conftest import free_port, start_bot, stop_bot

KEPT = "không cần gửi lại"
DATABASE_RETRY = r"^database unreachable \(.+\); 1 updates held; retry \d+ in \d+ s$"
HELP = "lời mời"


async def _wait_for_log(caplog: pytest.LogCaptureFixture, pattern: str, count: int) -> None:
    for _ in range(300):
        if sum(bool(re.search(pattern, r.getMessage())) for r in caplog.records) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {count} log lines like {pattern!r}")


async def test_telegram_away_one_line_per_try_then_answers_again_by_itself(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    one_line_per_retry()
    caplog.set_level(logging.INFO)
    port = free_port()
    async with run_sandbox(DEFAULT_TOKEN, port=port, flood=FloodLimits.off()) as sandbox:
        base = sandbox.base_url
        app, task = await start_bot(
            settings.model_copy(update={"telegram_api_base": AnyHttpUrl(base)})
        )
        async with SandboxClient(base, timeout=15) as client:
            guest = await client.user(4501, "Khách", language_code="vi")
            assert HELP in (await guest.send("/help")).text
    try:
        await _wait_for_log(caplog, r"^Telegram unreachable \(.+\); retry \d+ in \d+ s$", 2)
        fetched = [r for r in caplog.records if r.getMessage().startswith("Failed to fetch")]
        assert not fetched  # one line a try, not aiogram's two
        async with run_sandbox(DEFAULT_TOKEN, port=port, flood=FloodLimits.off()) as sandbox:
            async with SandboxClient(sandbox.base_url, timeout=30) as client:
                guest = await client.user(4501, "Khách", language_code="vi")
                back = await guest.send("/help")
                assert HELP in back.text
    finally:
        await stop_bot(app, task)


@pytest.fixture
def own_postgres() -> Iterator[postgres_server.PostgresServer]:
    if not postgres_server.available():
        pytest.skip("no PostgreSQL server binary (initdb, pg_ctl) on this machine")
    server = postgres_server.make_server()
    server.start()
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture
async def own_database(own_postgres: postgres_server.PostgresServer) -> AsyncIterator[str]:
    engine = create_engine(own_postgres.url)
    try:
        await upgrade(engine)
        async with create_session_factory(engine)() as session:
            await seed(session, today().date())
            await session.commit()
    finally:
        await engine.dispose()
    yield own_postgres.url


async def test_the_database_stopped_under_a_running_bot_and_brought_back(
    settings: Settings,
    own_postgres: postgres_server.PostgresServer,
    own_database: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    app, task = await start_bot(settings.model_copy(update={"database_url": own_database}))
    loop = asyncio.get_running_loop()
    try:
        base = str(settings.telegram_api_base).rstrip("/")
        async with SandboxClient(base, timeout=20) as client:
            guest = await client.user(4601, "Khách", language_code="vi")
            assert HELP in (await guest.send("/help")).text

            await loop.run_in_executor(None, own_postgres.stop)
            kept = await guest.send("/help")
            assert KEPT in kept.text and HELP not in kept.text
            await _wait_for_log(caplog, DATABASE_RETRY, 2)

            await loop.run_in_executor(None, own_postgres.start)
            answered = await guest.wait_for(HELP, timeout=60)
            assert answered
            texts = [m.get("text") or "" for m in await guest.messages() if m["from"] == "bot"]
            assert sum(HELP in t for t in texts) == 2 and sum(KEPT in t for t in texts) == 1
            assert HELP in (await guest.send("/help")).text  # and on it goes
    finally:
        await stop_bot(app, task)
