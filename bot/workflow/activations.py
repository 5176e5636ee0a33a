"""Which plans run where: a plan is activated on a unit and applies to its whole subtree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from bot.plans.schema import Plan
from bot.workflow import audit
from bot.workflow.plans import find_version, newest_version_ids, parsed, parsed_digest
from bot.workflow.units import ids_in_path, unit_by_code
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
        actor_id,
        "plan.activate",
        activation,
        details={"plan": plan_id, "unit": unit_code, "from": str(start), "to": str(end)},
    )
    return activation


def _running_query() -> Select[tuple[PlanActivation, PlanVersion]]:
    newest = newest_version_ids()
    return (
        select(PlanActivation, PlanVersion)
        .join(newest, newest.c.plan_id == PlanActivation.plan_id)
        .join(PlanVersion, PlanVersion.id == newest.c.id)
        .where(
            PlanActivation.unit_id.in_(bindparam("units", expanding=True)),
            PlanActivation.starts_on <= bindparam("today"),
        )
        .order_by(PlanActivation.plan_id, PlanActivation.id)
        # A plan's text (up to 60 KB) is needed only to parse it, once per process: reading
        # it every time was a third of this query's cost.
        .options(defer(PlanVersion.source_text))
    )


#: Built once, one query: every /propose and every plan choice asks it.
_RUNNING = _running_query()


async def running_plans(session: AsyncSession, unit: Unit, today: date) -> list[RunningPlan]:
    """Plans activated on this unit or above it, running today, newest version of each."""
    return await running_plans_at(session, unit.path, today)


async def running_plans_at(session: AsyncSession, path: str, today: date) -> list[RunningPlan]:
    """``running_plans`` for the unit with this materialised path (a role carries it)."""
    rows = await session.execute(_RUNNING, {"units": ids_in_path(path), "today": today})
    found: dict[str, RunningPlan] = {}
    for activation, version in rows:
        if activation.ends_on is not None and activation.ends_on < today:
            continue
        if activation.plan_id not in found:
            if parsed_digest(version.digest) is None:  # the first time in this process
                await session.refresh(version, ["source_text"])
            found[activation.plan_id] = RunningPlan(activation, version, parsed(version))
    return list(found.values())
