"""Who owes a plan's deadline and is behind on it, and whom to remind of it, on a given day.

A deadline is owed by every unit of the kinds it names (``owed_by``) in the subtree where the
plan runs. What "behind" means follows what the deadline closes (its ``stage``):

- register, propose: the unit is below a quota minimum it owes, or holds drafts not yet
  submitted; its proposers are reminded (the draft holders of their own drafts);
- review, honour: nominations wait in the unit's review queue; its reviewers are reminded;
- report: reports are not kept by the bot yet, so nobody can be told behind; nobody is reminded.

Reminders go out on the plan's ``remind_days`` before the day (a deadline may name its own).
A pass that comes late (the bot was down) sends the most recent reminder due, never a backlog.
After the day, the units still behind are reported once to the reviewers of the level above.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.plans.schema import Deadline, Plan
from bot.workflow.activations import RunningPlan
from bot.workflow.kinds import kind_matches, level_of_kind
from bot.workflow.lifecycle import EDITABLE, IN_REVIEW
from bot.workflow.plans import newest_version_ids, parsed
from bot.workflow.quotas import QuotaLine, progress_on_path
from bot.workflow.review_chain import Stop, reviewers_at
from bot.workflow.roles import PROPOSER_ROLES
from bot.workflow.units import ancestors_and_self
from storage.models import Membership, Nomination, PlanActivation, PlanVersion, Unit, User

PROPOSING: Final = frozenset({"register", "propose"})
DECIDING: Final = frozenset({"review", "honour"})

BEFORE: Final = "before"  # a reminder ahead of the day
OVERDUE: Final = "overdue"  # the report to the level above, after the day

#: How long after a deadline the level above is still told who missed it. A bot started (or a
#: plan activated) later than this does not report old deadlines out of the blue.
REPORT_OVERDUE_WITHIN: Final = timedelta(days=7)

# Why a person is reminded (stable keys; the dialog words them).
BELOW_QUOTA: Final = "below_quota"
DRAFTS: Final = "drafts"
QUEUE: Final = "queue"
UNITS_BEHIND: Final = "units_behind"


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One day a deadline of a running plan falls on."""

    running: RunningPlan
    deadline: Deadline
    day: date

    @property
    def plan(self) -> Plan:
        return self.running.plan


@dataclass(slots=True)
class Standing:
    """Where one owing unit stands on one deadline."""

    unit: Unit
    quotas: list[QuotaLine] = field(default_factory=list)  # those the unit itself owes
    drafts: dict[int, int] = field(default_factory=dict)  # proposer's user id -> open drafts
    waiting: dict[int, int] = field(default_factory=dict)  # reviewer's user id -> in the queue
    reviewers: list[User] = field(default_factory=list)  # those with something waiting

    @property
    def short(self) -> list[QuotaLine]:
        return [line for line in self.quotas if not line.reached]

    def behind(self, stage: str) -> bool:
        if stage in PROPOSING:
            return bool(self.short) or any(self.drafts.values())
        if stage in DECIDING:
            return any(self.waiting.values())
        return False


@dataclass(frozen=True, slots=True)
class Planned:
    """One reminder for one person: its key in the database, and what it is about."""

    occurrence: Occurrence
    unit: Unit
    user: User
    kind: str  # BEFORE or OVERDUE
    offset: int  # days before the deadline it is planned for (0 for OVERDUE)
    reasons: tuple[str, ...]
    behind: tuple[Standing, ...] = ()  # OVERDUE: the units still behind
    standing: Standing | None = field(default=None, compare=False)  # BEFORE: the unit's

    @property
    def key(self) -> tuple[str, str, date, int, int, str, int]:
        o = self.occurrence
        return (o.plan.id, o.deadline.id, o.day, self.unit.id, self.user.id, self.kind, self.offset)


def remind_days(plan: Plan, deadline: Deadline) -> tuple[int, ...]:
    """The days before ``deadline`` that reminders go out, largest first."""
    return tuple(deadline.remind_days or plan.plan.remind_days)


def reminder_due(days_left: int, days: Iterable[int]) -> int | None:
    """The reminder a day ``days_left`` before the deadline falls under, if any.

    It is the nearest reminder day at or above ``days_left``: on its own day, or later when a
    pass came late. None before the first reminder day and after the deadline.
    """
    if days_left < 0:
        return None
    candidates = [d for d in days if d >= days_left]
    return min(candidates) if candidates else None


# --- where plans run ---------------------------------------------------------------------------


async def running_everywhere(session: AsyncSession, today: date) -> list[RunningPlan]:
    """Every activation running today (or ended in the last week), with its plan's newest
    version. An activation that ended is kept that long so that its last deadline is still
    reported to the level above."""
    newest = newest_version_ids()
    rows = await session.execute(
        select(PlanActivation, PlanVersion)
        .join(newest, newest.c.plan_id == PlanActivation.plan_id)
        .join(PlanVersion, PlanVersion.id == newest.c.id)
        .where(PlanActivation.starts_on <= today)
        .order_by(PlanActivation.plan_id, PlanActivation.id)
    )
    since = today - REPORT_OVERDUE_WITHIN
    return [
        RunningPlan(activation, version, parsed(version))
        for activation, version in rows.all()
        if activation.ends_on is None or activation.ends_on >= since
    ]


def occurrences(running: RunningPlan, start: date, end: date) -> list[Occurrence]:
    """The deadline days of this activation from ``start`` to ``end``, inside its own span."""
    activation = running.activation
    lo = max(start, activation.starts_on)
    hi = end if activation.ends_on is None else min(end, activation.ends_on)
    if hi < lo:
        return []
    return [Occurrence(running, d, day) for day, d in running.plan.deadlines_between(lo, hi)]


async def owing_units(session: AsyncSession, occurrence: Occurrence) -> list[Unit]:
    """The units of the activation's subtree whose kind the deadline names, in tree order."""
    wanted = occurrence.deadline.owed_by_kinds
    root = occurrence.running.activation.unit
    units = (
        await session.scalars(
            select(Unit).where(Unit.path.startswith(root.path)).order_by(Unit.path)
        )
    ).all()
    return [u for u in units if any(kind_matches(u.kind, kind) for kind in wanted)]


# --- how far a unit is -------------------------------------------------------------------------

_OPEN_DRAFTS = (
    select(Nomination.proposer_id, func.count(Nomination.id))
    .join(Unit, Unit.id == Nomination.unit_id)
    .where(
        Nomination.plan_id == bindparam("plan_id"),
        Nomination.state.in_(EDITABLE),
        Unit.path.startswith(bindparam("path")),
    )
    .group_by(Nomination.proposer_id)
)

_IN_QUEUE = (
    select(Nomination.proposer_id, func.count(Nomination.id))
    .where(
        Nomination.plan_id == bindparam("plan_id"),
        Nomination.state.in_(IN_REVIEW),
        Nomination.review_unit_id == bindparam("unit_id"),
    )
    .group_by(Nomination.proposer_id)
)

_PROPOSERS = (
    select(User)
    .join(Membership, Membership.user_id == User.id)
    .join(Unit, Unit.id == Membership.unit_id)
    .where(
        Unit.path.startswith(bindparam("path")),
        Membership.role.in_(sorted(PROPOSER_ROLES)),
        User.is_active.is_(True),
    )
    .order_by(User.id)
)


async def standing(
    session: AsyncSession, plan: Plan, deadline: Deadline, unit: Unit, today: date
) -> Standing:
    """Quotas the unit owes with their counts, open drafts by holder, its queue by reviewer."""
    found = Standing(unit)
    stage = deadline.stage
    if stage in PROPOSING:
        found.quotas = await progress_on_path(session, plan, unit.path, today, own_only=True)
        rows = await session.execute(_OPEN_DRAFTS, {"plan_id": plan.id, "path": unit.path})
        found.drafts = {user_id: int(n) for user_id, n in rows.all()}
    elif stage in DECIDING:
        rows = await session.execute(_IN_QUEUE, {"plan_id": plan.id, "unit_id": unit.id})
        by_proposer = {user_id: int(n) for user_id, n in rows.all()}
        if by_proposer:
            for reviewer in await _reviewers(session, unit):
                # Nobody reviews their own nomination: it is not in their queue.
                mine = by_proposer.get(reviewer.id, 0)
                waiting = sum(by_proposer.values()) - mine
                if waiting:
                    found.waiting[reviewer.id] = waiting
                    found.reviewers.append(reviewer)
    return found


async def _reviewers(session: AsyncSession, unit: Unit) -> list[User]:
    level = level_of_kind(unit.kind)
    if level is None:  # an organisation reviews nothing of its own
        return []
    return await reviewers_at(session, Stop(0, level, unit))


async def people_to_remind(
    session: AsyncSession, stage: str, found: Standing
) -> list[tuple[User, tuple[str, ...]]]:
    """Who in a behind unit is reminded, and why: nobody when it is not behind."""
    if not found.behind(stage):
        return []
    if stage in DECIDING:
        return [(reviewer, (QUEUE,)) for reviewer in found.reviewers]
    people: dict[int, tuple[User, list[str]]] = {}
    if found.short:
        rows = await session.scalars(_PROPOSERS, {"path": found.unit.path})
        for user in rows.unique().all():
            people[user.id] = (user, [BELOW_QUOTA])
    holders = [user_id for user_id, n in found.drafts.items() if n]
    for user_id in holders:
        user = people[user_id][0] if user_id in people else await session.get(User, user_id)
        if user is None or not user.is_active:
            continue
        people.setdefault(user_id, (user, []))[1].append(DRAFTS)
    return [(user, tuple(why)) for user, why in people.values()]


# --- the day's reminders -----------------------------------------------------------------------


async def reminders_for_day(session: AsyncSession, today: date) -> list[Planned]:
    """Every reminder due on ``today``, before deadlines and after them, one per key."""
    planned: dict[tuple[object, ...], Planned] = {}
    for running in await running_everywhere(session, today):
        for item in await _for_running(session, running, today):
            planned.setdefault(item.key, item)
    return list(planned.values())


async def _for_running(session: AsyncSession, running: RunningPlan, today: date) -> list[Planned]:
    plan = running.plan
    longest = max(
        [*plan.plan.remind_days, *(d for x in plan.deadlines for d in x.remind_days or ())]
    )
    found: list[Planned] = []
    upcoming = occurrences(running, today, today + timedelta(days=longest))
    for occurrence in upcoming:
        offset = reminder_due((occurrence.day - today).days, remind_days(plan, occurrence.deadline))
        if offset is None or occurrence.deadline.stage not in PROPOSING | DECIDING:
            continue
        for unit in await owing_units(session, occurrence):
            state = await standing(session, plan, occurrence.deadline, unit, today)
            for user, why in await people_to_remind(session, occurrence.deadline.stage, state):
                found.append(Planned(occurrence, unit, user, BEFORE, offset, why, standing=state))
    past = occurrences(running, today - REPORT_OVERDUE_WITHIN, today - timedelta(days=1))
    for occurrence in past:
        if occurrence.deadline.stage in PROPOSING | DECIDING:
            found += await _overdue(session, occurrence, today)
    return found


async def _overdue(session: AsyncSession, occurrence: Occurrence, today: date) -> list[Planned]:
    """One report per unit above, to its reviewers, listing the units under it still behind."""
    behind: dict[int, list[Standing]] = defaultdict(list)
    above: dict[int, Unit] = {}
    stage = occurrence.deadline.stage
    for unit in await owing_units(session, occurrence):
        state = await standing(session, occurrence.plan, occurrence.deadline, unit, today)
        if not state.behind(stage):
            continue
        parent = await _level_above(session, unit)
        if parent is not None:
            above[parent.id] = parent
            behind[parent.id].append(state)
    found: list[Planned] = []
    for parent_id, units in behind.items():
        parent = above[parent_id]
        for reviewer in await _reviewers(session, parent):
            found.append(
                Planned(occurrence, parent, reviewer, OVERDUE, 0, (UNITS_BEHIND,), tuple(units))
            )
    return found


async def _level_above(session: AsyncSession, unit: Unit) -> Unit | None:
    """The administrative unit above the owing one: a commune's district; an office's own
    district (the first administrative unit among its ancestors, itself left out)."""
    chain = await ancestors_and_self(session, unit)
    return next((u for u in chain[1:] if level_of_kind(u.kind) is not None), None)
