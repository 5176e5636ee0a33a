from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.workflow.invitations import (
    AcceptOutcome,
    InvitationRefused,
    accept_invitation,
    create_invitation,
)
from bot.workflow.units import load_units, parse_units_csv
from bot.workflow.users import Contact, actor_for, get_or_register
from storage.models import AuditEntry, Invitation

TREE = """code,name,kind,parent_code
P,Tỉnh Mẫu,province,
D,Huyện Mẫu,district,P
C,Xã Mẫu,commune,D
V,Thôn Mẫu,village,C
CA,Công an xã Mẫu,police,C
D2,Huyện Khác,district,P
C2,Xã Khác,commune,D2
"""


@pytest.fixture
async def tree(session: AsyncSession) -> None:
    await load_units(session, parse_units_csv(TREE))


async def _user(session: AsyncSession, tid: int) -> object:
    return await get_or_register(session, Contact(tid, f"Người {tid}", None, "vi"))


async def test_invitation_binds_role_once(session: AsyncSession, tree: None) -> None:
    code, invitation = await create_invitation(
        session, role="village_head", unit_code="V", issuer=None, days=7
    )
    assert len(code) >= 20 and invitation.code_hash != code
    first = await _user(session, 1)
    result = await accept_invitation(session, first, code)  # type: ignore[arg-type]
    assert result.outcome is AcceptOutcome.ACCEPTED and result.role == "village_head"
    actor = await actor_for(session, first)  # type: ignore[arg-type]
    assert actor.has("village_head") and actor.roles[0].unit_code == "V"

    second = await _user(session, 2)
    again = await accept_invitation(session, second, code)  # type: ignore[arg-type]
    assert again.outcome is AcceptOutcome.USED
    assert not (await actor_for(session, second)).roles  # type: ignore[arg-type]
    actions = (await session.scalars(select(AuditEntry.action))).all()
    assert actions == ["invitation.create", "invitation.accept"]


async def test_expired_and_unknown_codes(session: AsyncSession, tree: None) -> None:
    past = datetime.now(UTC) - timedelta(days=30)
    code, _ = await create_invitation(
        session, role="commune_officer", unit_code="C", issuer=None, days=7, now=past
    )
    user = await _user(session, 3)
    assert (await accept_invitation(session, user, code)).outcome is AcceptOutcome.EXPIRED  # type: ignore[arg-type]
    assert (await accept_invitation(session, user, "nope")).outcome is AcceptOutcome.UNKNOWN  # type: ignore[arg-type]
    assert (await session.scalar(select(Invitation))).used_at is None  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("role", "unit", "reason"),
    [
        ("village_head", "C", "role_does_not_fit_unit"),
        ("district_reviewer", "C", "role_does_not_fit_unit"),
        ("commune_officer", "V", "role_does_not_fit_unit"),
        ("consultee", "C", "role_does_not_fit_unit"),
        ("king", "C", "unknown_role"),
        ("village_head", "NOPE", "unknown_unit"),
    ],
)
async def test_role_must_fit_unit(
    session: AsyncSession, tree: None, role: str, unit: str, reason: str
) -> None:
    with pytest.raises(InvitationRefused) as info:
        await create_invitation(session, role=role, unit_code=unit, issuer=None, days=7)
    assert info.value.reason == reason


async def test_consultee_and_officer_fit(session: AsyncSession, tree: None) -> None:
    await create_invitation(session, role="consultee", unit_code="CA", issuer=None, days=7)
    await create_invitation(session, role="commune_officer", unit_code="CA", issuer=None, days=7)


async def test_admin_invites_only_below_own_unit(session: AsyncSession, tree: None) -> None:
    code, _ = await create_invitation(session, role="admin", unit_code="D", issuer=None, days=7)
    admin_user = await _user(session, 10)
    await accept_invitation(session, admin_user, code)  # type: ignore[arg-type]
    admin = await actor_for(session, admin_user)  # type: ignore[arg-type]

    await create_invitation(session, role="village_head", unit_code="V", issuer=admin, days=7)
    await create_invitation(session, role="district_reviewer", unit_code="D", issuer=admin, days=7)
    await create_invitation(session, role="admin", unit_code="C", issuer=admin, days=7)
    for role, unit in [("admin", "D"), ("commune_officer", "C2"), ("province_reviewer", "P")]:
        with pytest.raises(InvitationRefused) as info:
            await create_invitation(session, role=role, unit_code=unit, issuer=admin, days=7)
        assert info.value.reason == "not_allowed"


async def test_non_admin_cannot_invite(session: AsyncSession, tree: None) -> None:
    code, _ = await create_invitation(
        session, role="commune_officer", unit_code="C", issuer=None, days=7
    )
    officer_user = await _user(session, 11)
    await accept_invitation(session, officer_user, code)  # type: ignore[arg-type]
    officer = await actor_for(session, officer_user)  # type: ignore[arg-type]
    with pytest.raises(InvitationRefused):
        await create_invitation(session, role="village_head", unit_code="V", issuer=officer, days=7)
