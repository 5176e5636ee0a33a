"""Issue 2's delivery rules, end to end: blocked users, flood limits, the webhook runner."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import web
from pydantic import AnyHttpUrl
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App, create_app, webhook_application
from sandbox.client import SandboxClient, SimUser
from sandbox.flood import FloodLimits
from sandbox.server import DEFAULT_TOKEN, run_sandbox
from storage.models import User
from tests.e2e.conftest import free_port, sandbox_settings, start_bot, stop_bot
from tests.e2e.test_review import WAITING, propose_and_send


async def test_a_user_who_blocked_the_bot_is_marked_not_retried(
    bot_app: App,
    client: SandboxClient,
    people: dict[str, SimUser],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    head, officer, minh = (
        people["village_head"],
        people["commune_officer"],
        people["commune_officer_1004"],
    )
    await minh.block()
    await propose_and_send(head, "konray-2023-2025")
    assert WAITING in (await officer.wait_for(WAITING))["text"]  # the others still get it
    async with session_factory() as session:
        blocked = await session.scalar(select(User).where(User.telegram_id == 1004))
        assert blocked is not None and blocked.blocked_at is not None
    attempts = [
        r for r in await client.requests("sendMessage") if str(r["params"].get("chat_id")) == "1004"
    ]
    assert len(attempts) == 1  # one refused attempt, no retry
    await minh.unblock()
    await minh.send("/help")  # writing again clears the mark
    async with session_factory() as session:
        again = await session.scalar(select(User).where(User.telegram_id == 1004))
        assert again is not None and again.blocked_at is None


async def test_flood_limit_429_is_waited_out(database_url: str, tmp_path: Path) -> None:
    limits = FloodLimits(global_rate=30, global_burst=30, chat_rate=1, chat_burst=1)
    async with run_sandbox(DEFAULT_TOKEN, flood=limits) as sandbox:
        settings = sandbox_settings(database_url, sandbox, tmp_path)
        app, task = await start_bot(settings)
        try:
            async with SandboxClient(sandbox.base_url, timeout=20) as client:
                user = await client.user(4001, "Khách", language_code="vi")
                for _ in range(3):
                    await user.send("xin chào")
                replies = [m for m in await user.messages() if m["from"] == "bot"]
                refused = [r for r in await client.requests("sendMessage") if r["status"] == 429]
        finally:
            await stop_bot(app, task)
    assert len(replies) == 3 and len(refused) >= 1


async def test_webhook_runner_serves_the_same_bot(database_url: str, tmp_path: Path) -> None:
    port = free_port()
    async with run_sandbox(DEFAULT_TOKEN, flood=FloodLimits.off()) as sandbox:
        settings = sandbox_settings(
            database_url,
            sandbox,
            tmp_path,
            webhook_url=AnyHttpUrl(f"http://127.0.0.1:{port}"),
            webhook_secret="s3cret-token",
            webhook_port=port,
        )
        app: App = create_app(settings)
        runner = web.AppRunner(webhook_application(app))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            async with SandboxClient(sandbox.base_url, timeout=15, settle=0.3) as client:
                hooks = await client.requests("setWebhook")
                assert hooks and hooks[-1]["params"]["secret_token"] == "s3cret-token"
                user = await client.user(4002, "Khách", language_code="en")
                reply = await user.send("/start")
                assert "invitation" in reply.text
        finally:
            await runner.cleanup()
    await asyncio.sleep(0)


async def test_a_database_failure_before_the_handler_is_kept_and_answered_without_resending(
    bot_app: App, client: SandboxClient, monkeypatch: object
) -> None:
    from sqlalchemy.exc import OperationalError

    import bot.middlewares.update_context as context

    real = context.claim_update
    failures = {"left": 2}  # the first try, and the first try again, meet a locked database

    async def flaky(session, key):  # type: ignore[no-untyped-def]
        if failures["left"]:
            failures["left"] -= 1
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return await real(session, key)

    monkeypatch.setattr(context, "claim_update", flaky)  # type: ignore[attr-defined]
    user = await client.user(4003, "Khách", language_code="vi")
    failed = await user.send("/help")
    assert "không kết nối được cơ sở dữ liệu" in failed.text
    assert "không cần gửi lại" in failed.text
    answered = await user.wait_for("lời mời", timeout=10)  # the same /help, handled once back
    assert answered["text"].count("lời mời") >= 1
    assert failures["left"] == 0
    helps = [m for m in await user.messages() if "lời mời" in (m.get("text") or "")]
    assert len(helps) == 1  # kept once, answered once, no apology repeated
    apologies = [m for m in await user.messages() if "không cần gửi lại" in (m.get("text") or "")]
    assert len(apologies) == 1
    again = await user.send("/help")
    assert "lời mời" in again.text


async def test_an_update_that_keeps_failing_with_the_database_up_is_given_up_with_an_apology(
    bot_app: App, client: SandboxClient, monkeypatch: object
) -> None:
    from sqlalchemy.exc import OperationalError

    import bot.middlewares.update_context as context

    real = context.claim_update
    calls = {"n": 0}

    async def broken(session, key):  # type: ignore[no-untyped-def]
        if key.fingerprint.startswith("message:4004:1:"):
            calls["n"] += 1
            raise OperationalError("SELECT", {}, Exception("no such column: x"))
        return await real(session, key)

    monkeypatch.setattr(context, "claim_update", broken)  # type: ignore[attr-defined]
    user = await client.user(4004, "Khách", language_code="vi")
    await user.send("/help")
    sorry = await user.wait_for("hệ thống vừa gặp sự cố", timeout=10)
    assert sorry and calls["n"] == 4  # tried three times, given up, then marked as handled
    again = await user.send("/help")
    assert "lời mời" in again.text
