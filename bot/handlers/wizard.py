"""The nomination wizard on Telegram: routes updates to bot.dialogs.nomination.wizard."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import Any

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Message, TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.dialogs.nomination import wizard
from bot.dialogs.nomination.wizard import Ctx, Download, IncomingFile, Reply
from bot.dialogs.onboarding import not_understood
from bot.dialogs.reminders import OPEN_DRAFTS, PROPOSE
from bot.handlers.filters import Cmd, DataPrefix, PlainText, Says
from bot.handlers.ui import Ui
from bot.i18n import DISPLAY_TZ
from bot.workflow.evidence import MAX_DOWNLOAD_BYTES, record_blob, store_blob
from storage.db import write_lock
from storage.models import User

log = logging.getLogger(__name__)

PROPOSE_WORDS = frozenset({"de xuat", "propose", "de xuat moi"})
DRAFTS_WORDS = frozenset({"ban nhap", "drafts"})


def today() -> datetime:
    return datetime.now(DISPLAY_TZ)


@dataclass(frozen=True)
class Turn:
    """What a wizard handler needs of its update: the dialog's context and where replies go.

    Built once per update by ``_hand_turn`` (the router's middleware), so each handler takes
    its event, this and, where it needs the person's row, ``db_user``.
    """

    ctx: Ctx
    ui: Ui
    bot: Bot
    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]

    def show(self, reply: Reply) -> None:
        """Queue the reply; the files it asks for are fetched once the update is committed."""
        self.ui.deliver(reply)
        for wanted in reply.downloads:
            self.ui.after_commit(
                lambda w=wanted: download(self.bot, self.session_factory, self.settings, w)
            )


async def _hand_turn(
    handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
    event: TelegramObject,
    data: dict[str, Any],
) -> Any:
    if "actor" in data:  # a person's update (a channel post has none, and no handler here)
        data["turn"] = Turn(
            Ctx(data["session"], data["actor"], today().date()),
            data["ui"],
            data["bot"],
            data["settings"],
            data["session_factory"],
        )
    return await handler(event, data)


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


async def propose(event: Message | CallbackQuery, turn: Turn, db_user: User) -> None:
    """/propose or "đề xuất"; or a reminder's or notice's button (``go:propose[:PLAN]``), which
    starts in the plan it names. The draft in hand is left first, saying so."""
    plan_id = None
    if isinstance(event, CallbackQuery):
        plan_id = (event.data or "").removeprefix(PROPOSE).removeprefix(":") or None
    note = await wizard.leave(turn.ctx, db_user)
    if note is not None:
        turn.ui.show(note)
    reply = await (wizard.propose_in(turn.ctx, plan_id) if plan_id else wizard.propose(turn.ctx))
    turn.show(reply)


async def drafts(event: Message | CallbackQuery, turn: Turn, db_user: User) -> None:
    await wizard.leave(turn.ctx, db_user)
    turn.show(await wizard.list_drafts(turn.ctx))


async def plan_pressed(query: CallbackQuery, turn: Turn) -> None:
    parts = (query.data or "").split(":")
    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
        turn.show(await wizard.choose_plan(turn.ctx, int(parts[1]), int(parts[2])))


async def step_pressed(query: CallbackQuery, turn: Turn) -> None:
    parts = (query.data or "").split(":")
    if len(parts) < 4 or not parts[1].isdigit() or not parts[2].isdigit():
        return
    arg = parts[4] if len(parts) > 4 else ""
    turn.show(await wizard.press(turn.ctx, int(parts[1]), int(parts[2]), parts[3], arg))


async def drafts_pressed(query: CallbackQuery, turn: Turn) -> None:
    parts = (query.data or "").split(":")
    if len(parts) < 2:
        return
    nomination_id = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 0
    version = int(parts[3]) if len(parts) > 3 and parts[3].isdigit() else None
    turn.show(await wizard.drafts_pressed(turn.ctx, parts[1], nomination_id, version))


async def text_typed(message: Message, turn: Turn, db_user: User) -> None:
    _show_or_explain(turn, await wizard.typed(turn.ctx, db_user, message.text or ""))


async def file_sent(message: Message, turn: Turn, db_user: User) -> None:
    incoming = _incoming(message)
    reply = None
    if incoming is not None:
        reply = await wizard.received_file(turn.ctx, db_user, incoming)
    if reply is None:  # a sticker, or a file with no draft waiting for one
        reply = await wizard.typed(turn.ctx, db_user, "")
    _show_or_explain(turn, reply)


def _show_or_explain(turn: Turn, reply: Reply | None) -> None:
    """A reply, or, where the draft had nothing to say to it, the general "not understood"."""
    if reply is None:
        turn.ui.show(not_understood())
    else:
        turn.show(reply)


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
    r.message.middleware(_hand_turn)
    r.callback_query.middleware(_hand_turn)
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
