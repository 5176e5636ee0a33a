"""Quota progress: how many nominations a unit has put forward against what the plan asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import product

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.plans.schema import Plan, Quota
from bot.workflow.lifecycle import COUNTED
from bot.workflow.units import ancestors_on_path, effective_levels
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


def _count_query(by_category: bool, by_subjects: bool, since: bool) -> Select[tuple[int]]:
    query = (
        select(func.count(Nomination.id))
        .join(Unit, Unit.id == Nomination.unit_id)
        .where(
            Nomination.plan_id == bindparam("plan_id"),
            Nomination.state.in_(COUNTED),
            Unit.path.startswith(bindparam("path")),
        )
    )
    if by_category:
        query = query.where(Nomination.category_id == bindparam("category"))
    if by_subjects:
        query = query.where(Nomination.subject_kind.in_(bindparam("subjects", expanding=True)))
    if since:
        query = query.where(Nomination.submitted_at >= bindparam("since"))
    return query


#: Every shape of the count, built once: building one at each call cost 0.5 ms, and the
#: proposal shows quota progress on several screens.
_COUNTS = {shape: _count_query(*shape) for shape in product((False, True), repeat=3)}


async def count_for(
    session: AsyncSession, plan_id: str, unit: Unit, quota: Quota, today: date
) -> int:
    shape = (quota.category is not None, quota.subjects is not None, quota.per == "year")
    params: dict[str, object] = {"plan_id": plan_id, "path": unit.path}
    if quota.category is not None:
        params["category"] = quota.category
    if quota.subjects is not None:
        params["subjects"] = list(quota.subjects)
    if quota.per == "year":
        params["since"] = datetime(today.year, 1, 1, tzinfo=UTC)
    return int(await session.scalar(_COUNTS[shape], params) or 0)


async def progress(
    session: AsyncSession, plan: Plan, unit: Unit, today: date, category_id: str | None = None
) -> list[QuotaLine]:
    """Quotas owed by this unit or the units above it, with their counts.

    With ``category_id``, only quotas that a nomination in that category would count toward.
    """
    return await progress_on_path(session, plan, unit.path, today, category_id)


async def progress_on_path(
    session: AsyncSession,
    plan: Plan,
    path: str,
    today: date,
    category_id: str | None = None,
    *,
    own_only: bool = False,
) -> list[QuotaLine]:
    """``progress`` of the unit with this materialised path; with ``own_only``, only the quotas
    that unit owes itself (those of the units above are not counted at all)."""
    lines: list[QuotaLine] = []
    chain = await ancestors_on_path(session, path)
    levels = effective_levels(chain)
    for quota in plan.quotas:
        if category_id is not None and quota.category not in (None, category_id):
            continue
        owner = next((u for u in chain if quota.applies_at(u.kind, levels[u.id])), None)
        if owner is not None and not (own_only and owner is not chain[0]):
            lines.append(
                QuotaLine(owner, quota, await count_for(session, plan.id, owner, quota, today))
            )
    return lines
