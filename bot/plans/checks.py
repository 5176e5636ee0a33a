"""The checks that look across a plan file (ids, references, dates against the period), on the
parts of it that are structurally right; those of [plan], deadlines and quotas. The criteria's
and categories' are in :mod:`bot.plans.checks_categories`. Split from :mod:`bot.plans.loader`."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bot.i18n import N_, _
from bot.plans.problems import Loc, Problem, did_you_mean, one_of, path_of
from bot.plans.schema import (
    Category,
    Criterion,
    Deadline,
    Plan,
    PlanInfo,
    Quota,
)
from bot.workflow.kinds import ALL_KINDS, LEVELS, is_known_kind, is_level, level_of_kind

_YEARLY = re.compile(r"^(\d\d)-(\d\d)$")


@dataclass
class Parts:
    """The parts of a file that are structurally right, with their indexes in the file."""

    info: PlanInfo | None
    deadlines: list[tuple[int, Deadline]]
    quotas: list[tuple[int, Quota]]
    criteria: list[tuple[int, Criterion]]
    #: Categories; one whose criteria are malformed is kept with the valid ones only.
    categories: list[tuple[int, Category]]
    #: The valid criteria of each category, by category index, with their own indexes.
    category_criteria: dict[int, list[tuple[int, Criterion]]]
    #: Category ids as written, including categories that are otherwise malformed.
    category_ids: list[str] = field(default_factory=list)
    #: Criterion ids as written, malformed criteria included: general ones under None, a
    #: category's own under the category's index.
    criterion_ids: dict[int | None, list[str]] = field(default_factory=dict)
    #: Whether every general criterion is valid, so "no criterion applies" can be judged.
    criteria_complete: bool = True
    #: Indexes of categories whose own criteria are all valid.
    complete_categories: set[int] = field(default_factory=set)

    @classmethod
    def from_plan(cls, plan: Plan) -> Parts:
        return cls(
            info=plan.plan,
            deadlines=list(enumerate(plan.deadlines)),
            quotas=list(enumerate(plan.quotas)),
            criteria=list(enumerate(plan.criteria)),
            categories=list(enumerate(plan.categories)),
            category_criteria={
                i: list(enumerate(c.criteria)) for i, c in enumerate(plan.categories)
            },
            category_ids=[c.id for c in plan.categories],
            criterion_ids={
                None: [c.id for c in plan.criteria],
                **{i: [c.id for c in cat.criteria] for i, cat in enumerate(plan.categories)},
            },
            complete_categories=set(range(len(plan.categories))),
        )

    @classmethod
    def from_raw(cls, data: dict[str, Any]) -> Parts:
        criteria_raw = data.get("criterion", [])
        criteria = valid_items(Criterion, criteria_raw)
        raw_categories = data.get("category")
        raw_categories = raw_categories if isinstance(raw_categories, list) else []
        parts = cls(
            info=valid(PlanInfo, data.get("plan")),
            deadlines=valid_items(Deadline, data.get("deadline")),
            quotas=valid_items(Quota, data.get("quota")),
            criteria=criteria,
            categories=[],
            category_criteria={},
            category_ids=[
                c["id"]
                for c in raw_categories
                if isinstance(c, dict) and isinstance(c.get("id"), str)
            ],
            criteria_complete=isinstance(criteria_raw, list) and len(criteria) == len(criteria_raw),
            criterion_ids={None: raw_ids(criteria_raw)},
        )
        for i, raw in enumerate(raw_categories):
            if not isinstance(raw, dict):
                continue
            own_raw = raw.get("criterion", [])
            parts.criterion_ids[i] = raw_ids(own_raw)
            own = valid_items(Criterion, own_raw)
            parts.category_criteria[i] = own
            shell = valid(Category, {**raw, "criterion": []})
            if shell is None:
                continue
            parts.categories.append((i, shell.model_copy(update={"criteria": [c for _, c in own]})))
            if isinstance(own_raw, list) and len(own) == len(own_raw):
                parts.complete_categories.add(i)
        return parts


_M = TypeVar("_M", bound=BaseModel)


def valid(model: type[_M], raw: Any) -> _M | None:
    try:
        return model.model_validate(raw, by_name=False)
    except ValidationError:
        return None


def raw_ids(raw: Any) -> list[str]:
    """The string ids of the tables in a raw array, valid or not."""
    if not isinstance(raw, list):
        return []
    return [t["id"] for t in raw if isinstance(t, dict) and isinstance(t.get("id"), str)]


def valid_items(model: type[_M], raw: Any) -> list[tuple[int, _M]]:
    if not isinstance(raw, list):
        return []
    items = ((i, valid(model, item)) for i, item in enumerate(raw))
    return [(i, item) for i, item in items if item is not None]


class CheckerCore:
    """What every group of checks uses: the parts, the problems found, shared helpers."""

    def __init__(self, parts: Parts) -> None:
        self.parts = parts
        self.problems: list[Problem] = []

    def add(self, loc: Loc, message: str) -> None:
        self.problems.append(Problem(loc, message))

    # -- helpers

    def unit_kind(self, loc: Loc, name: str) -> None:
        if is_known_kind(name):
            return
        close = difflib.get_close_matches(name, sorted(ALL_KINDS), n=1, cutoff=0.7)
        hint = (
            did_you_mean(close[0])
            if close
            else _("levels are {levels}; the other kinds are listed in docs/plans.md").format(
                levels=one_of(LEVELS)
            )
        )
        self.add(loc, _("unknown unit kind {name} ({hint})").format(name=repr(name), hint=hint))

    def no_repeats(self, loc: Loc, values: Sequence[str], what: str) -> None:
        """``what`` names the values (a msgid, N_)."""
        seen: set[str] = set()
        for i, value in enumerate(values):
            if value in seen:
                self.add(
                    (*loc, i),
                    _("{what} {value} is listed twice").format(what=_(what), value=repr(value)),
                )
            seen.add(value)

    def unique_ids(self, items: Iterable[tuple[Loc, str]], what: str) -> None:
        first: dict[str, Loc] = {}
        for loc, item_id in items:
            if item_id in first:
                self.add(
                    (*loc, "id"),
                    _("duplicate {what} id {id} (also {other})").format(
                        what=_(what), id=repr(item_id), other=path_of(first[item_id])
                    ),
                )
            else:
                first[item_id] = loc


class PlanChecks(CheckerCore):
    """[plan], [[deadline]] and [[quota]]."""

    # -- [plan]

    def check_info(self) -> None:
        info = self.parts.info
        if info is None:
            return
        chain_loc: Loc = ("plan", "review_chain")
        for i, name in enumerate(info.review_chain):
            self.unit_kind((*chain_loc, i), name)
        self.no_repeats(chain_loc, info.review_chain, N_("unit kind"))
        for name in info.review_bodies:
            loc: Loc = ("plan", "review_bodies", name)
            if not is_known_kind(name):
                self.unit_kind(loc, name)
            elif name not in info.review_chain:
                self.add(
                    loc,
                    _("{name} is not in review_chain ({chain})").format(
                        name=repr(name), chain=one_of(info.review_chain)
                    ),
                )
        period = info.period
        if period.end is not None:
            if period.end < period.start:
                self.add(
                    ("plan", "period", "end"),
                    _("{day} is before period.start {start}").format(
                        day=period.end, start=period.start
                    ),
                )
            if info.issued_on > period.end:
                self.add(
                    ("plan", "issued_on"),
                    _("{day} is after period.end {end}").format(day=info.issued_on, end=period.end),
                )
            if info.effective_on is not None and info.effective_on > period.end:
                self.add(
                    ("plan", "effective_on"),
                    _("{day} is after period.end {end}").format(
                        day=info.effective_on, end=period.end
                    ),
                )
        if info.effective_on is not None and info.effective_on < info.issued_on:
            self.add(
                ("plan", "effective_on"),
                _("{day} is before issued_on {issued}").format(
                    day=info.effective_on, issued=info.issued_on
                ),
            )

    # -- [[deadline]]

    def check_deadlines(self) -> None:
        period = self.parts.info.period if self.parts.info is not None else None
        for i, deadline in self.parts.deadlines:
            loc: Loc = ("deadline", i)
            if isinstance(deadline.owed_by, str):
                self.unit_kind((*loc, "owed_by"), deadline.owed_by)
            else:
                for j, name in enumerate(deadline.owed_by):
                    self.unit_kind((*loc, "owed_by", j), name)
                self.no_repeats((*loc, "owed_by"), deadline.owed_by, N_("unit kind"))
            if deadline.date is None and deadline.yearly is None:
                self.add(loc, _('needs date (a fixed day) or yearly ("MM-DD")'))
            elif deadline.date is not None and deadline.yearly is not None:
                self.add((*loc, "yearly"), _("give date or yearly, not both"))
            if (
                deadline.date is not None
                and period is not None
                and not period.contains(deadline.date)
            ):
                end = period.end if period.end is not None else "…"
                self.add(
                    (*loc, "date"),
                    _("{day} is outside the period {start} – {end}").format(
                        day=deadline.date, start=period.start, end=end
                    ),
                )
            if deadline.yearly is not None:
                self.yearly_day((*loc, "yearly"), deadline.yearly)
        self.unique_ids(((("deadline", i), d.id) for i, d in self.parts.deadlines), N_("deadline"))

    def yearly_day(self, loc: Loc, text: str) -> None:
        match = _YEARLY.match(text)
        if match is None:
            self.add(loc, _('expected "MM-DD", e.g. "12-15", got {text}').format(text=repr(text)))
            return
        month, day = int(match[1]), int(match[2])
        if (month, day) == (2, 29):
            self.add(loc, _('\'02-29\' does not occur every year; use "02-28" or "03-01"'))
            return
        try:
            dt.date(2001, month, day)  # a common year: every valid "MM-DD" exists in it
        except ValueError:
            self.add(loc, _("no such day: {text}").format(text=repr(text)))

    # -- [[quota]]

    def check_quotas(self) -> None:
        known = self.parts.category_ids
        categories = {c.id: c for _, c in self.parts.categories}
        for i, quota in self.parts.quotas:
            loc: Loc = ("quota", i)
            self.unit_kind((*loc, "unit_kind"), quota.unit_kind)
            if quota.level is not None:
                self.quota_level((*loc, "level"), quota)
            if quota.max is not None and quota.max < quota.min:
                self.add(
                    (*loc, "max"),
                    _("max {max} is below min {min}").format(max=quota.max, min=quota.min),
                )
            if quota.subjects is not None:
                self.no_repeats((*loc, "subjects"), quota.subjects, N_("subject"))
            if quota.category is None:
                continue
            if quota.category not in known:
                self.add(
                    (*loc, "category"),
                    _("unknown category {id} (known: {known})").format(
                        id=repr(quota.category), known=one_of(known) or _("none")
                    ),
                )
                continue
            category = categories.get(quota.category)
            if category is not None and quota.subjects is not None:
                self.allowed_subjects((*loc, "subjects"), quota.subjects, category)

    def quota_level(self, loc: Loc, quota: Quota) -> None:
        level = quota.level or ""
        if not is_level(level):
            own = level_of_kind(level)
            if own is not None:
                hint = _("{kind} is a kind of unit; its level is {level}").format(
                    kind=repr(level), level=repr(own)
                )
            else:
                close = difflib.get_close_matches(level, LEVELS, n=1, cutoff=0.7)
                hint = (
                    did_you_mean(close[0])
                    if close
                    else _("levels are {levels}").format(levels=one_of(LEVELS))
                )
            self.add(loc, _("unknown level {level} ({hint})").format(level=repr(level), hint=hint))
            return
        own = level_of_kind(quota.unit_kind)
        if own is not None and own != level:
            self.add(
                loc,
                _(
                    "unit_kind {kind} is always at level {own}, so no unit is at level {level}: "
                    "leave level out or name another unit_kind"
                ).format(kind=repr(quota.unit_kind), own=repr(own), level=repr(level)),
            )

    def allowed_subjects(self, loc: Loc, subjects: Sequence[str], category: Category) -> None:
        for j, subject in enumerate(subjects):
            if subject not in category.subjects:
                self.add(
                    (*loc, j),
                    _("category {id} does not take {subject} (its subjects: {subjects})").format(
                        id=repr(category.id),
                        subject=repr(subject),
                        subjects=one_of(category.subjects),
                    ),
                )

    # -- criteria
