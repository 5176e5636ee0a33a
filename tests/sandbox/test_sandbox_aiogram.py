"""A real aiogram bot, unchanged, polling the sandbox while SandboxClient plays the users.

This is the proof that aiogram's own request encoding (multipart form data, JSON-encoded objects,
``attach://`` file parts) and response parsing work against the emulator.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import Command, CommandStart
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from sandbox import Sandbox
from sandbox.client import SandboxClient
from tests.sandbox.sandbox_support import TOKEN


def build_router() -> Router:
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        keyboard = InlineKeyboardMarkup(inline_keyboard=[[
            InlineKeyboardButton(text="Đề xuất", callback_data="propose"),
            InlineKeyboardButton(text="Trợ giúp", callback_data="help"),
        ]])
        await message.answer("<b>Xin chào</b>, chọn một việc:", reply_markup=keyboard)

    @router.callback_query(F.data == "propose")
    async def propose(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        await query.message.edit_text("Bạn đã chọn <i>Đề xuất</i>.")
        await query.answer("OK")

    @router.message(Command("phone"))
    async def ask_phone(message: Message) -> None:
        keyboard = ReplyKeyboardMarkup(keyboard=[[
            KeyboardButton(text="Gửi số", request_contact=True)]], resize_keyboard=True)
        await message.answer("Số điện thoại của bạn?", reply_markup=keyboard)

    @router.message(F.contact)
    async def got_contact(message: Message) -> None:
        assert message.contact is not None
        await message.answer(f"Đã nhận {message.contact.phone_number}",
                             reply_markup=ReplyKeyboardRemove())

    @router.message(F.document)
    async def got_document(message: Message, bot: Bot) -> None:
        assert message.document is not None
        data = await bot.download(message.document.file_id)
        assert data is not None
        size = len(data.read())
        await message.answer_document(BufferedInputFile(b"receipt for " + str(size).encode(),
                                                        filename="bien-nhan.txt"),
                                      caption=f"Đã nhận {size} byte")

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(f"Bạn nói: {message.text}")

    return router


@pytest.fixture
async def running_bot(sandbox: Sandbox) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(sandbox.base_url))
    bot = Bot(TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    await bot.set_my_commands([BotCommand(command="start", description="Bắt đầu")],
                              language_code="vi")
    await bot.set_my_commands([BotCommand(command="start", description="Start")],
                              scope=BotCommandScopeAllPrivateChats(), language_code="en")
    dp = Dispatcher()
    dp.include_router(build_router())
    polling = asyncio.create_task(dp.start_polling(
        bot, handle_signals=False, handle_as_tasks=False, polling_timeout=1,
        close_bot_session=False))
    yield bot
    await dp.stop_polling()
    await asyncio.wait_for(polling, 5)
    await session.close()


async def test_aiogram_bot_works_unchanged(running_bot: Bot, client: SandboxClient) -> None:
    lan = await client.user(501, "Lan", language_code="vi")

    reply = await lan.send("/start")
    assert reply.text == "Xin chào, chọn một việc:"
    assert reply.last is not None and reply.last["html"] == "<b>Xin chào</b>, chọn một việc:"
    assert reply.buttons == ["Đề xuất", "Trợ giúp"]

    reply = await lan.press("Đề xuất")
    assert reply.messages[0]["text"] == "Bạn đã chọn Đề xuất." and reply.messages[0]["edited"]
    assert [a["text"] for a in reply.callback_answers] == ["OK"]
    assert await lan.buttons() == []  # edit_text without markup removes the keyboard

    reply = await lan.send("chào bot")
    assert reply.text == "Bạn nói: chào bot"
    assert reply.update_id is not None
    again = await lan.replay(reply.update_id)  # Telegram redelivers: the bot answers twice
    assert again.text == "Bạn nói: chào bot" and again.messages[0]["message_id"] > (
        reply.messages[0]["message_id"])

    await lan.send("không chờ", wait=False)
    seen = await lan.wait_for("không chờ", timeout=3)
    assert seen["text"] == "Bạn nói: không chờ"

    await lan.send("/phone")
    assert await lan.reply_keyboard() == ["Gửi số"]
    reply = await lan.press("Gửi số")
    assert reply.text.startswith("Đã nhận +849")
    assert await lan.reply_keyboard() is None

    reply = await lan.document("don.pdf", content=b"%PDF-1.4 " + bytes(300))
    assert reply.last is not None and reply.last["kind"] == "document"
    assert reply.last["caption"] == "Đã nhận 309 byte"
    assert reply.last["file_name"] == "bien-nhan.txt"

    # Every callback query was answered; commands were stored per language and scope.
    assert [r["status"] for r in await client.requests("answerCallbackQuery")] == [200]
    assert (await client.commands("vi"))[0]["description"] == "Bắt đầu"
    assert (await client.commands("en", scope="all_private_chats"))[0]["description"] == "Start"
    sends = await client.requests("sendMessage")
    assert all(r["status"] == 200 for r in sends)
    assert sends[0]["params"]["parse_mode"] == "HTML"


async def test_aiogram_sees_sandbox_errors(running_bot: Bot, client: SandboxClient) -> None:
    await client.user(502, "Minh")
    with pytest.raises(TelegramForbiddenError, match="can't initiate conversation"):
        await running_bot.send_message(502, "hello")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await running_bot.send_message(999_999, "hello")
    minh = await client.user(502, "Minh", started=True)
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await running_bot.send_message(minh.id, "x", reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="a", callback_data="đ" * 40)]]))


async def test_aiogram_webhook_with_reply_in_response(sandbox: Sandbox,
                                                      client: SandboxClient) -> None:
    """aiogram's webhook handler may answer with a method call in the HTTP reply (multipart)."""
    router = Router()

    @router.message(F.text)
    async def echo(message: Message) -> object:
        return message.answer(f"Webhook: <b>{message.text}</b>")

    dp = Dispatcher()
    dp.include_router(router)
    session = AiohttpSession(api=TelegramAPIServer.from_base(sandbox.base_url))
    bot = Bot(TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    app = web.Application()
    SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token="wh-secret",
                         handle_in_background=False).register(app, path="/wh")
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        assert await bot.set_webhook(f"http://{host}:{port}/wh", secret_token="wh-secret")
        lan = await client.user(503, "Lan")
        reply = await lan.send("chào")
        assert reply.text == "Webhook: chào"
        assert reply.last is not None and reply.last["html"] == "Webhook: <b>chào</b>"
        info = await bot.get_webhook_info()
        assert info.pending_update_count == 0 and info.last_error_message is None
    finally:
        await runner.cleanup()
        await session.close()
