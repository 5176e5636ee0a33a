"""Broadcasting on Telegram: routes /broadcast, its typed answers and buttons to
bot.dialogs.broadcast."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs import broadcast as dialog
from bot.handlers.filters import Cmd, DataPrefix, PlainText
from bot.handlers.ui import Ui
from bot.workflow.actor import Actor
from storage.models import User


async def broadcast_command(
    message: Message, session: AsyncSession, actor: Actor, db_user: User, ui: Ui
) -> None:
    ui.deliver(await dialog.start(session, actor, db_user))


async def text_typed(
    message: Message, session: AsyncSession, actor: Actor, db_user: User, ui: Ui
) -> None:
    ui.deliver(await dialog.typed(session, actor, db_user, message.text or ""))


async def file_sent(
    message: Message, session: AsyncSession, actor: Actor, db_user: User, ui: Ui
) -> None:
    if message.photo:
        kind, file_id = "photo", message.photo[-1].file_id
    elif message.document:
        kind, file_id = "document", message.document.file_id
    else:  # a voice note or a sticker is not a notice's attachment
        ui.deliver(await dialog.typed(session, actor, db_user, ""))
        return
    reply = await dialog.file_sent(session, actor, db_user, kind, file_id, message.caption or "")
    ui.deliver(reply)


async def button_pressed(
    query: CallbackQuery, session: AsyncSession, actor: Actor, db_user: User, ui: Ui
) -> None:
    ui.deliver(await dialog.pressed(session, actor, db_user, query.data or ""))


async def stop_pressed(query: CallbackQuery, session: AsyncSession, actor: Actor, ui: Ui) -> None:
    number = (query.data or "").removeprefix("bc:stop:")
    if number.isdigit():
        ui.deliver(await dialog.stop_pressed(session, actor, int(number)))


async def _composing(event: object, db_user: User | None = None) -> bool:
    return db_user is not None and dialog.composing(db_user)


def router() -> Router:
    r = Router(name="broadcast")
    r.message.register(broadcast_command, Cmd("broadcast"))
    r.message.register(text_typed, PlainText(), _composing)
    r.message.register(file_sent, _composing)
    r.callback_query.register(stop_pressed, DataPrefix("bc:stop:"))
    r.callback_query.register(button_pressed, DataPrefix("bc:"))
    return r
