"""Users as the workflow sees them: found or registered on first contact, turned into actors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import resolve_locale
from bot.workflow.actor import Actor, Role
from bot.workflow.nominations import (
    ACTIVE_DRAFT_COLUMNS,
    remember_active_draft,
    with_active_draft,
)
from bot.workflow.text import clean_text
from storage.models import Membership, Unit, User


@dataclass(frozen=True, slots=True)
class Contact:
    """What a messenger tells us about the person writing (no Telegram types here)."""

    external_id: int
    full_name: str
    username: str | None = None
    language_code: str | None = None


# Built once: these run for every update.
_BY_TELEGRAM_ID = select(User).where(User.telegram_id == bindparam("telegram_id"))
_units = Unit.__table__.c
_memberships = Membership.__table__.c
_ROLES = (
    select(_memberships.role, _units.id, _units.code, _units.name, _units.kind, _units.path)
    .join_from(Membership.__table__, Unit.__table__, _memberships.unit_id == _units.id)
    .where(_memberships.user_id == bindparam("user_id"))
    .order_by(_memberships.id)
)


#: Every update starts here: the person, their roles and their active draft in one query.
_IDENTIFY = with_active_draft(
    select(User, *_ROLES.selected_columns)
    .outerjoin(Membership.__table__, _memberships.user_id == User.id)
    .outerjoin(Unit.__table__, _units.id == _memberships.unit_id)
    .where(User.telegram_id == bindparam("telegram_id"))
    .order_by(_memberships.id)
)
_ROLE_COLUMNS = slice(1, 1 + len(_ROLES.selected_columns))


async def identify(
    session: AsyncSession, contact: Contact, default_locale: str = "vi"
) -> tuple[User, Actor]:
    """``get_or_register`` and ``actor_for`` together, with one query for both.

    The person's active draft comes in the same query (nominations.with_active_draft).
    """
    rows = (await session.execute(_IDENTIFY, {"telegram_id": contact.external_id})).all()
    if not rows:  # a first contact: registered now, with no roles yet
        user = await _register(session, contact)
        return user, _actor(user, (), default_locale)
    user = _refresh(rows[0][0], contact)
    remember_active_draft(session, *rows[0][-ACTIVE_DRAFT_COLUMNS:])
    roles = tuple(Role(*row[_ROLE_COLUMNS]) for row in rows if row[1] is not None)
    return user, _actor(user, roles, default_locale)


async def get_or_register(session: AsyncSession, contact: Contact) -> User:
    """The user row for this person; names and language are refreshed from what they show now."""
    user = (
        await session.execute(_BY_TELEGRAM_ID, {"telegram_id": contact.external_id})
    ).scalar_one_or_none()
    if user is not None:
        return _refresh(user, contact)
    return await _register(session, contact)


async def _register(session: AsyncSession, contact: Contact) -> User:
    user = User(
        telegram_id=contact.external_id,
        full_name=clean_text(contact.full_name, 255),
        username=contact.username,
        language_code=contact.language_code,
    )
    session.add(user)
    await session.flush()
    return user


def _refresh(user: User, contact: Contact) -> User:
    name = clean_text(contact.full_name, 255)
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
    """Plain rows, not ORM objects: an actor is a snapshot for one update."""
    if session.new:  # a membership just added counts (the ORM query did this by autoflush)
        await session.flush()
    connection = await session.connection()
    rows = await connection.execute(_ROLES, {"user_id": user_id})
    return tuple(Role(*row) for row in rows)


async def actor_for(session: AsyncSession, user: User, default_locale: str = "vi") -> Actor:
    return _actor(user, await roles_of(session, user.id), default_locale)


def _actor(user: User, roles: tuple[Role, ...], default_locale: str) -> Actor:
    return Actor(
        user_id=user.id,
        telegram_id=user.telegram_id,
        locale=resolve_locale(user.locale, user.language_code, default_locale),
        roles=roles,
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
