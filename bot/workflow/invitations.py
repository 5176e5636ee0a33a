"""Invitations: the only way a user gets a role.

A code is random (128 bits, URL-safe, fits Telegram's 64-character deep-link payload), single-use
and expiring; only its SHA-256 is stored. Accepting is one conditional UPDATE, so two people
racing with the same code cannot both win.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.workflow import audit
from bot.workflow.actor import Actor
from bot.workflow.roles import ADMIN, ROLES, role_fits_unit
from bot.workflow.units import parent_level, unit_by_code
from storage.models import Invitation, Membership, Unit, User


class InvitationRefused(Exception):
    """Creating the invitation is not allowed; ``reason`` is a stable key for the message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AcceptOutcome(StrEnum):
    ACCEPTED = "accepted"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class AcceptResult:
    outcome: AcceptOutcome
    role: str | None = None
    unit: Unit | None = None


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def new_code() -> str:
    return secrets.token_urlsafe(16)


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


async def create_invitation(
    session: AsyncSession,
    *,
    role: str,
    unit_code: str,
    issuer: Actor | None,
    days: int,
    now: datetime | None = None,
) -> tuple[str, Invitation]:
    """Create an invitation; ``issuer`` None means the operator at the command line.

    In chat, only an admin may invite, and only into units strictly below their own (or their
    own unit for any role but admin), so nobody can hand out a rank equal to or above their own.
    """
    if role not in ROLES:
        raise InvitationRefused("unknown_role")
    unit = await unit_by_code(session, unit_code)
    if unit is None:
        raise InvitationRefused("unknown_unit")
    if not role_fits_unit(role, unit.kind, await parent_level(session, unit)):
        raise InvitationRefused("role_does_not_fit_unit")
    if issuer is not None:
        allowed = any(
            r.role == ADMIN
            and unit.path.startswith(r.unit_path)
            and (unit.path != r.unit_path or role != ADMIN)
            for r in issuer.roles
        )
        if not allowed:
            raise InvitationRefused("not_allowed")
    moment = now or datetime.now(UTC)
    code = new_code()
    invitation = Invitation(
        code_hash=hash_code(code),
        role=role,
        unit_id=unit.id,
        issued_by=issuer.user_id if issuer else None,
        created_at=moment,
        expires_at=moment + timedelta(days=days),
    )
    await audit.added(
        session,
        issuer.user_id if issuer else None,
        "invitation.create",
        invitation,
        details={"role": role, "unit": unit.code, "expires_at": invitation.expires_at.isoformat()},
    )
    return code, invitation


async def accept_invitation(
    session: AsyncSession, user: User, code: str, *, now: datetime | None = None
) -> AcceptResult:
    """Bind ``user`` to the invitation's role and unit, once."""
    moment = now or datetime.now(UTC)
    invitation = await session.scalar(
        select(Invitation).where(Invitation.code_hash == hash_code(code))
    )
    if invitation is None:
        return AcceptResult(AcceptOutcome.UNKNOWN)
    if invitation.used_at is not None:
        return AcceptResult(AcceptOutcome.USED)
    if invitation.expires_at <= moment:
        return AcceptResult(AcceptOutcome.EXPIRED)
    claimed = await session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=moment, used_by=user.id)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return AcceptResult(AcceptOutcome.USED)
    existing = await session.scalar(
        select(Membership).where(
            Membership.user_id == user.id,
            Membership.unit_id == invitation.unit_id,
            Membership.role == invitation.role,
        )
    )
    if existing is None:
        session.add(
            Membership(
                user_id=user.id,
                unit_id=invitation.unit_id,
                role=invitation.role,
                invitation_id=invitation.id,
            )
        )
    audit.record(
        session,
        user.id,
        "invitation.accept",
        invitation,
        details={"role": invitation.role, "unit": invitation.unit.code},
    )
    await session.flush()
    return AcceptResult(AcceptOutcome.ACCEPTED, invitation.role, invitation.unit)
