"""Quota progress: how many nominations a unit has put forward against what the plan asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.plans.schema import Plan, Quota
from bot.workflow.lifecycle import COUNTED
from bot.workflow.units import ancestors_and_self, effective_levels
from storage.models import Nomination, Unit


@dataclass(frozen=True, slots=True)
class QuotaLine:
    unit: Unit
    quota: Quota
    count: int

    @property
    def reached(self) -> bool:
        return self.count >= self.quota.min

    @property
    def full(self) -> bool:
        return self.quota.max is not None and self.count >= self.quota.max


async def count_for(
    session: AsyncSession, plan_id: str, unit: Unit, quota: Quota, today: date
) -> int:
    query = (
        select(func.count(Nomination.id))
        .join(Unit, Unit.id == Nomination.unit_id)
        .where(
            Nomination.plan_id == plan_id,
            Nomination.state.in_(COUNTED),
            Unit.path.startswith(unit.path),
        )
    )
    if quota.category is not None:
        query = query.where(Nomination.category_id == quota.category)
    if quota.subjects is not None:
        query = query.where(Nomination.subject_kind.in_(quota.subjects))
    if quota.per == "year":
        start = datetime(today.year, 1, 1, tzinfo=UTC)
        query = query.where(Nomination.submitted_at >= start)
    return int(await session.scalar(query) or 0)


async def progress(
    session: AsyncSession, plan: Plan, unit: Unit, today: date, category_id: str | None = None
) -> list[QuotaLine]:
    """Quotas owed by this unit or the units above it, with their counts.

    With ``category_id``, only quotas that a nomination in that category would count toward.
    """
    lines: list[QuotaLine] = []
    chain = await ancestors_and_self(session, unit)
    levels = effective_levels(chain)
    for quota in plan.quotas:
        if category_id is not None and quota.category not in (None, category_id):
            continue
        owner = next((u for u in chain if quota.applies_at(u.kind, levels[u.id])), None)
        if owner is not None:
            lines.append(
                QuotaLine(owner, quota, await count_for(session, plan.id, owner, quota, today))
            )
    return lines
