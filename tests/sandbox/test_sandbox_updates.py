"""Update delivery: getUpdates offsets and long polling, webhooks, replay and wait."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from sandbox import Sandbox
from sandbox.client import SandboxClient, SandboxTimeout
from tests.sandbox.sandbox_support import BotHttp


async def test_get_updates_offset_confirms(bot: BotHttp, client: SandboxClient) -> None:
    lan = await client.user(1, "Lan")
    a = await lan.send("một", wait=False)
    b = await lan.send("hai", wait=False)
    updates = await bot.ok("getUpdates")
    assert [u["update_id"] for u in updates] == [a.update_id, b.update_id]
    assert updates[0]["message"]["text"] == "một"
    assert updates[0]["message"]["chat"] == {"id": 1, "type": "private", "first_name": "Lan"}
    # Without an offset nothing is confirmed: the same updates come again.
    assert len(await bot.ok("getUpdates")) == 2
    assert b.update_id is not None
    assert [u["update_id"] for u in await bot.ok("getUpdates", offset=b.update_id)] == [
        b.update_id]
    assert await bot.ok("getUpdates", offset=b.update_id + 1) == []
    await client.wait_handled(b.update_id, timeout=0.1)


async def test_get_updates_limit_and_negative_offset(bot: BotHttp, client: SandboxClient
                                                     ) -> None:
    lan = await client.user(1, "Lan")
    for i in range(4):
        await lan.send(f"m{i}", wait=False)
    assert len(await bot.ok("getUpdates", limit=2)) == 2
    last = await bot.ok("getUpdates", offset=-1)
    assert [u["message"]["text"] for u in last] == ["m3"]
    assert len(await bot.ok("getUpdates")) == 1  # the earlier ones were forgotten


async def test_long_polling_wakes_on_new_update(bot: BotHttp, client: SandboxClient) -> None:
    lan = await client.user(1, "Lan")
    poll = asyncio.create_task(bot.ok("getUpdates", timeout=5))
    await asyncio.sleep(0.1)
    assert not poll.done()
    started = time.monotonic()
    await lan.send("xin chào", wait=False)
    updates = await asyncio.wait_for(poll, 2)
    assert updates[0]["message"]["text"] == "xin chào"
    assert time.monotonic() - started < 1


async def test_long_polling_times_out_empty(bot: BotHttp) -> None:
    started = time.monotonic()
    assert await bot.ok("getUpdates", timeout=1) == []
    assert 0.9 <= time.monotonic() - started < 2


async def test_second_poller_terminates_first(bot: BotHttp) -> None:
    first = asyncio.create_task(bot("getUpdates", timeout=5))
    await asyncio.sleep(0.1)
    await bot.ok("getUpdates", timeout=0)
    status, body = await asyncio.wait_for(first, 2)
    assert status == 409 and "terminated by other getUpdates request" in body["description"]


async def test_allowed_updates_filters(bot: BotHttp, client: SandboxClient) -> None:
    lan = await client.user(1, "Lan")
    text = await lan.send("hi", wait=False)
    assert await bot.ok("getUpdates", allowed_updates=["callback_query"]) == []
    assert text.update_id is not None
    _, body = await client._call("POST", f"/driver/updates/{text.update_id}/wait")
    assert body == {"handled": True, "update_id": text.update_id, "dropped": True}


async def test_wait_times_out_with_408(client: SandboxClient) -> None:
    lan = await client.user(1, "Lan")
    with pytest.raises(SandboxTimeout):
        await lan.send("nobody polls", timeout=0.2)


async def test_replay_delivers_the_same_update(bot: BotHttp, client: SandboxClient) -> None:
    lan = await client.user(1, "Lan")
    sent = await lan.send("/start", wait=False)
    first = await bot.ok("getUpdates")
    assert sent.update_id is not None
    await bot.ok("getUpdates", offset=sent.update_id + 1, timeout=0)
    later = await lan.send("sau", wait=False)
    replay = await client.replay(sent.update_id, wait=False)
    assert replay.update_id == sent.update_id
    again = await bot.ok("getUpdates", offset=sent.update_id + 1)
    # The replay comes first (by id), then the newer update; payload identical to the first time.
    assert again[0] == first[0]
    assert again[1]["update_id"] == later.update_id
    # aiogram moves its offset past each update it handles; both end confirmed.
    assert later.update_id is not None
    await bot.ok("getUpdates", offset=sent.update_id + 1)
    await bot.ok("getUpdates", offset=later.update_id + 1)
    await client.wait_handled(sent.update_id, timeout=0.1)
    await client.wait_handled(later.update_id, timeout=0.1)


async def test_get_updates_conflicts_with_webhook(bot: BotHttp) -> None:
    result = await bot("setWebhook", url="http://127.0.0.1:9/hook")
    assert result[1] == {"ok": True, "result": True, "description": "Webhook was set"}
    status, body = await bot("getUpdates")
    assert status == 409 and "webhook is active" in body["description"]
    info = await bot.ok("getWebhookInfo")
    assert info["url"] == "http://127.0.0.1:9/hook"
    await bot.ok("deleteWebhook")
    assert await bot.ok("getUpdates") == []


class Receiver:
    """A tiny webhook endpoint recording what it got; fails the first ``fail`` deliveries."""

    def __init__(self, fail: int = 0, delay: float = 0.0) -> None:
        self.fail = fail
        self.delay = delay
        self.got: list[tuple[dict[str, Any], str | None]] = []
        self.active = 0
        self.max_active: dict[int, int] = {}
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        if self.fail > 0:
            self.fail -= 1
            return web.Response(status=500)
        update = await request.json()
        chat = update["message"]["chat"]["id"]
        self.active += 1
        self.max_active[chat] = max(self.max_active.get(chat, 0), self.active)
        await asyncio.sleep(self.delay)
        self.active -= 1
        self.got.append((update, request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        if update["message"]["text"] == "reply-call":
            return web.json_response({"method": "sendMessage", "chat_id": chat,
                                      "text": "from webhook reply"})
        return web.Response(text="")


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    rec.url = f"http://{host}:{port}/hook"
    yield rec
    await runner.cleanup()


async def test_webhook_delivery_in_order_with_secret(bot: BotHttp, client: SandboxClient,
                                                     receiver: Receiver) -> None:
    receiver.delay = 0.02
    await bot.ok("setWebhook", url=receiver.url, secret_token="s3cret_token-1")
    lan = await client.user(1, "Lan")
    sent = [await lan.send(f"m{i}", wait=False) for i in range(5)]
    last = sent[-1].update_id
    assert last is not None
    await client.wait_handled(last, timeout=3)
    texts = [u["message"]["text"] for u, _ in receiver.got]
    assert texts == [f"m{i}" for i in range(5)]
    assert {secret for _, secret in receiver.got} == {"s3cret_token-1"}
    assert receiver.max_active[1] == 1  # one at a time per chat


async def test_webhook_retries_and_executes_reply_method(bot: BotHttp, client: SandboxClient,
                                                         receiver: Receiver,
                                                         sandbox: Sandbox) -> None:
    sandbox.api.webhooks.retry_delays = (0.01, 0.01, 0.01)
    receiver.fail = 2
    await bot.ok("setWebhook", url=receiver.url)
    lan = await client.user(1, "Lan")
    reply = await lan.send("reply-call", timeout=3)
    assert reply.handled and reply.text == "from webhook reply"
    info = await bot.ok("getWebhookInfo")
    assert "500" in info["last_error_message"]


async def test_webhook_gives_up_after_retries(bot: BotHttp, client: SandboxClient,
                                              sandbox: Sandbox) -> None:
    sandbox.api.webhooks.retry_delays = (0.01,)
    await bot.ok("setWebhook", url="http://127.0.0.1:9/nothing-listens")
    lan = await client.user(1, "Lan")
    with pytest.raises(SandboxTimeout):
        await lan.send("lost", timeout=0.5)
    info = await bot.ok("getWebhookInfo")
    assert info["pending_update_count"] == 0 and info["last_error_message"]
