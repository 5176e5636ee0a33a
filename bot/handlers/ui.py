"""Per-update outbox: handlers queue what to show; it is sent only after the commit.

This is how rule 1 holds by construction: nothing reaches the user before what they answered is
in the database, and no network call happens while a database write lock is held.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError
from aiogram.methods import EditMessageText, SendMessage
from aiogram.types import FSInputFile
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs.screen import LOCAL_FILE, Notice, Screen, number_labels, screen_to_payload
from bot.handlers.live_screen import Shown, left_behind, strip_buttons
from bot.outbox.queue import Outgoing, enqueue, recipients_by_telegram_id
from bot.outbox.render import SCREEN

log = logging.getLogger(__name__)


class DialogReply(Protocol):
    """What every dialog returns (bot.dialogs.*.Reply)."""

    screens: list[Screen]
    outgoing: list[tuple[int, Screen]]
    notices: list[Notice]
    toast: str | None


TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024


#: A keyboard as the Bot API's JSON object (reply_markup).
Markup = dict[str, Any]


class SendScreen(SendMessage):
    """``sendMessage`` for a screen: its keyboard as JSON, its answer left unread.

    aiogram's keyboard types are pydantic models: a seven-button screen cost 0.15 ms to build
    as models and as much again to dump back into the JSON they stand for, against 0.03 ms
    for the JSON itself. Its answer would become a Message with its chat, sender and keyboard,
    a fifth of the call's CPU built for nothing. Errors are still raised from the answer as
    before; a success returns Telegram's JSON as a dict, whatever the annotation says, so do
    not use it.
    """

    __returning__: ClassVar[Any] = Any
    reply_markup: Markup | None = None  # type: ignore[assignment]


class EditScreen(EditMessageText):
    """``editMessageText`` for a screen (see SendScreen)."""

    __returning__: ClassVar[Any] = Any
    reply_markup: Markup | None = None  # type: ignore[assignment]


def inline_markup(screen: Screen) -> Markup | None:
    if not screen.rows:
        return None
    numbered = iter(number_labels(screen.choices))
    rows = [
        [{"text": c.label, "callback_data": c.action} for c in (next(numbered) for _ in row)]
        for row in screen.rows
    ]
    return {"inline_keyboard": rows}


def contact_markup(screen: Screen) -> Markup:
    return {
        "keyboard": [[{"text": screen.contact_label, "request_contact": True}]],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    }


REMOVE_KEYBOARD: Markup = {"remove_keyboard": True}


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split at line breaks so a long list never hits Telegram's 4096-character limit."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            parts.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) + 1 > limit:
            parts.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        parts.append(current)
    return parts


@dataclass
class Ui:
    bot: Bot
    chat_id: int | None
    callback_query_id: str | None = None
    callback_message_id: int | None = None
    _screens: list[tuple[int, Screen, bool]] = field(default_factory=list)
    _toast: tuple[str, bool] | None = None
    _after: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    remove_keyboard: bool = False
    _outgoing: list[tuple[int, Screen]] = field(default_factory=list)
    _notices: list[Notice] = field(default_factory=list)
    #: The current wizard screen's message before this update, once the person is known
    #: (None: no current screen, or not tracked); ``screen_after`` once the update is sent.
    screen_before: int | None = None
    tracks_screen: bool = False
    screen_after: int | None = None
    _shown: Shown | None = None

    def show(self, screen: Screen) -> None:
        """Show to the person who wrote; a pressed button's message is replaced in place."""
        if self.chat_id is not None:
            self._screens.append((self.chat_id, screen, True))

    @property
    def last_own_screen(self) -> Screen | None:
        """The last screen shown to the person who wrote: its choices can be typed next."""
        own = [screen for _chat, screen, is_own in self._screens if is_own]
        return own[-1] if own else None

    def send_to(self, chat_id: int, screen: Screen) -> None:
        """Tell someone else (a reviewer, the proposer), through the outbox."""
        self._outgoing.append((chat_id, screen))

    def toast(self, text: str, alert: bool = False) -> None:
        self._toast = (text, alert)

    def deliver(self, reply: DialogReply) -> None:
        """Queue what a dialog answered: its screens, its messages to others, its toast."""
        for screen in reply.screens:
            self.show(screen)
        for chat_id, screen in reply.outgoing:
            self.send_to(chat_id, screen)
        self._notices.extend(reply.notices)
        if reply.toast:
            self.toast(reply.toast)

    def after_commit(self, job: Callable[[], Awaitable[None]]) -> None:
        """Work that must not hold the transaction open, such as downloading evidence."""
        self._after.append(job)

    async def keep_for_others(self, session: AsyncSession) -> list[int]:
        """Write what this update tells other people into the outbox, in its transaction.

        Called just before the commit: the decision and the notices of it are kept together
        or not at all. Returns the rows' ids, for sending right after the commit.
        """
        messages: list[Outgoing] = []
        if self._outgoing:
            users = await recipients_by_telegram_id(session, [c for c, _s in self._outgoing])
            messages += [
                Outgoing(users[chat_id], SCREEN, screen_to_payload(screen), cause="notice")
                for chat_id, screen in self._outgoing
                if chat_id in users
            ]
        for notice in self._notices:
            messages += notice.messages()
        self._outgoing.clear()
        self._notices.clear()
        return await enqueue(session, messages)

    def discard(self) -> None:
        self._screens.clear()
        self._outgoing.clear()
        self._notices.clear()
        self._after.clear()
        self._toast = None  # a failed "Approved." must not still pop up on the button

    async def flush(self) -> None:
        # The callback answer (which stops the button's spinner) travels beside the new screen
        # rather than before it: a press then costs one round trip, not two.
        answering = (
            asyncio.create_task(self._answer_callback(self.callback_query_id))
            if self.callback_query_id is not None
            else None
        )
        try:
            await self._send_screens(self._screens)
        finally:
            if answering is not None:
                await answering
        await self._leave_behind()
        for job in self._after:
            try:
                await job()
            except Exception:
                log.exception("after-commit job failed")

    async def _answer_callback(self, callback_query_id: str) -> None:
        text, alert = self._toast or ("", False)
        try:
            await self.bot.answer_callback_query(
                callback_query_id, text=text[:200] or None, show_alert=alert
            )
        except TelegramBadRequest as exc:  # too old: the user pressed long ago
            log.info("callback answer refused: %s", exc)
        except TelegramAPIError as exc:
            log.warning("callback answer not sent: %s", exc)

    async def _leave_behind(self) -> None:
        """Take the buttons off the wizard screen a newer one replaced (see live_screen)."""
        if not self.tracks_screen:
            self.screen_after = self.screen_before
            return
        stale, self.screen_after = left_behind(self.screen_before, self._shown)
        if stale is not None and self.chat_id is not None:
            await strip_buttons(self.bot, self.chat_id, stale)

    async def _send_screens(self, screens: list[tuple[int, Screen, bool]]) -> None:
        edited = False
        for chat_id, screen, own in screens:
            may_edit = own and screen.edit and not edited and self.callback_message_id is not None
            has_buttons = bool(screen.rows) and not screen.request_contact
            try:
                if may_edit and await self._edit(chat_id, screen):
                    edited = True
                    assert self.callback_message_id is not None
                    self._shown = Shown(self.callback_message_id, has_buttons)
                    continue
                message_id = await self._send(chat_id, screen)
                if own and screen.edit and message_id is not None:
                    self._shown = Shown(message_id, has_buttons)
            except TelegramForbiddenError:
                log.info("chat %s blocked the bot", chat_id)
            except TelegramAPIError as exc:  # one bad recipient must not silence the others
                log.warning("message to chat %s not sent: %s", chat_id, exc)

    async def _edit(self, chat_id: int, screen: Screen) -> bool:
        parts = split_text(screen.text)
        if len(parts) > 1 or screen.request_contact or screen.files:
            return False
        try:
            await self.bot(
                EditScreen(
                    text=parts[0],
                    chat_id=chat_id,
                    message_id=self.callback_message_id,
                    reply_markup=inline_markup(screen),
                )
            )
        except TelegramBadRequest as exc:
            if "not modified" in str(exc):
                return True
            return False  # too old to edit, or deleted: send a new one instead
        return True

    async def _send(self, chat_id: int, screen: Screen) -> int | None:
        return await send_screen(self.bot, chat_id, screen, remove_keyboard=self.remove_keyboard)


async def send_screen(
    bot: Bot, chat_id: int, screen: Screen, *, remove_keyboard: bool = False
) -> int | None:
    """A screen as messages: its text in parts of at most 4096 characters, then its files.

    Returns the id of the message that carries its buttons (its last text part).
    """
    message_id: int | None = None
    parts = split_text(screen.text)
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        markup: Markup | None = None
        if last:
            if screen.request_contact:
                markup = contact_markup(screen)
            elif screen.rows:
                markup = inline_markup(screen)
            elif remove_keyboard:
                markup = REMOVE_KEYBOARD
        sent = await bot(SendScreen(chat_id=chat_id, text=part, reply_markup=markup))
        if isinstance(sent, dict):  # see SendScreen: Telegram's JSON
            message_id = sent.get("message_id")
    for index, (kind, file_id) in enumerate(screen.files):
        caption = screen.captions[index][:CAPTION_LIMIT] if index < len(screen.captions) else None
        if file_id.startswith(LOCAL_FILE):
            path = file_id.removeprefix(LOCAL_FILE)
            await _send_local_file(bot, chat_id, kind, path, caption)
        elif kind == "photo":
            await bot.send_photo(chat_id, file_id, caption=caption)
        elif kind == "voice":
            await bot.send_voice(chat_id, file_id, caption=caption)
        else:
            await bot.send_document(chat_id, file_id, caption=caption)
    return message_id


#: Files on this machine (LOCAL_FILE) are uploaded once per process; Telegram's file id then
#: serves every later send.
_uploaded: dict[tuple[str, str], str] = {}


async def _send_local_file(
    bot: Bot, chat_id: int, kind: str, path: str, caption: str | None
) -> None:
    known = _uploaded.get((kind, path))
    if kind == "photo":
        sent = await bot.send_photo(chat_id, known or FSInputFile(path), caption=caption)
        file_id = sent.photo[-1].file_id if sent.photo else None
    else:
        sent = await bot.send_document(chat_id, known or FSInputFile(path), caption=caption)
        file_id = sent.document.file_id if sent.document else None
    if known is None and file_id:
        _uploaded[(kind, path)] = file_id
