"""Reviewing on Telegram: routes updates to bot.dialogs.review."""

from __future__ import annotations

from functools import partial

from aiogram import Router
from aiogram.filters import CommandObject
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.dialogs import consulting, review_history
from bot.dialogs import review as dialog
from bot.dialogs.reminders import OPEN_QUEUE
from bot.dialogs.review_replies import Reply, refusal_text
from bot.handlers.filters import Cmd, DataPrefix, PlainText
from bot.handlers.made_files import send_made
from bot.handlers.ui import Ui
from bot.handlers.wizard import today
from bot.reports.achievement import render, template_for
from bot.workflow.actor import Actor
from bot.workflow.review_chain import ReviewRefused
from storage.models import Nomination, User


def _ints(parts: list[str]) -> list[int] | None:
    return [int(p) for p in parts] if all(p.isdigit() for p in parts) else None


async def review_command(
    message: Message, command: CommandObject, session: AsyncSession, actor: Actor, ui: Ui
) -> None:
    ui.deliver(await dialog.show_queue(session, actor, today().date(), 0, command.args or ""))


async def opinions_command(message: Message, session: AsyncSession, actor: Actor, ui: Ui) -> None:
    ui.deliver(await consulting.opinions(session, actor))


async def queue_opened(query: CallbackQuery, session: AsyncSession, actor: Actor, ui: Ui) -> None:
    """A reminder's "open the queue": what /review shows."""
    ui.deliver(await dialog.show_queue(session, actor, today().date(), 0, ""))


async def queue_page(query: CallbackQuery, session: AsyncSession, actor: Actor, ui: Ui) -> None:
    page = (query.data or "").split(":")[1]
    if page.isdigit():
        ui.deliver(await dialog.show_queue(session, actor, today().date(), int(page)))


async def card_pressed(
    query: CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    db_user: User,
    ui: Ui,
    settings: Settings,
) -> None:
    parts = (query.data or "").split(":")
    numbers = _ints(parts[1:3]) if len(parts) == 4 else None
    if numbers is None:
        return
    if parts[3] == "w":
        ui.deliver(await _report(session, actor, numbers[0], settings))
        return
    reply = await dialog.pressed(
        session, actor, db_user, numbers[0], numbers[1], parts[3], today().date()
    )
    ui.deliver(reply)


async def _report(
    session: AsyncSession, actor: Actor, nomination_id: int, settings: Settings
) -> Reply:
    """The Word achievement report, rendered off the event loop and sent as a file."""
    nomination = await session.get(Nomination, nomination_id)
    if nomination is None:
        return Reply(toast=refusal_text(ReviewRefused("unknown")))
    reply, context = await review_history.achievement_report(
        session, actor, nomination, today().date()
    )
    if context is None:
        return reply
    make = partial(render, template_for(nomination, settings.report_templates_dir), context)
    stem = f"bao-cao-thanh-tich-{nomination.id}"
    return await send_made(
        reply, settings, make, kind="document", folder="exports", stem=stem, suffix=".docx"
    )


async def opinion_pressed(
    query: CallbackQuery, session: AsyncSession, actor: Actor, db_user: User, ui: Ui
) -> None:
    parts = (query.data or "").split(":")
    if len(parts) == 3 and parts[1].isdigit() and parts[2] in ("y", "n", "t", "e", "o"):
        reply = await consulting.opinion_pressed(
            session, actor, db_user, int(parts[1]), parts[2], today().date()
        )
        ui.deliver(reply)


async def withdraw_pressed(
    query: CallbackQuery, session: AsyncSession, actor: Actor, ui: Ui
) -> None:
    numbers = _ints((query.data or "").split(":")[1:3])
    if numbers and len(numbers) == 2:
        ui.deliver(await dialog.withdraw(session, actor, numbers[0], numbers[1]))


async def mine_command(message: Message, session: AsyncSession, actor: Actor, ui: Ui) -> None:
    ui.deliver(await review_history.mine(session, actor))


async def history_command(
    message: Message, command: CommandObject, session: AsyncSession, actor: Actor, ui: Ui
) -> None:
    ui.deliver(await review_history.history_command(session, actor, command.args or ""))


async def reason_typed(
    message: Message, session: AsyncSession, actor: Actor, db_user: User, ui: Ui
) -> None:
    ui.deliver(
        await dialog.typed_reason(session, actor, db_user, message.text or "", today().date())
    )


async def _awaiting_reason(message: Message, db_user: User | None = None) -> bool:
    return db_user is not None and db_user.pending_action is not None


def router() -> Router:
    r = Router(name="review")
    r.message.register(review_command, Cmd("review"))
    r.message.register(mine_command, Cmd("mine"))
    r.message.register(history_command, Cmd("history"))
    r.message.register(opinions_command, Cmd("opinions"))
    r.callback_query.register(queue_page, DataPrefix("rq:"))
    r.callback_query.register(queue_opened, DataPrefix(OPEN_QUEUE))
    r.callback_query.register(card_pressed, DataPrefix("rv:"))
    r.callback_query.register(opinion_pressed, DataPrefix("cs:"))
    r.callback_query.register(withdraw_pressed, DataPrefix("wd:"))
    r.message.register(reason_typed, PlainText(), _awaiting_reason)
    return r
