"""Whatever no other handler took: a typed choice from the last screen, or a clear word back."""

from __future__ import annotations

from typing import Any

from aiogram import Dispatcher, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.dialogs import onboarding as screens
from bot.dialogs.screen import Choice, Screen, match_typed
from bot.handlers.ui import Ui
from bot.i18n import _

TYPED_QUERY_ID = "typed"  # a press made by typing: there is no callback query to answer


async def anything_else(
    message: Message, ui: Ui, state: FSMContext, dispatcher: Dispatcher, **data: Any
) -> None:
    """Typed "2" or "tiếng Việt" where the last screen had buttons: act as if pressed."""
    stored = (await state.get_data()).get("choices") or []
    choice = None
    if message.text and stored:
        last = Screen("", (tuple(Choice(**{**c, "aliases": tuple(c["aliases"])}) for c in stored),))
        choice = match_typed(message.text, last)
    if choice is None or message.from_user is None:
        ui.show(screens.not_understood())
        return
    query = CallbackQuery(
        id=TYPED_QUERY_ID,
        from_user=message.from_user,
        chat_instance=TYPED_QUERY_ID,
        data=choice.action,
    ).as_(message.bot)
    await dispatcher.propagate_event(
        "callback_query", query, ui=ui, state=state, dispatcher=dispatcher, **data
    )


async def stale_button(query: CallbackQuery, ui: Ui) -> None:
    ui.toast(_("This button no longer works. Type /help to start again."), alert=True)


def router() -> Router:
    r = Router(name="fallback")
    r.message.register(anything_else)
    r.callback_query.register(stale_button)
    return r
