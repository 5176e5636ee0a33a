"""Where a unit's subtree stands in a plan: nominations by state, per unit one level below it
and per category, against each unit's own quota, and the plan's next deadline.

Counted by the database: one GROUP BY over the subtree's nominations (by unit, state, category
and subject), and one more for quotas counted per year; the rows it returns are a few per unit,
whatever the number of nominations, and are rolled up to the units below the root here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.plans.schema import Deadline, Plan, Quota
from bot.workflow.collation import vi_sorted
from bot.workflow.lifecycle import (
    APPROVED,
    COUNTED,
    DRAFT,
    REJECTED,
    RETURNED,
    SUBMITTED,
    UNDER_REVIEW,
)
from bot.workflow.units import ancestors_on_path, effective_levels, subtree
from storage.models import Nomination, Unit

#: The states a progress view shows, in the order of a nomination's life (withdrawn ones are
#: gone from the count, as from the quota).
SHOWN = (DRAFT, SUBMITTED, UNDER_REVIEW, RETURNED, APPROVED, REJECTED)

_GROUPED = (
    select(
        Nomination.unit_id,
        Nomination.state,
        Nomination.category_id,
        Nomination.subject_kind,
        func.count(Nomination.id),
    )
    .join(Unit, Unit.id == Nomination.unit_id)
    .where(
        Nomination.plan_id == bindparam("plan_id"),
        Unit.path.startswith(bindparam("path")),
        Nomination.state.in_(SHOWN),
    )
    .group_by(Nomination.unit_id, Nomination.state, Nomination.category_id, Nomination.subject_kind)
)
_GROUPED_SINCE = _GROUPED.where(Nomination.submitted_at >= bindparam("since"))
_GROUPED_IN_YEAR = _GROUPED.where(
    Nomination.created_at >= bindparam("start"), Nomination.created_at < bindparam("end")
)

#: (unit id, state, category id, subject kind) -> count
Counts = dict[tuple[int, str, str | None, str | None], int]


@dataclass
class UnitRow:
    """One unit below the root (or the root itself, for what it proposed directly)."""

    unit: Unit
    states: Counter[str] = field(default_factory=Counter)
    quota: Quota | None = None  # the quota this unit owes itself (all categories)
    counted: int = 0  # nominations that count toward it

    @property
    def behind(self) -> bool:
        return self.quota is not None and self.counted < self.quota.min

    @property
    def full(self) -> bool:
        return (
            self.quota is not None
            and self.quota.max is not None
            and (self.counted >= self.quota.max)
        )


@dataclass
class Progress:
    plan: Plan
    root: Unit
    rows: list[UnitRow]
    totals: Counter[str]
    categories: dict[str, Counter[str]]
    next_deadline: tuple[date, Deadline] | None
    #: The root's own quota, counted over its whole subtree (as the review chain counts it).
    own: UnitRow | None = None

    @property
    def behind(self) -> list[UnitRow]:
        return [row for row in self.rows if row.behind]


async def progress_of(
    session: AsyncSession, plan: Plan, root: Unit, today: date, *, year: int | None = None
) -> Progress:
    """Everything so far; with ``year``, only the nominations begun in that year (a yearly
    report), every quota then counted on that year."""
    params: dict[str, object] = {"plan_id": plan.id, "path": root.path}
    query = _GROUPED
    if year is not None:
        query = _GROUPED_IN_YEAR
        params |= {
            "start": datetime(year, 1, 1, tzinfo=UTC),
            "end": datetime(year + 1, 1, 1, tzinfo=UTC),
        }
    counts: Counts = {
        (unit_id, state, category, subject): int(n)
        for unit_id, state, category, subject, n in (await session.execute(query, params)).all()
    }
    yearly: Counts | None = counts if year is not None else None
    if year is None and any(q.per == "year" for q in plan.quotas):
        since = datetime(today.year, 1, 1, tzinfo=UTC)
        found = await session.execute(_GROUPED_SINCE, {**params, "since": since})
        yearly = {(u, s, c, k): int(n) for u, s, c, k, n in found.all()}
    units = await subtree(session, root)
    chain = await ancestors_on_path(session, root.path)  # the root first, then upwards
    rows, own = _rows(plan, root, units, chain, counts, yearly or {})
    totals: Counter[str] = Counter()
    categories: dict[str, Counter[str]] = {}
    for (_unit, state, category, _subject), n in counts.items():
        totals[state] += n
        categories.setdefault(category or "", Counter())[state] += n
    return Progress(plan, root, rows, totals, categories, _next_deadline(plan, today), own)


def _rows(
    plan: Plan,
    root: Unit,
    units: list[Unit],
    chain: list[Unit],
    counts: Counts,
    yearly: Counts,
) -> tuple[list[UnitRow], UnitRow | None]:
    """A row per unit one level below the root that owes a quota or has nominations, in
    Vietnamese order, the root's own row first if it proposed anything itself; and the root's
    own quota with its count over the whole subtree (None if it owes none)."""
    depth = root.path.count("/")
    children = {u.id: u for u in units if u.path.count("/") == depth + 1}
    home: dict[int, int] = {}  # any unit of the subtree -> the child it lies in (or the root)
    by_path = {u.path: u.id for u in children.values()}
    for unit in units:
        if unit.id == root.id:
            home[unit.id] = root.id
            continue
        prefix = "/".join(unit.path.split("/")[: depth + 1]) + "/"
        home[unit.id] = by_path.get(prefix, root.id)
    rows: dict[int, UnitRow] = {}
    for child in [root, *children.values()]:
        levels = effective_levels([child, *chain] if child is not root else chain)
        quota = next(
            (
                q
                for q in plan.quotas
                if q.category is None and q.applies_at(child.kind, levels.get(child.id))
            ),
            None,
        )
        rows[child.id] = UnitRow(child, quota=quota)
    for (unit_id, state, _category, _subject), n in counts.items():
        row = rows[home.get(unit_id, root.id)]
        row.states[state] += n
    own = rows.pop(root.id)
    whole = UnitRow(root, Counter(), own.quota)
    for per, source in (("plan", counts), ("year", yearly)):  # one pass each
        for (unit_id, state, _category, subject), n in source.items():
            if state not in COUNTED:
                continue
            for row in (rows.get(home.get(unit_id, root.id)), whole):
                quota = row.quota if row is not None else None
                if (
                    row is not None
                    and quota is not None
                    and quota.per == per
                    and (quota.subjects is None or subject in quota.subjects)
                ):
                    row.counted += n
    own.quota = None  # its quota is the whole subtree's: said once, above the rows
    shown = vi_sorted(
        (r for r in rows.values() if r.quota is not None or r.states), key=lambda r: r.unit.name
    )
    return ([own, *shown] if own.states else shown), (whole if whole.quota else None)


def _next_deadline(plan: Plan, today: date) -> tuple[date, Deadline] | None:
    upcoming = plan.deadlines_between(today, today + timedelta(days=366))
    return upcoming[0] if upcoming else None
