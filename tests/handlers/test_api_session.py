"""Bot API calls go as JSON documents; a call that uploads a file still goes as multipart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from aiogram import Bot
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageText,
    GetUpdates,
    RestrictChatMember,
    SendMessage,
    TelegramMethod,
)
from aiogram.types import (
    BufferedInputFile,
    ChatPermissions,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardRemove,
)
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.api_session import JsonBodySession

TOKEN = "42:TEST"
MESSAGE = {
    "message_id": 5,
    "date": 0,
    "chat": {"id": 7, "type": "private"},
    "text": "ok",
}


class FakeTelegram:
    """Answers like Telegram and keeps what each call carried."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Any]] = []

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.content_type == "application/json":
            body: Any = await request.json()
        else:
            form = await request.post()
            body = {key: getattr(value, "filename", value) for key, value in form.items()}
        self.calls.append((method, request.content_type, body))
        if method == "sendMessage" and body.get("text") == "refuse":
            return web.json_response(
                {"ok": False, "error_code": 400, "description": "Bad Request: refused"},
                status=400,
            )
        result: Any = True if method == "answerCallbackQuery" else MESSAGE
        return web.json_response({"ok": True, "result": result})


@pytest.fixture
async def telegram() -> AsyncIterator[tuple[FakeTelegram, Bot]]:
    fake = FakeTelegram()
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", fake.handle)
    server = TestServer(app)
    await server.start_server()
    api = TelegramAPIServer.from_base(str(server.make_url("")).rstrip("/"))
    bot = Bot(TOKEN, session=JsonBodySession(api=api))
    yield fake, bot
    await bot.session.close()
    await server.close()


async def test_a_message_with_buttons_is_one_json_document(
    telegram: tuple[FakeTelegram, Bot],
) -> None:
    fake, bot = telegram
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="1. Có", callback_data="w:1:2:a:0")]]
    )
    sent = await bot.send_message(7, "Bước 1/11\nĐề xuất", reply_markup=markup)
    assert sent.message_id == 5 and sent.text == "ok"
    method, content_type, body = fake.calls[-1]
    assert (method, content_type) == ("sendMessage", "application/json")
    assert body == {
        "chat_id": 7,
        "text": "Bước 1/11\nĐề xuất",
        "reply_markup": {"inline_keyboard": [[{"text": "1. Có", "callback_data": "w:1:2:a:0"}]]},
    }


async def test_false_zero_and_empty_lists_are_sent_none_is_not(
    telegram: tuple[FakeTelegram, Bot],
) -> None:
    fake, bot = telegram
    assert await bot.answer_callback_query("q1", show_alert=False, cache_time=0) is True
    _method, content_type, body = fake.calls[-1]
    assert content_type == "application/json"
    assert body == {"callback_query_id": "q1", "show_alert": False, "cache_time": 0}


async def test_a_file_upload_still_goes_as_multipart(telegram: tuple[FakeTelegram, Bot]) -> None:
    fake, bot = telegram
    await bot.send_document(7, BufferedInputFile(b"%PDF-1.4", filename="danh-sach.pdf"))
    method, content_type, body = fake.calls[-1]
    assert (method, content_type) == ("sendDocument", "multipart/form-data")
    assert body["chat_id"] == "7"
    assert body["document"].startswith("attach://")
    assert "danh-sach.pdf" in body.values()


async def test_a_refusal_is_raised_as_aiogram_raises_it(
    telegram: tuple[FakeTelegram, Bot],
) -> None:
    _fake, bot = telegram
    with pytest.raises(TelegramBadRequest, match="refused"):
        await bot.send_message(7, "refuse")


@pytest.mark.parametrize(
    "method",
    [
        SendMessage(
            chat_id=7,
            text="Bước 1/3",
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[[InlineKeyboardButton(text="Có", callback_data="w:1:2:a:0")]]
            ),
        ),
        EditMessageText(
            chat_id=7, message_id=5, text="x", reply_markup=InlineKeyboardMarkup(inline_keyboard=[])
        ),
        AnswerCallbackQuery(callback_query_id="q", text="", show_alert=False, cache_time=0),
        GetUpdates(offset=0, timeout=10, allowed_updates=[]),
        SendMessage(chat_id=7, text="x", reply_markup=ReplyKeyboardRemove()),
        RestrictChatMember(
            chat_id=-1,
            user_id=7,
            permissions=ChatPermissions(can_send_messages=False),
            until_date=datetime(2027, 1, 1, tzinfo=UTC),
        ),
    ],
    ids=["keyboard", "empty-keyboard", "answer", "get-updates", "remove-keyboard", "datetime"],
)
def test_the_json_says_what_the_form_said(method: TelegramMethod[Any]) -> None:
    """Field for field, what aiogram's form would send, as the Bot API reads a JSON value."""
    session = JsonBodySession()
    bot = Bot(TOKEN, session=session)
    payload = session.json_payload(bot, method)
    assert payload is not None
    form = {
        name: value
        for (options, _headers, value) in session.build_form_data(bot, method)._fields
        for name in [options["name"]]
    }
    assert payload.keys() == form.keys()
    for key, value in payload.items():
        # A form carries text: a number, a flag or an object goes as its JSON text.
        assert value == (form[key] if isinstance(value, str) else orjson.loads(form[key])), key


def test_the_payload_is_what_orjson_can_write() -> None:
    session = JsonBodySession()
    bot = Bot(TOKEN, session=session)
    payload = session.json_payload(bot, SendMessage(chat_id=7, text="x", parse_mode=None))
    assert orjson.loads(orjson.dumps(payload)) == {"chat_id": 7, "text": "x"}
