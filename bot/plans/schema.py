"""The shape of a plan file, as pydantic models.

These models check only structure (keys, types, simple bounds); the cross-references and
kind-specific rules are checked by :mod:`bot.plans.loader`, which is the only way plans get into
the bot. Field aliases are the TOML key names (``deadline``, ``quota``, ``criterion``,
``category``), so error locations read like the file.

Models are strict: a quoted ``"2"`` is not a number and a quoted ``"2026-01-10"`` is not a date,
because a plan file is written by hand and a silent coercion hides a typo.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from functools import cached_property
from typing import Any

from pydantic import Field

from bot.plans.fields import (
    DEFAULT_CONSULT_REMIND_DAYS,
    DEFAULT_CONSULT_SHOWS,
    DEFAULT_MIN_FILES,
    DEFAULT_REMIND_DAYS,
    DEFAULT_TEXT_MAX_LENGTH,
    DEFAULT_TEXT_MIN_LENGTH,
    SUBJECT_KINDS,
    ConsultPart,
    CriterionKind,
    Id,
    OneOrMany,
    QuotaPer,
    RemindDays,
    Stage,
    SubjectKind,
    Text,
    _localized,
    _Model,
)
from bot.workflow.kinds import kind_matches


class Period(_Model):
    start: dt.date
    end: dt.date | None = None

    def contains(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class PlanInfo(_Model):
    id: Id
    title: Text
    title_en: Text | None = None
    document: Text
    issuer: Text
    issued_on: dt.date
    effective_on: dt.date | None = None
    period: Period
    review_chain: list[str] = Field(min_length=1)
    review_bodies: dict[str, Text] = Field(default_factory=dict)
    honour_every_years: int | None = Field(default=None, ge=1)
    remind_days: RemindDays = Field(default_factory=lambda: list(DEFAULT_REMIND_DAYS))
    source: Text
    cite: Text | None = None

    def title_for(self, locale: str) -> str:
        return _localized(self.title, self.title_en, locale)

    @property
    def number(self) -> str | None:
        """The document's number; None where the file does not know it ("…/KH-UBND")."""
        document = self.document.strip()
        return None if document.startswith(("…", "...")) else document


class Deadline(_Model):
    id: Id
    title: Text
    date: dt.date | None = None
    yearly: str | None = None
    owed_by: OneOrMany
    stage: Stage = "propose"
    remind_days: RemindDays | None = None  # the plan's own ``remind_days`` when not given
    cite: Text

    @property
    def owed_by_kinds(self) -> list[str]:
        """Who owes it, as a list whether the file wrote one name or an array."""
        return [self.owed_by] if isinstance(self.owed_by, str) else list(self.owed_by)

    def _yearly_day(self) -> tuple[int, int] | None:
        if self.yearly is None:
            return None
        month, day = self.yearly.split("-")
        return int(month), int(day)

    def occurrences(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """The days it falls on from ``start`` to ``end``, both included, in order."""
        if self.date is not None:
            return [self.date] if start <= self.date <= end else []
        month_day = self._yearly_day()
        if month_day is None:
            return []
        days = []
        for year in range(start.year, end.year + 1):
            try:
                day = dt.date(year, *month_day)
            except ValueError:  # only a file the loader refused can get here
                continue
            if start <= day <= end:
                days.append(day)
        return days

    def next_after(self, day: dt.date, until: dt.date | None = None) -> dt.date | None:
        """The first day it falls on strictly after ``day`` (and not after ``until``), if any.

        A yearly deadline recurs without end unless ``until`` (usually the plan's period end)
        bounds it.
        """
        start = day + dt.timedelta(days=1)
        if self.date is not None:
            found = self.date if self.date >= start else None
        else:
            found = next(iter(self.occurrences(start, dt.date(start.year + 1, 12, 31))), None)
        if found is not None and until is not None and found > until:
            return None
        return found


class Quota(_Model):
    unit_kind: str
    level: str | None = None
    category: str | None = None
    subjects: list[SubjectKind] | None = Field(default=None, min_length=1)
    min: int = Field(ge=0)
    max: int | None = Field(default=None, ge=0)
    per: QuotaPer = "plan"
    cite: Text
    note: Text | None = None

    def applies_at(self, unit_kind: str, unit_level: str | None) -> bool:
        """Whether a unit of ``unit_kind`` whose (effective) level is ``unit_level`` owes it.

        ``unit_level`` is the unit's own level for an administrative unit, and the level of its
        nearest administrative ancestor for an organisation (None if it has none). Without
        ``level`` the quota reaches every unit of its kind, whatever the level.
        """
        if not kind_matches(unit_kind, self.unit_kind):
            return False
        return self.level is None or unit_level == self.level


class Criterion(_Model):
    id: Id
    text: Text
    text_en: Text | None = None
    kind: CriterionKind
    subjects: list[SubjectKind] | None = Field(default=None, min_length=1)
    required: bool = True
    cite: Text
    # number
    min: float | None = None
    max: float | None = None
    unit: Text | None = None
    # years
    years: int | None = Field(default=None, ge=1)
    title: Text | None = None
    # choice
    options: list[Text] | None = None
    accept: list[Text] | None = None
    # text
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=1)
    # evidence
    min_files: int | None = Field(default=None, ge=1)
    #: Evidence criteria with the same ``proof`` are proven by the same files (one certificate).
    proof: Id | None = None

    @property
    def min_files_required(self) -> int:
        return self.min_files if self.min_files is not None else DEFAULT_MIN_FILES

    @property
    def text_min_length(self) -> int:
        return self.min_length if self.min_length is not None else DEFAULT_TEXT_MIN_LENGTH

    @property
    def text_max_length(self) -> int:
        return self.max_length if self.max_length is not None else DEFAULT_TEXT_MAX_LENGTH

    def applies_to(self, subject: str) -> bool:
        """No ``subjects`` means every subject (of the category, for a category criterion)."""
        return self.subjects is None or subject in self.subjects

    def text_for(self, locale: str) -> str:
        return _localized(self.text, self.text_en, locale)


class ConsultWhen(_Model):
    """The answers to one choice criterion that make a category's consultation needed."""

    criterion: Id
    answers: list[Text] = Field(min_length=1)


class Category(_Model):
    id: Id
    title: Text
    title_en: Text | None = None
    subjects: list[SubjectKind] = Field(min_length=1)
    field: Text | None = None
    lead: str | None = None
    consultees: list[str] = Field(default_factory=list)
    consult_cite: Text | None = None
    consult_when: ConsultWhen | None = None
    #: What the consulted bodies see (see CONSULT_PARTS); the plan may show them more.
    consult_shows: list[ConsultPart] = Field(
        default_factory=lambda: list(DEFAULT_CONSULT_SHOWS), min_length=1
    )
    #: Days before a body that has not answered is reminded (again every as many days).
    consult_remind_days: int = Field(default=DEFAULT_CONSULT_REMIND_DAYS, ge=1, le=30)
    #: Whether a reviewer may send a nomination on over a body's objection, giving a reason.
    objection_override: bool = False
    cite: Text
    criteria: list[Criterion] = Field(default_factory=list, alias="criterion")

    def title_for(self, locale: str) -> str:
        return _localized(self.title, self.title_en, locale)

    def needs_consultation(self, answers: dict[str, dict[str, Any]]) -> bool:
        """Whether the consultees must be asked about a nomination with these answers.

        ``answers`` maps criterion ids to stored answers (``{"value": …}``). No consultees: never.
        Consultees without ``consult_when``: always. With ``consult_when``: only when the answer
        to its criterion is one of its ``answers``; a nomination that has not answered it (or to
        whose subject the criterion does not apply) is not consulted on.
        """
        if not self.consultees:
            return False
        when = self.consult_when
        if when is None:
            return True
        answer = answers.get(when.criterion)
        if not isinstance(answer, dict):
            return False
        return answer.get("value") in when.answers


class Plan(_Model):
    plan: PlanInfo
    deadlines: list[Deadline] = Field(default_factory=list, alias="deadline")
    quotas: list[Quota] = Field(default_factory=list, alias="quota")
    criteria: list[Criterion] = Field(default_factory=list, alias="criterion")
    categories: list[Category] = Field(min_length=1, alias="category")

    @property
    def id(self) -> str:
        return self.plan.id

    def title_for(self, locale: str) -> str:
        return self.plan.title_for(locale)

    def category(self, category_id: str) -> Category:
        for category in self.categories:
            if category.id == category_id:
                return category
        raise KeyError(category_id)

    def deadline(self, deadline_id: str) -> Deadline:
        for deadline in self.deadlines:
            if deadline.id == deadline_id:
                return deadline
        raise KeyError(deadline_id)

    def criterion(self, criterion_id: str) -> Criterion:
        return self._criteria_by_id[criterion_id]

    @cached_property
    def _criteria_by_id(self) -> dict[str, Criterion]:
        """Every wizard step looks up its criteria by id, several times: a walk over a plan's
        hundred-odd criteria each time was the dialog's most frequent loop."""
        by_id: dict[str, Criterion] = {}
        for criterion in self.all_criteria():
            by_id.setdefault(criterion.id, criterion)  # the first, as a walk in file order finds
        return by_id

    def all_criteria(self) -> list[Criterion]:
        """General criteria, then each category's, in file order."""
        return [*self.criteria, *(c for cat in self.categories for c in cat.criteria)]

    def categories_for(self, subject: str) -> list[Category]:
        return [category for category in self.categories if subject in category.subjects]

    def criteria_for(self, category_id: str, subject: str) -> tuple[Criterion, ...]:
        """What a nomination of ``subject`` in the category must answer: general, then own.

        Empty when the category does not take that subject. Raises KeyError for an unknown
        category. Worked out once per category and subject: every wizard step asks.
        """
        key = ("criteria_for", category_id, subject)
        found: tuple[Criterion, ...] | None = self.derived.get(key)
        if found is None:
            category = self.category(category_id)
            if subject not in category.subjects:
                found = ()
            else:
                general = [c for c in self.criteria if c.applies_to(subject)]
                own = [c for c in category.criteria if c.applies_to(subject)]
                found = (*general, *own)
            self.derived[key] = found
        return found

    @cached_property
    def derived(self) -> dict[Hashable, Any]:
        """What code using this plan works out from it once and keeps with it (it is frozen)."""
        return {}

    def subject_kinds(self) -> tuple[str, ...]:
        return self._subject_kinds

    @cached_property
    def _subject_kinds(self) -> tuple[str, ...]:
        used = {subject for category in self.categories for subject in category.subjects}
        return tuple(subject for subject in SUBJECT_KINDS if subject in used)

    def deadlines_between(self, start: dt.date, end: dt.date) -> list[tuple[dt.date, Deadline]]:
        """Every deadline day in the span, within the plan's period, sorted by day."""
        period = self.plan.period
        lo = max(start, period.start)
        hi = end if period.end is None else min(end, period.end)
        if hi < lo:
            return []
        found = [(day, d) for d in self.deadlines for day in d.occurrences(lo, hi)]
        return sorted(found, key=lambda pair: pair[0])
