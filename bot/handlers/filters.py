"""Routing checks that run on the event loop.

aiogram calls a plain function used as a filter, its magic ``F`` filters included, through
``asyncio.to_thread``: one trip to a worker thread and back for every check. A message was
checked about ten times on its way through the routers, and each trip also had to win the GIL
back from whatever the loop was running, so a wizard step spent more time crossing threads
than in its handler. These filters are coroutines (``Filter`` subclasses), which aiogram
awaits in place. ``tests/handlers/test_routing.py`` keeps every registered check that way.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.filters import Command, CommandStart, Filter
from aiogram.types import CallbackQuery, Message

from bot.workflow.text import says


class DataPrefix(Filter):
    """A button press whose callback data starts with ``prefix`` (such as ``"w:"``)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    async def __call__(self, query: CallbackQuery) -> bool:
        return query.data is not None and query.data.startswith(self.prefix)


class Says(Filter):
    """A typed message that is one of ``words`` (compared folded: no case, no diacritics)."""

    def __init__(self, words: frozenset[str]) -> None:
        self.words = words

    async def __call__(self, message: Message) -> bool:
        return says(message.text, self.words)


class PlainText(Filter):
    """Typed text that is not a command."""

    async def __call__(self, message: Message) -> bool:
        return bool(message.text) and not (message.text or "").startswith("/")


class SharedContact(Filter):
    """A contact card, as the "share my phone number" button sends."""

    async def __call__(self, message: Message) -> bool:
        return message.contact is not None


def _starts_like_a_command(message: Message, prefix: str) -> bool:
    # aiogram splits the text at whitespace first, so " /help" is a command to it as well.
    first = (message.text or message.caption or "").lstrip()[:1]
    return bool(first) and first in prefix


class _QuickCommand(Command):
    """aiogram's command filter after a cheap check that rules out text that is not a command.

    A typed answer passes about a dozen command filters on its way to the wizard, and
    aiogram's Command parses the text into a command object (and raises and catches an
    exception) for each of them before it finds that the text does not start with "/".
    """

    async def __call__(self, message: Message, bot: Bot) -> bool | dict[str, Any]:
        if not isinstance(message, Message) or not _starts_like_a_command(message, self.prefix):
            return False
        return await super().__call__(message, bot)


class Cmd(_QuickCommand):
    """aiogram's ``Command`` with the quick first check."""


class CmdStart(_QuickCommand, CommandStart):
    """aiogram's ``CommandStart`` with the quick first check."""
