"""The per-update outbox: what it sends after the commit, and what one failure must not stop."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramServerError
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage, TelegramMethod
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.api_session import JsonBodySession
from bot.dialogs.screen import Choice, Screen, rows_of, screen_from_payload, screen_to_payload
from bot.handlers.ui import (
    REMOVE_KEYBOARD,
    EditScreen,
    SendScreen,
    Ui,
    contact_markup,
    inline_markup,
)
from bot.outbox.queue import Outgoing
from bot.outbox.render import SCREEN
from bot.workflow.users import Contact, get_or_register
from sandbox.server import DEFAULT_TOKEN
from storage.models import OutboxMessage


class RecordingBot:
    """Only the three calls the outbox makes for a pressed button; answers can be made to fail."""

    def __init__(self, answer_error: Exception | None = None, answer_delay: float = 0.0) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.answer_error = answer_error
        self.answer_delay = answer_delay

    async def answer_callback_query(self, callback_query_id: str, **kw: Any) -> bool:
        await asyncio.sleep(self.answer_delay)
        self.calls.append(("answer", {"id": callback_query_id, **kw}))
        if self.answer_error is not None:
            raise self.answer_error
        return True

    async def __call__(self, method: TelegramMethod[Any]) -> Any:
        if isinstance(method, EditScreen):
            self.calls.append(("edit", method.model_dump(exclude_none=True)))
        elif isinstance(method, SendScreen):
            self.calls.append(("send", {"chat_id": method.chat_id, "text": method.text}))
        else:
            raise AssertionError(f"the outbox made an unexpected call: {method!r}")
        return {"message_id": 71}


def _pressed(bot: RecordingBot) -> Ui:
    return Ui(bot, chat_id=7, callback_query_id="cq1", callback_message_id=70)  # type: ignore[arg-type]


async def test_a_press_gets_its_answer_and_its_screen_side_by_side() -> None:
    bot = RecordingBot(answer_delay=0.05)
    ui = _pressed(bot)
    ui.show(Screen("Bước 2/11"))
    ui.toast("Đã lưu")
    await ui.flush()
    # The edit did not wait for the slow answer, and the answer still went out, with the toast.
    assert [kind for kind, _ in bot.calls] == ["edit", "answer"]
    assert bot.calls[1][1]["text"] == "Đã lưu"
    assert bot.calls[0][1]["message_id"] == 70


async def test_a_failed_answer_stops_neither_the_screen_nor_later_work() -> None:
    for error in (
        TelegramBadRequest(AnswerCallbackQuery(callback_query_id="cq1"), "query is too old"),
        TelegramServerError(AnswerCallbackQuery(callback_query_id="cq1"), "Bad Gateway"),
    ):
        bot = RecordingBot(answer_error=error)
        ui = _pressed(bot)
        ui.show(Screen("Bước 3/11"))
        done: list[str] = []

        async def job(done: list[str] = done) -> None:
            done.append("downloaded")

        ui.after_commit(job)
        await ui.flush()  # no exception escapes
        assert any(kind == "edit" for kind, _ in bot.calls)
        assert done == ["downloaded"]


def test_screens_leave_a_success_unparsed_and_still_raise_on_errors() -> None:
    bot = Bot(DEFAULT_TOKEN)
    answer = {
        "message_id": 5,
        "date": 0,
        "chat": {"id": 7, "type": "private"},
        "text": "Bước 2/11",
    }
    for method in (
        SendScreen(chat_id=7, text="Bước 2/11"),
        EditScreen(chat_id=7, message_id=5, text="Bước 2/11"),
    ):
        ok = bot.session.check_response(
            bot, method, 200, json.dumps({"ok": True, "result": answer})
        )
        assert ok.result == answer  # as Telegram sent it: no Message was built
        with pytest.raises(TelegramBadRequest, match="message is not modified"):
            bot.session.check_response(
                bot,
                method,
                400,
                json.dumps(
                    {
                        "ok": False,
                        "error_code": 400,
                        "description": "Bad Request: message is not modified",
                    }
                ),
            )
    # The stock method would have built one; the outbox does not need it.
    stock = bot.session.check_response(
        bot, SendMessage(chat_id=7, text="x"), 200, json.dumps({"ok": True, "result": answer})
    )
    assert isinstance(stock.result, Message)


def test_a_screens_keyboard_is_the_json_aiogram_types_would_send() -> None:
    """The outbox writes keyboards as JSON itself; they must say what aiogram's types say."""
    session = JsonBodySession()
    bot = Bot(DEFAULT_TOKEN, session=session)
    screen = Screen(
        "Giới tính?",
        rows=rows_of(
            [
                Choice("Nam", "w:4:9:a:0"),
                Choice("Nữ", "w:4:9:b:0"),
                Choice("⬅ Quay lại", "w:4:9:back", numbered=False),
            ],
            per_row=2,
        ),
        contact_label="Gửi số điện thoại",
    )
    stock_inline = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text="1. Nam", callback_data="w:4:9:a:0"),
                InlineKeyboardButton(text="2. Nữ", callback_data="w:4:9:b:0"),
            ],
            [InlineKeyboardButton(text="⬅ Quay lại", callback_data="w:4:9:back")],
        ]
    )
    stock_contact = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="Gửi số điện thoại", request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    pairs = [
        (
            SendScreen(chat_id=7, text="x", reply_markup=inline_markup(screen)),
            SendMessage(chat_id=7, text="x", reply_markup=stock_inline),
        ),
        (
            EditScreen(chat_id=7, message_id=5, text="x", reply_markup=inline_markup(screen)),
            EditMessageText(chat_id=7, message_id=5, text="x", reply_markup=stock_inline),
        ),
        (
            SendScreen(chat_id=7, text="x", reply_markup=contact_markup(screen)),
            SendMessage(chat_id=7, text="x", reply_markup=stock_contact),
        ),
        (
            SendScreen(chat_id=7, text="x", reply_markup=REMOVE_KEYBOARD),
            SendMessage(chat_id=7, text="x", reply_markup=ReplyKeyboardRemove()),
        ),
        (SendScreen(chat_id=7, text="x"), SendMessage(chat_id=7, text="x")),
    ]
    for ours, stock in pairs:
        assert session.json_payload(bot, ours) == session.json_payload(bot, stock)
    assert inline_markup(Screen("Không có nút")) is None


class Reply:
    """A dialog's answer: a screen for the person, and a notice for someone else."""

    def __init__(self, *notices: object) -> None:
        self.screens = [Screen("Đã gửi", edit=False)]
        self.outgoing: list[tuple[int, Screen]] = []
        self.notices = list(notices)
        self.toast = None


class Notice:
    def __init__(self, user_id: int) -> None:
        self.user_id = user_id

    def messages(self) -> list[Outgoing]:
        card = screen_to_payload(Screen("Thẻ mới", edit=False))
        return [Outgoing(self.user_id, SCREEN, card, cause="notice:test")]


async def test_what_an_update_tells_others_is_kept_in_its_transaction_not_sent_by_flush(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        first = await get_or_register(session, Contact(8, "Lan"))
        second = await get_or_register(session, Contact(9, "Minh"))
        await session.commit()
    bot = RecordingBot()
    ui = Ui(bot, chat_id=7)  # type: ignore[arg-type]
    reply = Reply(Notice(second.id))
    reply.outgoing.append((8, Screen("Đã được phê duyệt", edit=False)))
    reply.outgoing.append((404, Screen("Không ai", edit=False)))  # nobody has that chat
    ui.deliver(reply)  # type: ignore[arg-type]
    async with session_factory() as session:
        ids = await ui.keep_for_others(session)
        await session.commit()
    await ui.flush()
    assert bot.calls == [("send", {"chat_id": 7, "text": "Đã gửi"})]  # only the person's own
    async with session_factory() as session:
        rows = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert [row.id for row in rows] == ids
    assert [(row.recipient_id, row.state) for row in rows] == [
        (first.id, "pending"),
        (second.id, "pending"),
    ]
    assert screen_from_payload(rows[0].payload).text == "Đã được phê duyệt"
    assert [row.cause for row in rows] == ["notice", "notice:test"]


async def test_a_discarded_answer_keeps_nothing_for_others(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        person = await get_or_register(session, Contact(8, "Lan"))
        await session.commit()
    ui = Ui(RecordingBot(), chat_id=7)  # type: ignore[arg-type]
    ui.deliver(Reply(Notice(person.id)))  # type: ignore[arg-type]
    ui.discard()  # the decision failed and was rolled back
    async with session_factory() as session:
        assert await ui.keep_for_others(session) == []
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


async def test_a_discarded_answer_takes_its_toast_with_it() -> None:
    bot = RecordingBot()
    ui = _pressed(bot)
    ui.toast("Đã phê duyệt.")
    ui.discard()  # the decision failed and was rolled back
    ui.show(Screen("Xin lỗi", edit=False))
    await ui.flush()
    [answer] = [call for kind, call in bot.calls if kind == "answer"]
    assert answer["text"] is None


def test_a_screens_files_keep_their_captions_in_the_outbox() -> None:
    screen = Screen(
        "Minh chứng", edit=False, files=(("photo", "F1"), ("document", "F2")), captions=("ảnh",)
    )
    back = screen_from_payload(screen_to_payload(screen))
    assert back.files == screen.files and back.captions == ("ảnh",)
    # A row written before captions existed still reads.
    old = {"text": "x", "rows": [], "files": [["photo", "F1"]]}
    assert screen_from_payload(old).captions == ()
