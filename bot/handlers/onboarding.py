"""Joining by invitation, and sharing a phone number."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.dialogs import onboarding as screens
from bot.handlers.commands import set_personal_commands
from bot.handlers.filters import CmdStart, Says, SharedContact
from bot.handlers.ui import Ui
from bot.workflow.actor import Actor
from bot.workflow.invitations import AcceptOutcome, accept_invitation
from bot.workflow.users import actor_for, set_phone
from storage.models import User

SKIP_WORDS = frozenset({"skip", "bo qua"})
#: FSM data key: the share-phone keyboard is up (offered, neither used nor skipped yet).
PHONE_OFFERED = "phone_offered"


async def start_with_code(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    db_user: User,
    ui: Ui,
    bot: Bot,
    settings: Settings,
    state: FSMContext,
) -> None:
    code = (command.args or "").strip()
    result = await accept_invitation(session, db_user, code[:64])
    if result.outcome is not AcceptOutcome.ACCEPTED:
        ui.show(screens.refused(result.outcome))
        return
    assert result.role is not None and result.unit is not None
    actor = await actor_for(session, db_user, settings.default_locale)
    ui.show(screens.welcome(db_user.full_name, result.role, result.unit.name))
    await state.update_data({PHONE_OFFERED: True})
    ui.after_commit(lambda: set_personal_commands(bot, actor))


async def start_plain(message: Message, actor: Actor, ui: Ui) -> None:
    ui.show(screens.help_screen(actor))


async def contact_shared(
    message: Message, session: AsyncSession, db_user: User, ui: Ui, state: FSMContext
) -> None:
    ui.remove_keyboard = True
    await state.update_data({PHONE_OFFERED: False})
    contact = message.contact
    assert contact is not None
    if contact.user_id != db_user.telegram_id:
        ui.show(screens.phone_not_own())
        return
    await set_phone(session, db_user, contact.phone_number)
    ui.show(screens.phone_saved())


async def phone_skipped(message: Message, ui: Ui, state: FSMContext) -> None:
    ui.remove_keyboard = True
    await state.update_data({PHONE_OFFERED: False})
    ui.show(screens.phone_skipped())


async def _no_draft(message: Message, db_user: User | None = None) -> bool:
    """Typed "skip" belongs to the wizard while a draft is open (its optional phone step)."""
    return db_user is None or db_user.active_nomination_id is None


def router() -> Router:
    r = Router(name="onboarding")
    r.message.register(start_with_code, CmdStart(deep_link=True))
    r.message.register(start_plain, CmdStart())
    r.message.register(contact_shared, SharedContact())
    r.message.register(phone_skipped, Says(SKIP_WORDS), _no_draft)
    return r
