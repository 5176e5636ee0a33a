"""Issue 24: the bot never goes silent after a restart, of itself or of the Bot API server.

Handled update ids are kept in the database, and a Bot API server that starts again may count
again from a number the bot has already seen. These tests restart the emulator (the demo's
case) and rewind its counter (a restarted server's case): every new message is answered, and a
redelivered update still has one effect.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AnyHttpUrl
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from sandbox.client import SandboxClient
from sandbox.flood import FloodLimits
from sandbox.server import DEFAULT_TOKEN, Sandbox, run_sandbox
from storage.models import ProcessedUpdate
from tests.e2e.conftest import free_port, start_bot, stop_bot


async def _talk(sandbox: Sandbox, settings: Settings, texts: list[str]) -> list[str]:
    """Start the bot against ``sandbox``, send ``texts`` as one person, stop the bot."""
    app, task = await start_bot(
        settings.model_copy(update={"telegram_api_base": AnyHttpUrl(sandbox.base_url)})
    )
    try:
        async with SandboxClient(sandbox.base_url, timeout=15) as client:
            guest = await client.user(4242, "Khách", language_code="vi")
            return [(await guest.send(text)).text for text in texts]
    finally:
        await stop_bot(app, task)


async def test_demo_data_kept_emulator_and_bot_restarted_next_message_answered(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    port = free_port()  # the same address both times, as `make demo` has
    for run in range(2):
        async with run_sandbox(DEFAULT_TOKEN, port=port, flood=FloodLimits.off()) as sandbox:
            replies = await _talk(sandbox, settings, ["/start", "/help"])
        assert all(replies), f"run {run + 1}: a message got no answer: {replies}"
        assert "lời mời" in replies[0]
    async with session_factory() as session:
        handled = await session.scalar(select(func.count()).select_from(ProcessedUpdate))
    assert handled == 4


async def test_a_counter_that_goes_backwards_is_answered_and_a_repeat_still_does_nothing(
    sandbox: Sandbox, settings: Settings
) -> None:
    async with SandboxClient(sandbox.base_url, timeout=15) as client:
        guest = await client.user(4343, "Khách", language_code="vi")
        app, task = await start_bot(settings)
        try:
            first = await guest.send("/start")
            assert "lời mời" in first.text
        finally:
            await stop_bot(app, task)
        # The server starts counting again from the first id it ever gave, and the bot with it
        # (a bot still polling would confirm the lower ids by its offset, as with Telegram).
        sandbox.state.restart_update_counter(first.update_id or 0)
        app, task = await start_bot(settings)
        try:
            texts = ["/help", "/start", "/help", "/lang"]
            replies = [await guest.send(text) for text in texts]
            assert replies[0].update_id == first.update_id
            for text, reply in zip(texts, replies, strict=True):
                assert reply.text, f"{text} (update {reply.update_id}) got no answer"
            before = len(await guest.messages())
            await client.replay(replies[1].update_id or 0)  # and then redelivers one of them
            assert len(await guest.messages()) == before
        finally:
            await stop_bot(app, task)


async def test_each_restart_of_the_emulator_counts_on_from_where_the_last_stopped(
    tmp_path: Path,
) -> None:
    seen: list[int] = []
    for _ in range(2):
        async with run_sandbox(DEFAULT_TOKEN, flood=FloodLimits.off()) as sandbox:
            async with SandboxClient(sandbox.base_url, timeout=5) as client:
                user = await client.user(1, "A")
                for _ in range(3):
                    sent = await user.send("hi", wait=False)
                    seen.append(sent.update_id or 0)
    assert seen == sorted(seen) and len(set(seen)) == 6
