"""What waits for a reviewer, and what happened to a nomination."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.workflow.actor import Actor
from bot.workflow.lifecycle import (
    SUBMITTED,
    UNDER_REVIEW,
)
from bot.workflow.review_chain import LEVEL_ROLES, may_review
from bot.workflow.units import admin_homes
from storage.models import (
    AuditEntry,
    Nomination,
    Unit,
    User,
)


async def queue(
    session: AsyncSession,
    actor: Actor,
    *,
    plan_id: str | None = None,
    category_id: str | None = None,
    unit_code: str | None = None,
) -> list[Nomination]:
    """Nominations waiting for this actor's decision, oldest first."""
    query = select(Nomination).where(Nomination.state.in_((SUBMITTED, UNDER_REVIEW)))
    if plan_id:
        query = query.where(Nomination.plan_id == plan_id)
    if category_id:
        query = query.where(Nomination.category_id == category_id)
    if unit_code:
        unit = await session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            return []
        query = query.join(Unit, Unit.id == Nomination.unit_id).where(
            Unit.path.startswith(unit.path)
        )
    reviewing = [
        await session.get(Unit, role.unit_id)
        for role in actor.roles
        if role.role in LEVEL_ROLES.values()
    ]
    homes = {home.id for home in (await admin_homes(session, filter(None, reviewing))).values()}
    if not homes:
        return []
    query = query.where(
        Nomination.review_unit_id.in_(homes), Nomination.proposer_id != actor.user_id
    )
    rows = (await session.scalars(query.order_by(Nomination.submitted_at, Nomination.id))).all()
    return [n for n in rows if await may_review(session, actor, n)]


async def history(
    session: AsyncSession, nomination: Nomination
) -> list[tuple[AuditEntry, User | None]]:
    rows = await session.execute(
        select(AuditEntry, User)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.object_type == "nomination", AuditEntry.object_id == str(nomination.id))
        .order_by(AuditEntry.id)
    )
    return [(entry, user) for entry, user in rows.all()]
