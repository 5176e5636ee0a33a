"""Which plans run where: a plan is activated on a unit and applies to its whole subtree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.plans.schema import Plan
from bot.workflow import audit
from bot.workflow.plans import find_version, parsed
from bot.workflow.units import unit_by_code
from storage.models import PlanActivation, PlanVersion, Unit


class ActivationError(ValueError):
    """Refused; ``reason`` is a stable key for the message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class RunningPlan:
    activation: PlanActivation
    version: PlanVersion
    plan: Plan


async def activate_plan(
    session: AsyncSession,
    plan_id: str,
    unit_code: str,
    *,
    starts_on: date | None = None,
    ends_on: date | None = None,
    actor_id: int | None = None,
) -> PlanActivation:
    """Run ``plan_id`` in the unit's subtree; dates default to the plan's own period."""
    version = await find_version(session, plan_id)
    if version is None:
        raise ActivationError("unknown_plan")
    unit = await unit_by_code(session, unit_code)
    if unit is None:
        raise ActivationError("unknown_unit")
    period = parsed(version).plan.period
    start = starts_on or period.start
    end = ends_on if ends_on is not None else period.end
    if end is not None and end < start:
        raise ActivationError("end_before_start")
    activation = await session.scalar(
        select(PlanActivation).where(
            PlanActivation.plan_id == plan_id, PlanActivation.unit_id == unit.id
        )
    )
    if activation is None:
        activation = PlanActivation(plan_id=plan_id, unit_id=unit.id, starts_on=start, ends_on=end)
        session.add(activation)
    else:
        activation.starts_on, activation.ends_on = start, end
    await session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="plan.activate",
        object_type="plan_activation",
        object_id=activation.id,
        details={"plan": plan_id, "unit": unit_code, "from": str(start), "to": str(end)},
    )
    return activation


async def running_plans(session: AsyncSession, unit: Unit, today: date) -> list[RunningPlan]:
    """Plans activated on this unit or above it, running today, newest version of each."""
    ancestors = [int(part) for part in unit.path.strip("/").split("/") if part]
    rows = await session.scalars(
        select(PlanActivation)
        .where(PlanActivation.unit_id.in_(ancestors), PlanActivation.starts_on <= today)
        .order_by(PlanActivation.plan_id)
    )
    found: dict[str, RunningPlan] = {}
    for activation in rows:
        if activation.ends_on is not None and activation.ends_on < today:
            continue
        if activation.plan_id in found:
            continue
        version = await find_version(session, activation.plan_id)
        if version is not None:
            found[activation.plan_id] = RunningPlan(activation, version, parsed(version))
    return list(found.values())
