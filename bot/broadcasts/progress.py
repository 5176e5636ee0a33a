"""The progress message of each broadcast being sent: sent, failed, blocked, left, time left.

One message per broadcast, sent to whoever started it and then edited in place every few
seconds (Telegram allows about one edit a second in a chat; a few seconds leaves room for the
rest). It ends at "done" or "stopped", with the final counts. After a restart it picks up the
broadcasts still being sent, and edits the same message.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.dialogs.broadcast_views import progress_screen
from bot.handlers.ui import EditScreen, SendScreen, inline_markup
from bot.i18n import resolve_locale, use_locale
from bot.periodic import Periodic
from bot.workflow import broadcasts
from storage.db import write_lock
from storage.models import Broadcast, User

log = logging.getLogger(__name__)


class BroadcastProgress(Periodic):
    """Every ``interval`` seconds, brings each open broadcast's progress message up to date."""

    what = "broadcast progress"

    def __init__(
        self,
        bot: Bot,
        session_factory: async_sessionmaker[AsyncSession],
        rate: float,
        interval: float = 3.0,
    ) -> None:
        super().__init__(interval)
        self.bot = bot
        self.session_factory = session_factory
        self.rate = rate
        self._shown: dict[int, str] = {}  # broadcast id -> the text its message shows
        self._final: set[int] = set()  # finished, and its last state shown

    async def once(self) -> None:
        engine = self.session_factory.kw["bind"]
        if not self._shown:  # the usual case: nothing to show; ask without the write lock
            async with self.session_factory() as session:
                sending = await session.scalar(
                    select(Broadcast.id).where(Broadcast.state == broadcasts.SENDING).limit(1)
                )
            if sending is None:
                return
        async with write_lock(engine), self.session_factory() as session:
            open_ = (
                await session.scalars(
                    select(Broadcast).where(
                        or_(
                            Broadcast.state == broadcasts.SENDING,
                            Broadcast.id.in_(list(self._shown) or [0]),
                        ),
                    )
                )
            ).all()
            shown: list[tuple[Broadcast, Any, str]] = []
            for broadcast in open_:
                if broadcast.id in self._final:
                    continue
                found = await broadcasts.finish_if_done(session, broadcast)
                if broadcast.progress_chat_id is None:  # from the command line: only marked done
                    continue
                sender = (
                    await session.get(User, broadcast.sender_id) if broadcast.sender_id else None
                )
                locale = resolve_locale(sender.locale, sender.language_code) if sender else "vi"
                with use_locale(locale):
                    screen = progress_screen(broadcast, found, self.rate)
                shown.append((broadcast, screen, broadcast.state))
            await session.commit()
        for broadcast, screen, state in shown:
            await self._show(broadcast, screen)
            if state != broadcasts.SENDING:
                self._final.add(broadcast.id)
                self._shown.pop(broadcast.id, None)

    async def _show(self, broadcast: Broadcast, screen: Any) -> None:
        if self._shown.get(broadcast.id) == screen.text:
            return
        chat_id = int(broadcast.progress_chat_id or 0)
        markup = inline_markup(screen)
        try:
            if broadcast.progress_message_id is None:
                answer = await self.bot(
                    SendScreen(chat_id=chat_id, text=screen.text, reply_markup=markup)
                )
                await self._remember(broadcast.id, _message_id(answer))
            else:
                await self.bot(
                    EditScreen(
                        chat_id=chat_id,
                        message_id=int(broadcast.progress_message_id),
                        text=screen.text,
                        reply_markup=markup,
                    )
                )
        except TelegramBadRequest as exc:  # "message is not modified", or it was deleted
            log.info("broadcast %s progress not edited: %s", broadcast.id, exc)
        except TelegramAPIError as exc:
            log.warning("broadcast %s progress not shown: %s", broadcast.id, exc)
            return
        self._shown[broadcast.id] = screen.text

    async def _remember(self, broadcast_id: int, message_id: int) -> None:
        engine = self.session_factory.kw["bind"]
        async with write_lock(engine), self.session_factory() as session:
            row = await session.get(Broadcast, broadcast_id)
            if row is not None:
                row.progress_message_id = message_id
                await session.commit()


def _message_id(answer: Any) -> int:
    """SendScreen answers Telegram's JSON (a dict); a plain SendMessage, a Message."""
    return int(answer["message_id"] if isinstance(answer, dict) else answer.message_id)
