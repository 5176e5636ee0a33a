"""Chats as users see them: sends, edits, deletions, buttons, access refusals, flood limits."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox import FloodLimits, Sandbox, run_sandbox
from sandbox.client import SandboxClient, SandboxError, SimUser
from sandbox.flood import FloodControl
from tests.sandbox.sandbox_support import TOKEN, BotHttp

INLINE = {"inline_keyboard": [[{"text": "Đồng ý", "callback_data": "yes"},
                               {"text": "Không", "callback_data": "no"}],
                              [{"text": "Trang web", "url": "https://example.vn"}]]}


async def _confirm(bot: BotHttp) -> list[dict[str, Any]]:
    """Act as a polling bot: fetch and confirm everything pending."""
    updates = await bot.ok("getUpdates")
    if updates:
        await bot.ok("getUpdates", offset=updates[-1]["update_id"] + 1)
    return updates


async def _lan(client: SandboxClient) -> SimUser:
    lan = await client.user(42, "Lan", language_code="vi")
    await lan.send("/start", wait=False)
    return lan


async def test_unknown_chat_blocked_and_not_started(bot: BotHttp, client: SandboxClient) -> None:
    assert await bot.error("sendMessage", chat_id=999, text="x") == (
        400, "Bad Request: chat not found")
    await client.user(5, "Minh")
    assert await bot.error("sendMessage", chat_id=5, text="x") == (
        403, "Forbidden: bot can't initiate conversation with a user")
    lan = await _lan(client)
    await bot.ok("sendMessage", chat_id=lan.id, text="trước")
    blocked = await lan.block()
    assert await bot.error("sendMessage", chat_id=lan.id, text="x") == (
        403, "Forbidden: bot was blocked by the user")
    updates = await _confirm(bot)
    member = updates[-1]["my_chat_member"]
    assert updates[-1]["update_id"] == blocked.update_id
    assert member["new_chat_member"]["status"] == "kicked"
    with pytest.raises(SandboxError) as err:
        await lan.send("hi", wait=False)
    assert err.value.status == 409
    await lan.unblock()
    await bot.ok("sendMessage", chat_id=lan.id, text="lại")


async def test_html_stored_raw_and_plain(bot: BotHttp, client: SandboxClient) -> None:
    lan = await _lan(client)
    msg = await bot.ok("sendMessage", chat_id=lan.id, text="<b>Chào</b> &amp; <i>bạn</i>",
                       parse_mode="HTML")
    assert msg["text"] == "Chào & bạn"
    assert msg["entities"] == [{"type": "bold", "offset": 0, "length": 4},
                               {"type": "italic", "offset": 7, "length": 3}]
    last = await lan.last_bot_message()
    assert last is not None
    assert last["text"] == "Chào & bạn" and last["html"] == "<b>Chào</b> &amp; <i>bạn</i>"


async def test_edits_applied_in_chat_view(bot: BotHttp, client: SandboxClient) -> None:
    lan = await _lan(client)
    msg = await bot.ok("sendMessage", chat_id=lan.id, text="Bản nháp", reply_markup=INLINE)
    mid = msg["message_id"]
    assert await lan.buttons() == ["Đồng ý", "Không", "Trang web"]
    edited = await bot.ok("editMessageText", chat_id=lan.id, message_id=mid, text="Đã gửi",
                          reply_markup=INLINE)
    assert edited["text"] == "Đã gửi" and "edit_date" in edited
    code, text = await bot.error("editMessageText", chat_id=lan.id, message_id=mid,
                                 text="Đã gửi", reply_markup=INLINE)
    assert code == 400 and text.startswith("Bad Request: message is not modified")
    await bot.ok("editMessageReplyMarkup", chat_id=lan.id, message_id=mid)
    _, text = await bot.error("editMessageReplyMarkup", chat_id=lan.id, message_id=mid)
    assert text.startswith("Bad Request: message is not modified")
    assert await bot.error("editMessageText", chat_id=lan.id, message_id=999, text="x") == (
        400, "Bad Request: message to edit not found")
    assert await bot.error("editMessageText", chat_id=lan.id, message_id=1, text="x") == (
        400, "Bad Request: message can't be edited")
    chat = await lan.chat()
    bot_msgs = [m for m in chat["messages"] if m["from"] == "bot"]
    assert len(bot_msgs) == 1
    assert bot_msgs[0]["text"] == "Đã gửi" and bot_msgs[0]["edited"] is True
    assert bot_msgs[0]["buttons"] == []


async def test_delete_message(bot: BotHttp, client: SandboxClient) -> None:
    lan = await _lan(client)
    msg = await bot.ok("sendMessage", chat_id=lan.id, text="tạm")
    assert await bot.ok("deleteMessage", chat_id=lan.id, message_id=msg["message_id"]) is True
    assert await bot.error("deleteMessage", chat_id=lan.id, message_id=msg["message_id"]) == (
        400, "Bad Request: message to delete not found")
    assert [m["from"] for m in await lan.messages()] == ["user"]


async def test_press_inline_by_text_and_data(bot: BotHttp, client: SandboxClient) -> None:
    lan = await _lan(client)
    await _confirm(bot)
    old = await bot.ok("sendMessage", chat_id=lan.id, text="cũ", reply_markup={
        "inline_keyboard": [[{"text": "Cũ", "callback_data": "old"}]]})
    new = await bot.ok("sendMessage", chat_id=lan.id, text="Bạn đồng ý?", reply_markup=INLINE)
    by_text = await lan.press("Không", wait=False)
    by_data = await lan.press(data="old", wait=False)  # found in the older message
    updates = await _confirm(bot)
    q1, q2 = (u["callback_query"] for u in updates)
    assert q1["data"] == "no" and q1["message"]["message_id"] == new["message_id"]
    assert q1["id"] == by_text.callback_query_id and q1["from"]["id"] == lan.id
    assert q2["data"] == "old" and q2["message"]["message_id"] == old["message_id"]
    assert by_data.callback_query_id == q2["id"]
    await bot.ok("answerCallbackQuery", callback_query_id=q1["id"], text="Đã ghi nhận")
    assert await bot.error("answerCallbackQuery", callback_query_id=q1["id"]) == (
        400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
    assert await bot.error("answerCallbackQuery", callback_query_id=q2["id"],
                           text="x" * 201) == (400, "Bad Request: MESSAGE_TOO_LONG")
    answers = (await lan.chat())["callback_answers"]
    assert [(a["callback_query_id"], a["text"]) for a in answers] == [(q1["id"], "Đã ghi nhận")]
    with pytest.raises(SandboxError) as err:
        await lan.press("Không có nút này", wait=False)
    assert err.value.status == 404 and "no inline button" in err.value.description
    with pytest.raises(SandboxError) as err:
        await lan.press("Trang web", wait=False)
    assert err.value.status == 400 and "example.vn" in err.value.description


async def test_reply_keyboard_and_contact_button(bot: BotHttp, client: SandboxClient) -> None:
    lan = await _lan(client)
    keyboard = {"keyboard": [[{"text": "📱 Gửi số điện thoại", "request_contact": True}],
                             [{"text": "Huỷ"}]], "resize_keyboard": True}
    await bot.ok("sendMessage", chat_id=lan.id, text="Số điện thoại?", reply_markup=keyboard)
    assert await lan.reply_keyboard() == ["📱 Gửi số điện thoại", "Huỷ"]
    await _confirm(bot)
    await lan.press("📱 Gửi số điện thoại", wait=False)
    await lan.press("Huỷ", wait=False)
    contact_update, text_update = await _confirm(bot)
    contact = contact_update["message"]["contact"]
    assert contact["user_id"] == lan.id and contact["first_name"] == "Lan"
    assert contact["phone_number"].startswith("+849")
    assert text_update["message"]["text"] == "Huỷ"
    await bot.ok("sendMessage", chat_id=lan.id, text="Xong", reply_markup={"remove_keyboard": True})
    assert await lan.reply_keyboard() is None


async def test_media_from_user(bot: BotHttp, client: SandboxClient) -> None:
    lan = await _lan(client)
    await _confirm(bot)
    await lan.photo("Ảnh hiện trường", wait=False)
    await lan.voice(4, wait=False)
    await lan.sticker(wait=False)
    await lan.contact("+84901234567", wait=False)
    photo, voice, sticker, contact = (u["message"] for u in await _confirm(bot))
    sizes = photo["photo"]
    assert len(sizes) >= 3 and len({s["file_id"] for s in sizes}) == len(sizes)
    assert sizes[-1]["width"] == 1280 and photo["caption"] == "Ảnh hiện trường"
    assert voice["voice"]["duration"] == 4 and voice["voice"]["mime_type"] == "audio/ogg"
    assert sticker["sticker"]["emoji"] == "👍"
    assert contact["contact"]["phone_number"] == "+84901234567"
    kinds = [m["kind"] for m in await lan.messages()]
    assert kinds == ["text", "photo", "voice", "sticker", "contact"]


async def test_commands_per_scope_and_language(bot: BotHttp, client: SandboxClient) -> None:
    vi = [{"command": "start", "description": "Bắt đầu"}]
    en = [{"command": "start", "description": "Start"}]
    await bot.ok("setMyCommands", commands=vi, language_code="vi")
    await bot.ok("setMyCommands", commands=en, scope={"type": "all_private_chats"})
    assert await bot.ok("getMyCommands", language_code="vi") == vi
    assert await bot.ok("getMyCommands") == []
    assert await client.commands("vi") == vi
    assert await client.commands("", scope="all_private_chats") == en
    await bot.ok("deleteMyCommands", language_code="vi")
    assert await client.commands("vi") == []
    assert await bot.error("setMyCommands", commands=[{"command": "Start!",
                                                       "description": "x"}]) == (
        400, "Bad Request: BOT_COMMAND_INVALID")
    calls = await client.requests("setMyCommands")
    assert [c["params"].get("language_code") for c in calls] == ["vi", None, None]
    assert [c["status"] for c in calls] == [200, 200, 400]


def test_token_buckets_with_fake_clock() -> None:
    now = [0.0]
    flood = FloodControl(FloodLimits(global_rate=30, global_burst=30, chat_rate=1, chat_burst=2),
                         clock=lambda: now[0])
    assert flood.check(1) is None and flood.check(1) is None
    assert flood.check(1) == 1
    assert flood.check(2) is None  # other chats are unaffected
    now[0] += 1.0
    assert flood.check(1) is None
    assert FloodControl(FloodLimits.off()).check(1) is None


async def test_flood_limits_answer_429(http: Any) -> None:
    limits = FloodLimits(global_rate=100, global_burst=100, chat_rate=0.5, chat_burst=2)
    async with run_sandbox(TOKEN, flood=limits) as sb:
        api = BotHttp(http, sb.base_url)
        sb.state.upsert_user(1, "Lan", started=True)
        await api.ok("sendMessage", chat_id=1, text="1")
        await api.ok("sendMessage", chat_id=1, text="2")
        status, body = await api("sendMessage", chat_id=1, text="3")
        assert status == 429
        assert body["parameters"]["retry_after"] >= 1
        retry = body["parameters"]["retry_after"]
        assert body["description"] == f"Too Many Requests: retry after {retry}"
        # deleteMessage is not limited
        await api.ok("deleteMessage", chat_id=1, message_id=1)


async def test_global_flood_limit(http: Any) -> None:
    limits = FloodLimits(global_rate=1, global_burst=3, chat_rate=100, chat_burst=100)
    async with run_sandbox(TOKEN, flood=limits) as sb:
        api = BotHttp(http, sb.base_url)
        for uid in range(1, 5):
            sb.state.upsert_user(uid, f"U{uid}", started=True)
        for uid in range(1, 4):
            await api.ok("sendMessage", chat_id=uid, text="x")
        status, body = await api("sendMessage", chat_id=4, text="x")
        assert status == 429 and body["parameters"] == {"retry_after": 1}


async def test_reset_keeps_counters(sandbox: Sandbox, client: SandboxClient) -> None:
    lan = await client.user(1, "Lan")
    first = await lan.send("a", wait=False)
    await client.reset()
    assert await client.users() == []
    lan = await client.user(1, "Lan")
    second = await lan.send("b", wait=False)
    assert first.update_id is not None and second.update_id is not None
    assert second.update_id > first.update_id and second.seq > first.seq


async def test_reply_parameters(bot: BotHttp, client: SandboxClient) -> None:
    lan = await _lan(client)
    msg = await bot.ok("sendMessage", chat_id=lan.id, text="trả lời",
                       reply_parameters={"message_id": 1})
    assert msg["reply_to_message"]["text"] == "/start"
    assert await bot.error("sendMessage", chat_id=lan.id, text="x",
                           reply_parameters={"message_id": 99}) == (
        400, "Bad Request: message to be replied not found")
    await bot.ok("sendMessage", chat_id=lan.id, text="x",
                 reply_parameters={"message_id": 99, "allow_sending_without_reply": True})


async def test_callback_update_is_a_snapshot(bot: BotHttp, client: SandboxClient) -> None:
    lan = await _lan(client)
    await _confirm(bot)
    msg = await bot.ok("sendMessage", chat_id=lan.id, text="trước", reply_markup=INLINE)
    await lan.press(data="yes", wait=False)
    await bot.ok("editMessageText", chat_id=lan.id, message_id=msg["message_id"], text="sau")
    (update,) = await bot.ok("getUpdates")
    assert update["callback_query"]["message"]["text"] == "trước"


async def test_chat_page_is_served(sandbox: Sandbox, http: Any) -> None:
    async with http.get(sandbox.base_url + "/") as resp:
        assert resp.status == 200
        assert "/driver/events" in await resp.text()
