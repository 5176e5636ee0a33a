"""Every routing check runs on the event loop, never through a worker thread.

aiogram sends any callback that is not a coroutine, a magic ``F`` filter or a lambda included,
through ``asyncio.to_thread``. One such check on a busy router costs a thread trip on every
update that reaches it (see bot/handlers/filters.py).
"""

from __future__ import annotations

import pytest
from aiogram import Bot, F
from aiogram.dispatcher.event.handler import FilterObject, HandlerObject
from aiogram.filters import Command, CommandStart
from aiogram.types import CallbackQuery, Chat, Contact, Message, User
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import create_dispatcher
from bot.config import Settings
from bot.handlers.filters import Cmd, CmdStart, DataPrefix, PlainText, Says, SharedContact
from sandbox.server import DEFAULT_TOKEN


def _checks(session_factory: async_sessionmaker[AsyncSession]) -> list[tuple[str, object]]:
    """(where, callable object) for every handler and filter the dispatcher can run."""
    dispatcher = create_dispatcher(Settings(), session_factory)
    found: list[tuple[str, object]] = []
    for router in dispatcher.chain_tail:
        for name, observer in router.observers.items():
            handlers: list[HandlerObject] = getattr(observer, "handlers", [])
            for h in handlers:
                where = f"{router.name}.{name}:{getattr(h.callback, '__name__', h.callback)}"
                found.append((where, h))
                found.extend((f"{where} filter {f.callback!r}", f) for f in h.filters or [])
            # Filters set on the observer itself (its own callback is never called).
            shared = getattr(observer, "_handler", None)
            filters: list[FilterObject] = getattr(shared, "filters", None) or []
            found.extend((f"{router.name}.{name} filter {f.callback!r}", f) for f in filters)
    return found


def test_every_handler_and_filter_is_awaited_in_place(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    checks = _checks(session_factory)
    assert len(checks) > 30  # the walk really found the routers' handlers and filters
    threaded = [where for where, obj in checks if not obj.awaitable]  # type: ignore[attr-defined]
    assert threaded == []


def test_a_magic_filter_would_be_caught() -> None:
    """The check above is not vacuous: aiogram marks a plain filter as one to run in a thread."""
    assert FilterObject(F.data.startswith("w:")).awaitable is False
    assert FilterObject(DataPrefix("w:")).awaitable is True


def _message(text: str | None = None, contact: Contact | None = None) -> Message:
    return Message(
        message_id=1,
        date=0,
        chat=Chat(id=7, type="private"),
        from_user=User(id=7, is_bot=False, first_name="A"),
        text=text,
        contact=contact,
    )


def _press(data: str | None) -> CallbackQuery:
    return CallbackQuery(
        id="1", from_user=User(id=7, is_bot=False, first_name="A"), chat_instance="c", data=data
    )


@pytest.mark.parametrize("data", ["w:1:2", "wp:3:0", "w", "", None, "dr:list"])
@pytest.mark.parametrize("prefix", ["w:", "wp:", "dr:"])
async def test_data_prefix_decides_as_the_magic_filter_did(data: str | None, prefix: str) -> None:
    press = _press(data)
    assert await DataPrefix(prefix)(press) is bool(F.data.startswith(prefix).resolve(press))


@pytest.mark.parametrize("text", ["Nguyễn Văn A", "/help", "/propose@bot", "", None, " /x"])
async def test_plain_text_decides_as_the_magic_filters_did(text: str | None) -> None:
    message = _message(text)
    magic = bool(F.text.resolve(message)) and bool((~F.text.startswith("/")).resolve(message))
    assert await PlainText()(message) is magic


async def test_filters_decide_as_the_magic_filters_did() -> None:
    caption_only = _message(None).model_copy(update={"caption": "ảnh giấy khen"})
    assert await PlainText()(caption_only) is False

    assert await Says(frozenset({"de xuat"}))(_message("  Đề   xuất ")) is True
    assert await Says(frozenset({"de xuat"}))(_message("đề xuất mới")) is False

    contact = Contact(phone_number="0912345678", first_name="A", user_id=7)
    assert await SharedContact()(_message(contact=contact)) is True
    assert await SharedContact()(_message("0912345678")) is False


def test_every_command_filter_is_the_quick_one(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    commands = [
        (where, f.callback)
        for where, f in _checks(session_factory)
        if isinstance(getattr(f, "callback", None), Command)
    ]
    assert len(commands) >= 10
    slow = [where for where, c in commands if not isinstance(c, Cmd | CmdStart)]
    assert slow == []


@pytest.mark.parametrize(
    ("text", "caption"),
    [
        ("/help", None),
        (" /help", None),
        ("\n/help now", None),
        ("   ", None),
        ("/help now", None),
        ("/HELP", None),
        ("/help@exemplar_demo_bot", None),
        ("/help@another_bot", None),
        ("/helpme", None),
        ("help", None),
        ("1", None),
        ("", None),
        (None, "/help"),
        (None, "ảnh"),
        (None, None),
        ("/start", None),
        ("/start inv_ABC", None),
        ("/startx", None),
    ],
)
async def test_the_quick_command_filters_decide_as_aiograms(
    text: str | None, caption: str | None
) -> None:
    message = _message(text).model_copy(update={"caption": caption})
    bot = Bot(DEFAULT_TOKEN)
    bot._me = User(id=1, is_bot=True, first_name="B", username="exemplar_demo_bot")
    pairs = [
        (Cmd("help"), Command("help")),
        (CmdStart(), CommandStart()),
        (CmdStart(deep_link=True), CommandStart(deep_link=True)),
    ]
    for quick, stock in pairs:
        assert await quick(message, bot) == await stock(message, bot)
