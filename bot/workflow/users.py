"""Users as the workflow sees them: found or registered on first contact, turned into actors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import resolve_locale
from bot.workflow.actor import Actor, Role
from bot.workflow.text import clean_text
from storage.models import Membership, User


@dataclass(frozen=True, slots=True)
class Contact:
    """What a messenger tells us about the person writing (no Telegram types here)."""

    external_id: int
    full_name: str
    username: str | None = None
    language_code: str | None = None


async def get_or_register(session: AsyncSession, contact: Contact) -> User:
    """The user row for this person; names and language are refreshed from what they show now."""
    user = await session.scalar(select(User).where(User.telegram_id == contact.external_id))
    name = clean_text(contact.full_name, 255)
    if user is None:
        user = User(
            telegram_id=contact.external_id,
            full_name=name,
            username=contact.username,
            language_code=contact.language_code,
        )
        session.add(user)
        await session.flush()
        return user
    if (user.full_name, user.username, user.language_code) != (
        name,
        contact.username,
        contact.language_code,
    ):
        user.full_name, user.username, user.language_code = (
            name,
            contact.username,
            contact.language_code,
        )
    if user.blocked_at is not None:  # they write to us again: they unblocked the bot
        user.blocked_at = None
    return user


async def roles_of(session: AsyncSession, user_id: int) -> tuple[Role, ...]:
    rows = await session.scalars(
        select(Membership).where(Membership.user_id == user_id).order_by(Membership.id)
    )
    return tuple(
        Role(m.role, m.unit.id, m.unit.code, m.unit.name, m.unit.kind, m.unit.path) for m in rows
    )


async def actor_for(session: AsyncSession, user: User, default_locale: str = "vi") -> Actor:
    return Actor(
        user_id=user.id,
        telegram_id=user.telegram_id,
        locale=resolve_locale(user.locale, user.language_code, default_locale),
        roles=await roles_of(session, user.id),
    )


async def mark_blocked(session: AsyncSession, telegram_id: int) -> None:
    """The person blocked the bot: stop sending to them until they write again."""
    await session.execute(
        update(User)
        .where(User.telegram_id == telegram_id, User.blocked_at.is_(None))
        .values(blocked_at=datetime.now(UTC))
    )


async def set_phone(session: AsyncSession, user: User, phone: str) -> None:
    user.phone = clean_text(phone, 32)


async def set_locale(session: AsyncSession, user: User, locale: str) -> None:
    user.locale = locale
