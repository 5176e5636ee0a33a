"""A new command in the middle of a wizard: the draft stays saved, and the user is told so."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Message, TelegramObject

from bot.dialogs.nomination import wizard
from bot.handlers.ui import Ui
from bot.handlers.wizard import today

#: Commands that handle an open draft themselves.
OWN_HANDLING = frozenset({"propose", "drafts"})


class LeaveWizardMiddleware(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user = data.get("db_user")
        if (
            isinstance(event, Message)
            and event.text
            and event.text.startswith("/")
            and user is not None
            and user.active_nomination_id is not None
        ):
            command = event.text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower()
            if command not in OWN_HANDLING:
                ctx = wizard.Ctx(data["session"], data["actor"], today().date())
                note = await wizard.leave(ctx, user)
                if note is not None:
                    ui: Ui = data["ui"]
                    ui.show(note)
                    data["left_draft"] = True
        return await handler(event, data)
