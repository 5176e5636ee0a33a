"""The sandbox refuses what Telegram refuses: spec violations, limits, bad HTML, bad markup."""

from __future__ import annotations

import json

import aiohttp
import pytest

from sandbox import Sandbox
from sandbox.errors import ApiError
from sandbox.formatting import parse_html
from sandbox.spec import Upload, load_spec
from tests.sandbox.sandbox_support import TOKEN, BotHttp


async def _started_user(sandbox: Sandbox, user_id: int = 7) -> int:
    sandbox.state.upsert_user(user_id, "Lan", started=True)
    return user_id


async def test_wrong_token_is_401(bot: BotHttp) -> None:
    status, body = await bot("getMe", token="1:wrong")
    assert status == 401
    assert body == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_unknown_method_is_404(bot: BotHttp) -> None:
    status, body = await bot("sendTelepathy", chat_id=1)
    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_method_names_are_case_insensitive(bot: BotHttp) -> None:
    me = await bot.ok("getme")
    assert me["is_bot"] is True and me["id"] == 123456789


async def test_spec_method_not_implemented(bot: BotHttp) -> None:
    assert await bot.error("sendPoll", chat_id=1, question="?", options=[]) == (
        400, "Bad Request: method not supported by the sandbox")


async def test_unknown_parameter(bot: BotHttp, sandbox: Sandbox) -> None:
    uid = await _started_user(sandbox)
    code, text = await bot.error("sendMessage", chat_id=uid, text="hi", colour="red")
    assert code == 400 and text == 'Bad Request: unknown parameter "colour"'


async def test_missing_required_parameters(bot: BotHttp, sandbox: Sandbox) -> None:
    uid = await _started_user(sandbox)
    assert await bot.error("sendMessage", chat_id=uid) == (
        400, "Bad Request: message text is empty")
    assert await bot.error("sendMessage", text="x") == (400, "Bad Request: chat_id is empty")
    code, text = await bot.error("setMyCommands", language_code="vi")
    assert code == 400 and '"commands" is required' in text


async def test_wrong_basic_types(bot: BotHttp, sandbox: Sandbox) -> None:
    uid = await _started_user(sandbox)
    code, text = await bot.error("sendMessage", chat_id=uid, text="x", disable_notification="maybe")
    assert code == 400 and "must be of type Boolean" in text
    code, text = await bot.error("getUpdates", offset="ten")
    assert code == 400 and "must be of type Integer" in text
    code, text = await bot.error("sendMessage", chat_id={"id": uid}, text="x")
    assert code == 400 and "Integer or String" in text
    code, text = await bot.error("sendMessage", chat_id=uid, text=5)
    assert code == 400 and "must be of type String" in text


async def test_nested_objects_are_checked(bot: BotHttp, sandbox: Sandbox) -> None:
    uid = await _started_user(sandbox)
    bad_button = {"inline_keyboard": [[{"text": 1, "callback_data": "a"}]]}
    code, text = await bot.error("sendMessage", chat_id=uid, text="x", reply_markup=bad_button)
    assert code == 400 and 'InlineKeyboardButton: field "text" must be of type String' in text
    bad_reply = {"keyboard": [[{"text": "A", "request_kontakt": True}]]}
    code, text = await bot.error("sendMessage", chat_id=uid, text="x", reply_markup=bad_reply)
    assert code == 400 and 'KeyboardButton: unknown field "request_kontakt"' in text


async def test_text_limits(bot: BotHttp, sandbox: Sandbox) -> None:
    uid = await _started_user(sandbox)
    assert await bot.error("sendMessage", chat_id=uid, text="ă" * 4097) == (
        400, "Bad Request: message is too long")
    await bot.ok("sendMessage", chat_id=uid, text="ă" * 4096)
    assert await bot.error("sendMessage", chat_id=uid, text="   ") == (
        400, "Bad Request: message text is empty")
    # Length counts after entity parsing: tags do not count.
    await bot.ok("sendMessage", chat_id=uid, text="<b>" + "a" * 4096 + "</b>", parse_mode="HTML")


async def test_caption_limit(bot: BotHttp, sandbox: Sandbox, http: aiohttp.ClientSession
                             ) -> None:
    uid = await _started_user(sandbox)
    form = aiohttp.FormData()
    form.add_field("chat_id", str(uid))
    form.add_field("caption", "c" * 1025)
    form.add_field("document", b"hello", filename="a.txt")
    status, body = await bot("sendDocument", data=form)
    assert status == 400 and body["description"] == "Bad Request: message caption is too long"


async def test_callback_data_over_64_bytes(bot: BotHttp, sandbox: Sandbox) -> None:
    uid = await _started_user(sandbox)
    # 22 Vietnamese letters are 22 characters but 66 bytes of UTF-8.
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "ế" * 22}]]}
    assert await bot.error("sendMessage", chat_id=uid, text="x", reply_markup=markup) == (
        400, "Bad Request: BUTTON_DATA_INVALID")
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "e" * 64}]]}
    await bot.ok("sendMessage", chat_id=uid, text="x", reply_markup=markup)


async def test_inline_button_needs_an_action(bot: BotHttp, sandbox: Sandbox) -> None:
    uid = await _started_user(sandbox)
    markup = {"inline_keyboard": [[{"text": "A"}]]}
    code, text = await bot.error("sendMessage", chat_id=uid, text="x", reply_markup=markup)
    assert code == 400 and "Text buttons are unallowed" in text
    markup = {"inline_keyboard": [[{"text": "A", "url": "http://localhost:8080/x"}]]}
    code, text = await bot.error("sendMessage", chat_id=uid, text="x", reply_markup=markup)
    assert code == 400 and "Wrong HTTP URL" in text


async def test_bad_html_is_refused(bot: BotHttp, sandbox: Sandbox) -> None:
    uid = await _started_user(sandbox)
    code, text = await bot.error("sendMessage", chat_id=uid, text="1 < 2", parse_mode="HTML")
    assert code == 400 and text.startswith("Bad Request: can't parse entities")
    code, text = await bot.error("sendMessage", chat_id=uid, text="<b>x", parse_mode="HTML")
    assert code == 400 and "Can't find end tag" in text
    code, text = await bot.error("sendMessage", chat_id=uid, text="<div>x</div>",
                                 parse_mode="HTML")
    assert code == 400 and 'Unsupported start tag "div"' in text


async def test_answer_callback_text_limit_and_unknown_query(bot: BotHttp) -> None:
    assert await bot.error("answerCallbackQuery", callback_query_id="42") == (
        400, "Bad Request: query is too old and response timeout expired or query ID is invalid")


async def test_form_and_query_encodings(bot: BotHttp, sandbox: Sandbox,
                                        http: aiohttp.ClientSession) -> None:
    uid = await _started_user(sandbox)
    markup = json.dumps({"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]})
    form = aiohttp.FormData({"chat_id": str(uid), "text": "hi", "reply_markup": markup})
    status, body = await bot("sendMessage", data=form)
    assert status == 200 and body["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "A"
    url = f"{sandbox.base_url}/bot{TOKEN}/sendMessage"
    async with http.get(url, params={"chat_id": str(uid), "text": "q"}) as resp:
        assert resp.status == 200
        assert (await resp.json())["result"]["text"] == "q"


def test_spec_validate_converts_strings_and_attach() -> None:
    spec = load_spec()
    upload = Upload("f1", "a.pdf", "application/pdf", b"%PDF")
    out = spec.validate("sendDocument", {"chat_id": "5", "document": "attach://f1",
                                         "disable_notification": "true"}, {"f1": upload})
    assert out == {"chat_id": 5, "document": upload, "disable_notification": True}
    with pytest.raises(ApiError, match="was not uploaded"):
        spec.validate("sendDocument", {"chat_id": "5", "document": "attach://nope"}, {})
    scope = spec.validate("setMyCommands", {
        "commands": '[{"command": "start", "description": "Start"}]',
        "scope": '{"type": "chat", "chat_id": 5}'}, {})
    assert scope["scope"] == {"type": "chat", "chat_id": 5}
    with pytest.raises(ApiError, match="BotCommandScope"):
        spec.validate("setMyCommands", {"commands": "[]", "scope": '{"type": "galaxy"}'}, {})


def test_parse_html_entities_and_offsets() -> None:
    parsed = parse_html("  <b>Xin chào</b> &lt;bạn&gt; <a href=\"https://x.vn\">🙂 link</a>  ")
    assert parsed.text == "Xin chào <bạn> 🙂 link"
    assert parsed.entities[0] == {"type": "bold", "offset": 0, "length": 8}
    # the emoji takes two UTF-16 code units
    assert parsed.entities[1] == {"type": "text_link", "offset": 15, "length": 7,
                                  "url": "https://x.vn"}
