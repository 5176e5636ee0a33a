"""Reading plan files: parse, check everything, and either return a whole Plan or refuse.

A plan decides who may be proposed and on what grounds, so a wrong file must never be half
loaded: every problem found is collected and reported together as ``<file>: <key path>: <what>``,
with key paths spelled as in the file (``category[2].criterion[0].min``, 0-based), so the person
who wrote the file can fix them all in one go without reading Python.

Structure (keys, types) is checked by the pydantic models in :mod:`bot.plans.schema`; the rules
that look across the file (ids, references, dates against the period, kind-specific keys) are
checked here. When part of a file is structurally wrong, the parts that are right are still
checked, so one typo does not hide the other problems.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
import tomllib
import types
import typing
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bot.plans.fields import CRITERION_KINDS, KIND_KEYS, ONE_TAG, UNION_TAGS
from bot.plans.schema import (
    Category,
    Criterion,
    Deadline,
    Plan,
    PlanInfo,
    Quota,
)
from bot.workflow.kinds import ALL_KINDS, LEVELS, is_known_kind, is_level, level_of_kind

#: Top-level sections in the order problems are reported.
_SECTIONS = ("plan", "deadline", "quota", "criterion", "category")
_YEARLY = re.compile(r"^(\d\d)-(\d\d)$")
_TOML_POSITION = re.compile(r"\s*\((at line (\d+), column (\d+)|at end of document)\)\s*$")


class PlanError(Exception):
    """A plan file that was refused, with every problem found in it."""

    def __init__(self, file: str, problems: Sequence[str]) -> None:
        self.file = file
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))

    def __str__(self) -> str:
        return "\n".join(self.problems)


# --------------------------------------------------------------------------------------------
# Public API


def load_plan_text(text: str, name: str) -> Plan:
    """Parse and check a plan given as text; ``name`` is how problems refer to the file."""
    plan, problems = _check_text(text)
    if plan is None or problems:
        raise PlanError(name, [f"{name}: {problem}" for problem in problems])
    return plan


def load_plan_file(path: str | Path) -> Plan:
    """Load a plan file; an unreadable file is refused like a malformed one."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PlanError(
            name, [f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})"]
        ) from exc
    except OSError as exc:
        raise PlanError(name, [f"{name}: cannot read the file ({exc.strerror or exc})"]) from exc
    return load_plan_text(text, name)


def plan_text_problems(text: str) -> list[str]:
    """Every problem in a plan's text, as ``<key path>: <what>`` (no file name); [] if none."""
    return _check_text(text)[1]


def _check_text(text: str) -> tuple[Plan | None, list[str]]:
    try:
        data = tomllib.loads(_strip_bom(text))
    except tomllib.TOMLDecodeError as exc:
        return None, [_toml_problem(exc)]
    problems: list[_Problem] = []
    plan: Plan | None
    try:
        plan = Plan.model_validate(data, by_name=False)
    except ValidationError as exc:
        plan = None
        problems.extend(_structure_problems(exc))
        parts = _Parts.from_raw(data)
    else:
        parts = _Parts.from_plan(plan)
    problems.extend(_Checker(parts).run())
    return plan, [str(p) for p in _ordered(problems)]


def plan_problems(plan: Plan) -> list[str]:
    """The cross-checks of the loader for a Plan built in Python (tests, tools); [] if none."""
    return [str(p) for p in _ordered(_Checker(_Parts.from_plan(plan)).run())]


def plan_digest(text: str) -> str:
    """Identity of a plan version: the sha256 of the file's exact text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def preset_dir() -> Path:
    """The presets shipped with the bot (package data)."""
    return Path(__file__).resolve().parent / "presets"


def preset_paths() -> list[Path]:
    directory = preset_dir()
    if not directory.is_dir():
        return []
    return sorted(directory.glob("*.toml"))


def load_preset(plan_id: str) -> Plan:
    """The shipped preset whose ``plan.id`` is ``plan_id``; KeyError if there is none."""
    for path in preset_paths():
        if _peek_plan_id(path) == plan_id:
            return load_plan_file(path)
    raise KeyError(plan_id)


def load_presets() -> list[Plan]:
    """Every shipped preset, in file-name order; refuses all if any one is wrong."""
    plans: list[Plan] = []
    problems: list[str] = []
    seen: dict[str, Path] = {}
    for path in preset_paths():
        try:
            plan = load_plan_file(path)
        except PlanError as exc:
            problems.extend(exc.problems)
            continue
        if plan.id in seen:
            problems.append(f"{path}: plan.id: plan id {plan.id!r} is also used by {seen[plan.id]}")
            continue
        seen[plan.id] = path
        plans.append(plan)
    if problems:
        raise PlanError(str(preset_dir()), problems)
    return plans


# --------------------------------------------------------------------------------------------
# Problems and key paths


Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class _Problem:
    loc: Loc
    message: str

    def __str__(self) -> str:
        return f"{_path(self.loc)}: {self.message}" if self.loc else self.message


def _path(loc: Iterable[str | int]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def _ordered(problems: Iterable[_Problem]) -> list[_Problem]:
    """File order by section and item, structure before cross-checks within one item."""
    unique = list(dict.fromkeys(problems))

    def key(problem: _Problem) -> tuple[int, int]:
        loc = problem.loc
        section = _SECTIONS.index(loc[0]) if loc and loc[0] in _SECTIONS else -1
        index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else -1
        return section, index

    return sorted(unique, key=key)


def _strip_bom(text: str) -> str:
    """Windows editors may save a byte-order mark, which TOML does not allow."""
    return text.removeprefix("\ufeff")


def _toml_problem(exc: tomllib.TOMLDecodeError) -> str:
    message = str(exc)
    match = _TOML_POSITION.search(message)
    if match is None:
        return f"TOML syntax error: {message}"
    what = message[: match.start()]
    where = "end of file" if match.group(2) is None else f"line {match[2]}, column {match[3]}"
    return f"{where}: TOML syntax error: {what[:1].lower()}{what[1:]}"


def _toml_type(value: Any) -> str:
    """What a value is, in TOML's words."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return f"a string {_short(value)}"
    if isinstance(value, dt.datetime):
        return "a date-time"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, dt.time):
        return "a time"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _short(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")


def _one_of(values: Iterable[str]) -> str:
    return ", ".join(values)


def _structure_problems(exc: ValidationError) -> Iterator[_Problem]:
    for error in exc.errors(include_url=False):
        raw_loc = tuple(error["loc"])
        # A key that takes one name or an array of names: pydantic names the branch it tried in
        # the location; the writer only sees the key.
        loc = tuple(part for part in raw_loc if part not in UNION_TAGS)
        if raw_loc and raw_loc[-1] == ONE_TAG and error["type"] == "string_type":
            message = (
                "expected a string in quotes or an array of strings, "
                f"got {_toml_type(error.get('input'))}"
            )
        else:
            message = _structure_message(error, loc)
        yield _Problem(loc, message)


_TYPE_MESSAGES = {
    "date_type": "expected a date like 2026-01-10 (not in quotes)",
    "date_parsing": "expected a date like 2026-01-10 (not in quotes)",
    "date_from_datetime_inexact": "expected a date like 2026-01-10, without a time",
    "string_type": "expected a string in quotes",
    "int_type": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "bool_type": "expected true or false",
    "list_type": "expected an array [ … ]",
    "dict_type": "expected a table",
    "model_type": "expected a table",
    "model_attributes_type": "expected a table",
}


def _structure_message(error: Any, loc: Loc) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "extra_forbidden":
        return _unknown_key_message(loc)
    if kind == "missing":
        return "missing required key"
    if kind in _TYPE_MESSAGES:
        return f"{_TYPE_MESSAGES[kind]}, got {_toml_type(value)}"
    if kind == "literal_error":
        expected = re.sub(r"'([^']*)'", r"\1", str(ctx.get("expected", ""))).replace(" or ", ", ")
        return f"expected one of {expected}, got {_toml_type(value)}"
    if kind == "string_pattern_mismatch":
        return (
            f"malformed id {value!r}: use lowercase ASCII letters and digits in words joined "
            "by hyphens, e.g. 'nong-dan-gioi'"
        )
    if kind == "too_short":
        count = ctx.get("min_length", 1)
        return f"needs at least {count} item{'s' if count != 1 else ''}"
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}, got {value!r}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return str(error["msg"])


def _unknown_key_message(loc: Loc) -> str:
    """Name the allowed keys, a likely intended one, or the table the key belongs to."""
    key = str(loc[-1]) if loc else ""
    parent = _model_at(loc[:-1])
    if parent is None:
        return "unknown key"
    allowed = _keys_of(parent)
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.75)
    if close:
        return f"unknown key (did you mean {close[0]!r}?)"
    # A key written below a [[category.criterion]] header lands in that criterion, not in the
    # category it was meant for: say so, since the file looks right to its writer.
    for depth in range(len(loc) - 2, -1, -1):
        outer = _model_at(loc[:depth])
        if outer is not None and outer is not parent and key in _keys_of(outer):
            where = _path(loc[:depth]) or "the top level"
            return (
                f"unknown key here; {key!r} is a key of {where}: in TOML a key belongs to the "
                "nearest [header] above it, so move it above this table's header"
            )
    return f"unknown key (allowed here: {_one_of(allowed)})"


def _keys_of(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """The model that validates the table at ``loc`` (None inside a non-table value)."""
    model: type[BaseModel] = Plan
    for part in loc:
        if isinstance(part, int):
            continue
        fields = {info.alias or name: info for name, info in model.model_fields.items()}
        info = fields.get(part)
        if info is None:
            return None
        inner = _model_in(info.annotation)
        if inner is None:
            return None
        model = inner
    return model


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


# --------------------------------------------------------------------------------------------
# Cross-checks


@dataclass
class _Parts:
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
    def from_plan(cls, plan: Plan) -> _Parts:
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
    def from_raw(cls, data: dict[str, Any]) -> _Parts:
        criteria_raw = data.get("criterion", [])
        criteria = _valid_items(Criterion, criteria_raw)
        raw_categories = data.get("category")
        raw_categories = raw_categories if isinstance(raw_categories, list) else []
        parts = cls(
            info=_valid(PlanInfo, data.get("plan")),
            deadlines=_valid_items(Deadline, data.get("deadline")),
            quotas=_valid_items(Quota, data.get("quota")),
            criteria=criteria,
            categories=[],
            category_criteria={},
            category_ids=[
                c["id"]
                for c in raw_categories
                if isinstance(c, dict) and isinstance(c.get("id"), str)
            ],
            criteria_complete=isinstance(criteria_raw, list) and len(criteria) == len(criteria_raw),
            criterion_ids={None: _raw_ids(criteria_raw)},
        )
        for i, raw in enumerate(raw_categories):
            if not isinstance(raw, dict):
                continue
            own_raw = raw.get("criterion", [])
            parts.criterion_ids[i] = _raw_ids(own_raw)
            own = _valid_items(Criterion, own_raw)
            parts.category_criteria[i] = own
            shell = _valid(Category, {**raw, "criterion": []})
            if shell is None:
                continue
            parts.categories.append((i, shell.model_copy(update={"criteria": [c for _, c in own]})))
            if isinstance(own_raw, list) and len(own) == len(own_raw):
                parts.complete_categories.add(i)
        return parts


_M = TypeVar("_M", bound=BaseModel)


def _valid(model: type[_M], raw: Any) -> _M | None:
    try:
        return model.model_validate(raw, by_name=False)
    except ValidationError:
        return None


def _raw_ids(raw: Any) -> list[str]:
    """The string ids of the tables in a raw array, valid or not."""
    if not isinstance(raw, list):
        return []
    return [t["id"] for t in raw if isinstance(t, dict) and isinstance(t.get("id"), str)]


def _valid_items(model: type[_M], raw: Any) -> list[tuple[int, _M]]:
    if not isinstance(raw, list):
        return []
    items = ((i, _valid(model, item)) for i, item in enumerate(raw))
    return [(i, item) for i, item in items if item is not None]


class _Checker:
    def __init__(self, parts: _Parts) -> None:
        self.parts = parts
        self.problems: list[_Problem] = []

    def add(self, loc: Loc, message: str) -> None:
        self.problems.append(_Problem(loc, message))

    def run(self) -> list[_Problem]:
        self.check_info()
        self.check_deadlines()
        self.check_quotas()
        self.check_criteria()
        self.check_categories()
        return self.problems

    # -- helpers

    def unit_kind(self, loc: Loc, name: str) -> None:
        if is_known_kind(name):
            return
        close = difflib.get_close_matches(name, sorted(ALL_KINDS), n=1, cutoff=0.7)
        hint = (
            f"did you mean {close[0]!r}?"
            if close
            else f"levels are {_one_of(LEVELS)}; the other kinds are listed in docs/plans.md"
        )
        self.add(loc, f"unknown unit kind {name!r} ({hint})")

    def no_repeats(self, loc: Loc, values: Sequence[str], what: str) -> None:
        seen: set[str] = set()
        for i, value in enumerate(values):
            if value in seen:
                self.add((*loc, i), f"{what} {value!r} is listed twice")
            seen.add(value)

    def unique_ids(self, items: Iterable[tuple[Loc, str]], what: str) -> None:
        first: dict[str, Loc] = {}
        for loc, item_id in items:
            if item_id in first:
                self.add(
                    (*loc, "id"), f"duplicate {what} id {item_id!r} (also {_path(first[item_id])})"
                )
            else:
                first[item_id] = loc

    # -- [plan]

    def check_info(self) -> None:
        info = self.parts.info
        if info is None:
            return
        chain_loc: Loc = ("plan", "review_chain")
        for i, name in enumerate(info.review_chain):
            self.unit_kind((*chain_loc, i), name)
        self.no_repeats(chain_loc, info.review_chain, "unit kind")
        for name in info.review_bodies:
            loc: Loc = ("plan", "review_bodies", name)
            if not is_known_kind(name):
                self.unit_kind(loc, name)
            elif name not in info.review_chain:
                self.add(loc, f"{name!r} is not in review_chain ({_one_of(info.review_chain)})")
        period = info.period
        if period.end is not None:
            if period.end < period.start:
                self.add(
                    ("plan", "period", "end"), f"{period.end} is before period.start {period.start}"
                )
            if info.issued_on > period.end:
                self.add(
                    ("plan", "issued_on"), f"{info.issued_on} is after period.end {period.end}"
                )
            if info.effective_on is not None and info.effective_on > period.end:
                self.add(
                    ("plan", "effective_on"),
                    f"{info.effective_on} is after period.end {period.end}",
                )
        if info.effective_on is not None and info.effective_on < info.issued_on:
            self.add(
                ("plan", "effective_on"),
                f"{info.effective_on} is before issued_on {info.issued_on}",
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
                self.no_repeats((*loc, "owed_by"), deadline.owed_by, "unit kind")
            if deadline.date is None and deadline.yearly is None:
                self.add(loc, 'needs date (a fixed day) or yearly ("MM-DD")')
            elif deadline.date is not None and deadline.yearly is not None:
                self.add((*loc, "yearly"), "give date or yearly, not both")
            if (
                deadline.date is not None
                and period is not None
                and not period.contains(deadline.date)
            ):
                end = period.end if period.end is not None else "…"
                self.add(
                    (*loc, "date"),
                    f"{deadline.date} is outside the period {period.start} – {end}",
                )
            if deadline.yearly is not None:
                self.yearly_day((*loc, "yearly"), deadline.yearly)
        self.unique_ids(((("deadline", i), d.id) for i, d in self.parts.deadlines), "deadline")

    def yearly_day(self, loc: Loc, text: str) -> None:
        match = _YEARLY.match(text)
        if match is None:
            self.add(loc, f'expected "MM-DD", e.g. "12-15", got {text!r}')
            return
        month, day = int(match[1]), int(match[2])
        if (month, day) == (2, 29):
            self.add(loc, '\'02-29\' does not occur every year; use "02-28" or "03-01"')
            return
        try:
            dt.date(2001, month, day)  # a common year: every valid "MM-DD" exists in it
        except ValueError:
            self.add(loc, f"no such day: {text!r}")

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
                self.add((*loc, "max"), f"max {quota.max} is below min {quota.min}")
            if quota.subjects is not None:
                self.no_repeats((*loc, "subjects"), quota.subjects, "subject")
            if quota.category is None:
                continue
            if quota.category not in known:
                self.add(
                    (*loc, "category"),
                    f"unknown category {quota.category!r} (known: {_one_of(known) or 'none'})",
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
                hint = f"{level!r} is a kind of unit; its level is {own!r}"
            else:
                close = difflib.get_close_matches(level, LEVELS, n=1, cutoff=0.7)
                hint = f"did you mean {close[0]!r}?" if close else f"levels are {_one_of(LEVELS)}"
            self.add(loc, f"unknown level {level!r} ({hint})")
            return
        own = level_of_kind(quota.unit_kind)
        if own is not None and own != level:
            self.add(
                loc,
                f"unit_kind {quota.unit_kind!r} is always at level {own!r}, so no unit is at "
                f"level {level!r}: leave level out or name another unit_kind",
            )

    def allowed_subjects(self, loc: Loc, subjects: Sequence[str], category: Category) -> None:
        for j, subject in enumerate(subjects):
            if subject not in category.subjects:
                self.add(
                    (*loc, j),
                    f"category {category.id!r} does not take {subject!r} "
                    f"(its subjects: {_one_of(category.subjects)})",
                )

    # -- criteria

    def check_criteria(self) -> None:
        every: list[tuple[Loc, str]] = []
        for i, criterion in self.parts.criteria:
            loc: Loc = ("criterion", i)
            self.criterion(loc, criterion, None)
            every.append((loc, criterion.id))
        categories = dict(self.parts.categories)
        for i, own in self.parts.category_criteria.items():
            for j, criterion in own:
                loc = ("category", i, "criterion", j)
                self.criterion(loc, criterion, categories.get(i))
                every.append((loc, criterion.id))
        self.unique_ids(every, "criterion")

    def criterion(self, loc: Loc, criterion: Criterion, category: Category | None) -> None:
        if criterion.subjects is not None:
            self.no_repeats((*loc, "subjects"), criterion.subjects, "subject")
            if category is not None:
                self.allowed_subjects((*loc, "subjects"), criterion.subjects, category)
        kind = criterion.kind
        given = criterion.model_fields_set
        for other in CRITERION_KINDS:
            if other == kind:
                continue
            for key in KIND_KEYS[other]:
                if key in given:
                    self.add((*loc, key), f"{key!r} is for {other} criteria, not {kind}")
        getattr(self, f"kind_{kind}")(loc, criterion)

    def kind_attest(self, loc: Loc, criterion: Criterion) -> None:
        """Nothing beyond the common keys."""

    def kind_evidence(self, loc: Loc, criterion: Criterion) -> None:
        """min_files is bounded by the schema."""

    def kind_number(self, loc: Loc, c: Criterion) -> None:
        if c.min is None and c.max is None:
            self.add((*loc, "min"), "a number criterion needs min or max")
        elif c.min is not None and c.max is not None and c.max < c.min:
            self.add((*loc, "max"), f"max {c.max:g} is below min {c.min:g}")

    def kind_years(self, loc: Loc, c: Criterion) -> None:
        if c.years is None:
            self.add((*loc, "years"), "a years criterion needs years (how many recent years)")
        if c.title is None:
            self.add((*loc, "title"), "a years criterion needs title (the title held each year)")

    def kind_choice(self, loc: Loc, c: Criterion) -> None:
        if c.options is None:
            self.add((*loc, "options"), "a choice criterion needs options (at least 2)")
        else:
            if len(c.options) < 2:
                self.add((*loc, "options"), "a choice criterion needs at least 2 options")
            self.no_repeats((*loc, "options"), c.options, "option")
        if c.accept is None:
            self.add((*loc, "accept"), "a choice criterion needs accept (the options that meet it)")
            return
        if not c.accept:
            self.add((*loc, "accept"), "needs at least 1 accepted option")
        self.no_repeats((*loc, "accept"), c.accept, "option")
        if c.options is not None:
            for j, answer in enumerate(c.accept):
                if answer not in c.options:
                    self.add((*loc, "accept", j), f"{answer!r} is not one of the options")

    def kind_text(self, loc: Loc, c: Criterion) -> None:
        if c.text_max_length < c.text_min_length:
            self.add(
                (*loc, "max_length" if c.max_length is not None else "min_length"),
                f"max_length {c.text_max_length} is below min_length {c.text_min_length}",
            )

    # -- [[category]]

    def check_categories(self) -> None:
        general = [c for _, c in self.parts.criteria]
        for i, category in self.parts.categories:
            loc: Loc = ("category", i)
            self.no_repeats((*loc, "subjects"), category.subjects, "subject")
            if category.lead is not None:
                self.unit_kind((*loc, "lead"), category.lead)
            for j, name in enumerate(category.consultees):
                self.unit_kind((*loc, "consultees", j), name)
            self.no_repeats((*loc, "consultees"), category.consultees, "consultee")
            if category.consultees and category.consult_cite is None:
                self.add(
                    (*loc, "consult_cite"), "needed with consultees: where the document asks it"
                )
            if not category.consultees and category.consult_cite is not None:
                self.add((*loc, "consult_cite"), "given without consultees")
            self.no_repeats((*loc, "consult_shows"), category.consult_shows, "part")
            for key in ("consult_shows", "consult_remind_days", "objection_override"):
                if not category.consultees and key in category.model_fields_set:
                    self.add((*loc, key), "given without consultees")
            if category.consult_when is not None:
                self.consult_when((*loc, "consult_when"), i, category, general)
            if not self.parts.criteria_complete or i not in self.parts.complete_categories:
                continue
            for j, subject in enumerate(category.subjects):
                applying = [c for c in (*general, *category.criteria) if c.applies_to(subject)]
                if not applying:
                    self.add(
                        (*loc, "subjects", j),
                        f"no criterion applies to {subject!r} in this category "
                        "(add a category criterion or a general one for it)",
                    )
        self.unique_ids(((("category", i), c.id) for i, c in self.parts.categories), "category")

    def consult_when(
        self, loc: Loc, index: int, category: Category, general: list[Criterion]
    ) -> None:
        when = category.consult_when
        if when is None:
            return
        if not category.consultees:
            self.add(loc, "given without consultees: it says when they are asked")
        wanted = when.criterion
        found = next((c for c in (*general, *category.criteria) if c.id == wanted), None)
        if found is None:
            ids = self.parts.criterion_ids
            if wanted in ids.get(None, []) or wanted in ids.get(index, []):
                return  # written here but malformed: reported where it is written
            elsewhere = [i for i, own in ids.items() if i is not None and wanted in own]
            choices = [
                c.id
                for c in (*general, *category.criteria)
                if c.kind == "choice" and any(c.applies_to(sub) for sub in category.subjects)
            ]
            if elsewhere:
                message = (
                    f"criterion {wanted!r} belongs to category[{elsewhere[0]}]; name a general "
                    "criterion or one of this category's own"
                )
            else:
                message = (
                    f"unknown criterion {wanted!r} (choice criteria that apply here: "
                    f"{_one_of(choices) or 'none'})"
                )
            self.add((*loc, "criterion"), message)
            return
        if found.kind != "choice":
            self.add(
                (*loc, "criterion"),
                f"criterion {wanted!r} is of kind {found.kind}; consult_when needs a choice "
                "criterion",
            )
            return
        if not any(found.applies_to(subject) for subject in category.subjects):
            self.add(
                (*loc, "criterion"),
                f"criterion {wanted!r} applies to none of this category's subjects "
                f"({_one_of(category.subjects)})",
            )
        self.no_repeats((*loc, "answers"), when.answers, "answer")
        options = found.options or []
        for j, answer in enumerate(when.answers):
            if found.options is not None and answer not in options:
                self.add(
                    (*loc, "answers", j),
                    f"{answer!r} is not one of the options of {wanted!r} ({' / '.join(options)})",
                )


def _peek_plan_id(path: Path) -> str | None:
    """A file's plan.id without checking the rest, to find a preset by id."""
    try:
        data = tomllib.loads(_strip_bom(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    plan = data.get("plan")
    return plan.get("id") if isinstance(plan, dict) and isinstance(plan.get("id"), str) else None
