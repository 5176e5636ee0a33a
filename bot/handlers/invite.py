"""Administrators invite people into units below their own, from the chat.

Typed form for a chat without buttons: ``/invite ROLE UNIT_CODE``.
"""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import CommandObject
from aiogram.types import CallbackQuery, Message
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.dialogs import onboarding as screens
from bot.dialogs.screen import page_within
from bot.handlers.filters import Cmd, DataPrefix
from bot.handlers.ui import Ui
from bot.workflow.actor import Actor
from bot.workflow.collation import vi_sorted
from bot.workflow.invitations import InvitationRefused, create_invitation, deep_link
from bot.workflow.roles import ADMIN, ROLES, role_fits_unit
from bot.workflow.units import parent_level
from storage.models import Unit

PAGE = 8


async def invite_command(
    message: Message,
    command: CommandObject,
    actor: Actor,
    session: AsyncSession,
    ui: Ui,
    bot: Bot,
    settings: Settings,
) -> None:
    if not actor.has(ADMIN):
        ui.show(screens.invite_usage())
        return
    args = (command.args or "").split()
    if len(args) == 2:
        await _create(args[0], args[1], actor, session, ui, bot, settings)
        return
    ui.show(screens.invite_roles(ROLES))


async def invite_pressed(
    query: CallbackQuery, actor: Actor, session: AsyncSession, ui: Ui, bot: Bot, settings: Settings
) -> None:
    if not actor.has(ADMIN):
        ui.show(screens.invite_usage())
        return
    parts = (query.data or "").split(":")
    if len(parts) == 3 and parts[1] == "r" and parts[2] in ROLES:
        await _unit_page(parts[2], 0, actor, session, ui)
    elif len(parts) == 4 and parts[1] == "p" and parts[3].isdigit() and parts[2] in ROLES:
        await _unit_page(parts[2], int(parts[3]), actor, session, ui)
    elif len(parts) == 4 and parts[1] == "u" and parts[3].isdigit():
        unit = await session.get(Unit, int(parts[3]))
        await _create(parts[2], unit.code if unit else "", actor, session, ui, bot, settings)


async def _unit_page(role: str, page: int, actor: Actor, session: AsyncSession, ui: Ui) -> None:
    roots = [r.unit_path for r in actor.holding(ADMIN)]
    units = []
    for unit in (await session.scalars(select(Unit).order_by(Unit.path))).all():
        if not any(unit.path.startswith(root) for root in roots):
            continue
        if role == ADMIN and unit.path in roots:
            continue
        if role_fits_unit(role, unit.kind, await parent_level(session, unit)):
            units.append((unit.id, f"{unit.name} ({unit.code})"))
    units = vi_sorted(units, key=lambda item: item[1])
    page, pages = page_within(len(units), PAGE, page)
    ui.show(screens.invite_units(role, units[page * PAGE : (page + 1) * PAGE], page, pages))


async def _create(
    role: str,
    unit_code: str,
    actor: Actor,
    session: AsyncSession,
    ui: Ui,
    bot: Bot,
    settings: Settings,
) -> None:
    try:
        code, invitation = await create_invitation(
            session, role=role, unit_code=unit_code, issuer=actor, days=settings.invitation_days
        )
    except InvitationRefused as exc:
        ui.show(screens.invite_refused(exc.reason))
        return
    me = await bot.me()
    ui.show(
        screens.invite_created(
            deep_link(me.username or "", code), role, invitation.unit.name, invitation.expires_at
        )
    )


def router() -> Router:
    r = Router(name="invite")
    r.message.register(invite_command, Cmd("invite"))
    r.callback_query.register(invite_pressed, DataPrefix("inv:"))
    return r
