"""The nomination wizard on Telegram: routes updates to bot.dialogs.nomination.wizard."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from io import BytesIO

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.dialogs.nomination import wizard
from bot.dialogs.nomination.wizard import Ctx, Download, IncomingFile, Reply
from bot.dialogs.onboarding import not_understood
from bot.dialogs.reminders import OPEN_DRAFTS, PROPOSE
from bot.handlers.filters import Cmd, DataPrefix, PlainText, Says
from bot.handlers.ui import Ui
from bot.i18n import DISPLAY_TZ
from bot.workflow.actor import Actor
from bot.workflow.evidence import MAX_DOWNLOAD_BYTES, record_blob, store_blob
from storage.db import write_lock
from storage.models import User

log = logging.getLogger(__name__)

PROPOSE_WORDS = frozenset({"de xuat", "propose", "de xuat moi"})
DRAFTS_WORDS = frozenset({"ban nhap", "drafts"})


def today() -> datetime:
    return datetime.now(DISPLAY_TZ)


def _ctx(session: AsyncSession, actor: Actor) -> Ctx:
    return Ctx(session, actor, today().date())


def _show(
    reply: Reply,
    ui: Ui,
    bot: Bot,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    ui.deliver(reply)
    for wanted in reply.downloads:
        ui.after_commit(lambda w=wanted: download(bot, session_factory, settings, w))


async def download(
    bot: Bot,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    wanted: Download,
) -> None:
    """Fetch a file into the content-addressed store; its evidence row is already committed.

    The file_id and size come with the job, so the only database work is recording the
    digest: one short turn at the write lock rather than two.
    """
    if (wanted.size or 0) > MAX_DOWNLOAD_BYTES:
        return
    buffer = BytesIO()
    try:
        await bot.download(wanted.file_id, destination=buffer)
    except TelegramAPIError as exc:
        log.warning("evidence %s not downloaded: %s", wanted.evidence_id, exc)
        return
    # Hashing and writing a file of up to 20 MB would stall every other update on the loop.
    digest = await asyncio.to_thread(store_blob, settings.evidence_dir, buffer.getvalue())
    async with write_lock(session_factory.kw["bind"]), session_factory() as session:
        recorded = await record_blob(session, wanted.evidence_id, digest)
        await session.commit()
    if not recorded:  # the draft was discarded while the file came in: nothing points at it
        log.info(
            "evidence %s was deleted during its download; blob %s unreferenced",
            wanted.evidence_id,
            digest,
        )


async def propose(
    event: Message | CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    db_user: User,
    ui: Ui,
    bot: Bot,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """/propose or "đề xuất"; or a reminder's or notice's button (``go:propose[:PLAN]``), which
    starts in the plan it names. The draft in hand is left first, saying so."""
    plan_id = None
    if isinstance(event, CallbackQuery):
        plan_id = (event.data or "").removeprefix(PROPOSE).removeprefix(":") or None
    ctx = _ctx(session, actor)
    note = await wizard.leave(ctx, db_user)
    if note is not None:
        ui.show(note)
    reply = await (wizard.propose_in(ctx, plan_id) if plan_id else wizard.propose(ctx))
    _show(reply, ui, bot, settings, session_factory)


async def drafts(
    message: Message,
    session: AsyncSession,
    actor: Actor,
    db_user: User,
    ui: Ui,
    bot: Bot,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    ctx = _ctx(session, actor)
    await wizard.leave(ctx, db_user)
    _show(await wizard.list_drafts(ctx), ui, bot, settings, session_factory)


async def plan_pressed(
    query: CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    ui: Ui,
    bot: Bot,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    parts = (query.data or "").split(":")
    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
        reply = await wizard.choose_plan(_ctx(session, actor), int(parts[1]), int(parts[2]))
        _show(reply, ui, bot, settings, session_factory)


async def step_pressed(
    query: CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    ui: Ui,
    bot: Bot,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    parts = (query.data or "").split(":")
    if len(parts) < 4 or not parts[1].isdigit() or not parts[2].isdigit():
        return
    arg = parts[4] if len(parts) > 4 else ""
    reply = await wizard.press(_ctx(session, actor), int(parts[1]), int(parts[2]), parts[3], arg)
    _show(reply, ui, bot, settings, session_factory)


async def drafts_pressed(
    query: CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    ui: Ui,
    bot: Bot,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    parts = (query.data or "").split(":")
    if len(parts) < 2:
        return
    nomination_id = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 0
    version = int(parts[3]) if len(parts) > 3 and parts[3].isdigit() else None
    reply = await wizard.drafts_pressed(_ctx(session, actor), parts[1], nomination_id, version)
    _show(reply, ui, bot, settings, session_factory)


async def text_typed(
    message: Message,
    session: AsyncSession,
    actor: Actor,
    db_user: User,
    ui: Ui,
    bot: Bot,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    reply = await wizard.typed(_ctx(session, actor), db_user, message.text or "")
    if reply is None:
        ui.show(not_understood())
        return
    _show(reply, ui, bot, settings, session_factory)


async def file_sent(
    message: Message,
    session: AsyncSession,
    actor: Actor,
    db_user: User,
    ui: Ui,
    bot: Bot,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    incoming = _incoming(message)
    reply = None
    if incoming is not None:
        reply = await wizard.received_file(_ctx(session, actor), db_user, incoming)
    if reply is None:  # a sticker, or a file with no draft waiting for one
        reply = await wizard.typed(_ctx(session, actor), db_user, "")
    if reply is None:
        ui.show(not_understood())
        return
    _show(reply, ui, bot, settings, session_factory)


def _incoming(message: Message) -> IncomingFile | None:
    if message.photo:
        biggest = message.photo[-1]
        return IncomingFile(
            "photo", biggest.file_id, biggest.file_unique_id, None, "image/jpeg", biggest.file_size
        )
    if message.document:
        d = message.document
        return IncomingFile(
            "document", d.file_id, d.file_unique_id, d.file_name, d.mime_type, d.file_size
        )
    if message.voice:
        v = message.voice
        return IncomingFile("voice", v.file_id, v.file_unique_id, None, v.mime_type, v.file_size)
    return None


async def _has_draft(message: Message, db_user: User | None = None) -> bool:
    return db_user is not None and db_user.active_nomination_id is not None


def router() -> Router:
    r = Router(name="wizard")
    r.message.register(propose, Cmd("propose"))
    r.message.register(propose, Says(PROPOSE_WORDS))
    r.message.register(drafts, Cmd("drafts"))
    r.message.register(drafts, Says(DRAFTS_WORDS))
    # A reminder's buttons do what its typed commands do.
    r.callback_query.register(propose, DataPrefix(PROPOSE))
    r.callback_query.register(drafts, DataPrefix(OPEN_DRAFTS))
    r.callback_query.register(plan_pressed, DataPrefix("wp:"))
    r.callback_query.register(step_pressed, DataPrefix("w:"))
    r.callback_query.register(drafts_pressed, DataPrefix("dr:"))
    r.message.register(text_typed, PlainText(), _has_draft)
    r.message.register(file_sent, _has_draft)
    return r
