"""/help, /lang and /cancel: what every user can do."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs import onboarding as screens
from bot.handlers.commands import set_personal_commands
from bot.handlers.filters import Cmd, DataPrefix
from bot.handlers.onboarding import PHONE_OFFERED
from bot.handlers.ui import Ui
from bot.i18n import normalize_locale, set_locale
from bot.workflow.actor import Actor
from bot.workflow.users import actor_for
from bot.workflow.users import set_locale as store_locale
from storage.models import User


async def show_help(message: Message, actor: Actor, ui: Ui) -> None:
    ui.show(screens.help_screen(actor))


async def choose_language(
    message: Message,
    command: CommandObject,
    actor: Actor,
    ui: Ui,
    session: AsyncSession,
    db_user: User,
    bot: Bot,
    state: FSMContext,
) -> None:
    wanted = normalize_locale((command.args or "").strip())
    if wanted is None:
        ui.show(screens.language_screen(actor.locale))
        return
    await _switch(wanted, session, db_user, ui, bot, state)


async def language_pressed(
    query: CallbackQuery,
    session: AsyncSession,
    db_user: User,
    ui: Ui,
    bot: Bot,
    state: FSMContext,
) -> None:
    wanted = normalize_locale((query.data or "").removeprefix("lang:"))
    if wanted is None:
        return
    await _switch(wanted, session, db_user, ui, bot, state)


async def _switch(
    locale: str, session: AsyncSession, db_user: User, ui: Ui, bot: Bot, state: FSMContext
) -> None:
    await store_locale(session, db_user, locale)
    set_locale(locale)
    actor = await actor_for(session, db_user)
    ui.show(screens.language_set())
    if (await state.get_data()).get(PHONE_OFFERED) and db_user.phone is None:
        ui.show(screens.phone_offer())  # its keyboard button, in the new language
    ui.after_commit(lambda: set_personal_commands(bot, actor))


async def cancel(
    message: Message, state: FSMContext, ui: Ui, db_user: User, left_draft: bool = False
) -> None:
    """Stops a wizard (the draft stays), a pending reason or opinion, and any dialog state."""
    had = left_draft or db_user.pending_action is not None or await state.get_state() is not None
    db_user.pending_action = None
    await state.clear()
    ui.remove_keyboard = True
    ui.show(screens.cancelled(had))


def router() -> Router:
    r = Router(name="common")
    r.message.register(show_help, Cmd("help"))
    r.message.register(choose_language, Cmd("lang"))
    r.callback_query.register(language_pressed, DataPrefix("lang:"))
    r.message.register(cancel, Cmd("cancel"))
    return r
