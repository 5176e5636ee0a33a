"""The conversation's current screen: the one whose buttons still mean something.

A wizard screen (``Screen.edit``) is replaced in place when its button is pressed, but a typed
answer gets a new message, and the screen it answered stayed pressable above it. The current
screen's message id is kept on the person (so a restart or another worker knows it); when a
newer one is shown, the older one's buttons are edited away.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import write_lock
from storage.models import User

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Shown:
    """The last wizard screen this update showed the person: its message, and whether it
    has buttons to press."""

    message_id: int
    has_buttons: bool


def left_behind(before: int | None, shown: Shown | None) -> tuple[int | None, int | None]:
    """(the message whose buttons go, the message now current) after an update.

    An update that showed no wizard screen (a toast, a refusal of its own) changes nothing:
    the screen before it is still the one to answer.
    """
    if shown is None:
        return None, before
    stale = before if before is not None and before != shown.message_id else None
    return stale, shown.message_id if shown.has_buttons else None


#: Messages whose buttons each bot took away lately. The current screen is recorded after it
#: is sent; a person quick enough acts before that, and the update would take the same buttons
#: away again (Telegram refuses: "message is not modified"). Kept per Bot: a test's new bot, or
#: a new token, starts afresh.
_STRIPPED: WeakKeyDictionary[Bot, OrderedDict[tuple[int, int], None]] = WeakKeyDictionary()
_STRIPPED_KEPT = 4096


async def strip_buttons(bot: Bot, chat_id: int, message_id: int) -> None:
    """Edit the buttons away; a message too old, deleted or already bare is left as it is."""
    stripped = _STRIPPED.setdefault(bot, OrderedDict())
    key = (chat_id, message_id)
    if key in stripped:
        return
    stripped[key] = None
    if len(stripped) > _STRIPPED_KEPT:
        stripped.popitem(last=False)
    try:
        await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id)
    except TelegramAPIError as exc:  # cosmetic: its buttons are checked when pressed anyway
        log.info("buttons of message %s in chat %s left: %s", message_id, chat_id, exc)


async def remember(
    session_factory: async_sessionmaker[AsyncSession], user_id: int, message_id: int | None
) -> None:
    """Keep the current screen's message id on the person, in a short transaction of its own
    (it is known only once the message is sent, after the update's commit)."""
    engine: AsyncEngine = session_factory.kw["bind"]
    try:
        async with write_lock(engine), session_factory() as session:
            await session.execute(
                update(User).where(User.id == user_id).values(screen_message_id=message_id)
            )
            await session.commit()
    except Exception:  # the next screen is still right; only one old one may stay pressable
        log.warning("current screen of user %s not kept", user_id, exc_info=True)
