"""Reading plan files: parse, check everything, and either return a whole Plan or refuse.

A plan decides who may be proposed and on what grounds, so a wrong file must never be half
loaded: every problem found is collected and reported together as ``<file>: <key path>: <what>``,
with key paths spelled as in the file (``category[2].criterion[0].min``, 0-based), so the person
who wrote the file can fix them all in one go without reading Python.

Structure (keys, types) is checked by the pydantic models in :mod:`bot.plans.schema`, its errors
said by :mod:`bot.plans.problems`; the rules that look across the file (ids, references, dates
against the period, kind-specific keys) are in :mod:`bot.plans.checks` and
:mod:`bot.plans.checks_categories`. When part of a file is structurally wrong, the parts that are
right are still checked, so one typo does not hide the other problems.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from bot.i18n import _
from bot.plans.checks import Parts, PlanChecks
from bot.plans.checks_categories import CategoryChecks
from bot.plans.problems import Problem, ordered, strip_bom, structure_problems, toml_problem
from bot.plans.schema import Plan


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
        problem = _("not UTF-8 text ({reason} at byte {byte})").format(
            reason=exc.reason, byte=exc.start
        )
        raise PlanError(name, [f"{name}: {problem}"]) from exc
    except OSError as exc:
        problem = _("cannot read the file ({why})").format(why=exc.strerror or exc)
        raise PlanError(name, [f"{name}: {problem}"]) from exc
    return load_plan_text(text, name)


def plan_text_problems(text: str) -> list[str]:
    """Every problem in a plan's text, as ``<key path>: <what>`` (no file name); [] if none."""
    return _check_text(text)[1]


def _check_text(text: str) -> tuple[Plan | None, list[str]]:
    try:
        data = tomllib.loads(strip_bom(text))
    except tomllib.TOMLDecodeError as exc:
        return None, [toml_problem(exc)]
    problems: list[Problem] = []
    plan: Plan | None
    try:
        plan = Plan.model_validate(data, by_name=False)
    except ValidationError as exc:
        plan = None
        problems.extend(structure_problems(exc))
        parts = Parts.from_raw(data)
    else:
        parts = Parts.from_plan(plan)
    problems.extend(Checker(parts).run())
    return plan, [str(p) for p in ordered(problems)]


def plan_problems(plan: Plan) -> list[str]:
    """The cross-checks of the loader for a Plan built in Python (tests, tools); [] if none."""
    return [str(p) for p in ordered(Checker(Parts.from_plan(plan)).run())]


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
            used = _("plan id {id} is also used by {other}").format(
                id=repr(plan.id), other=seen[plan.id]
            )
            problems.append(f"{path}: plan.id: {used}")
            continue
        seen[plan.id] = path
        plans.append(plan)
    if problems:
        raise PlanError(str(preset_dir()), problems)
    return plans


class Checker(PlanChecks, CategoryChecks):
    """Every cross-check, in file order."""

    def run(self) -> list[Problem]:
        self.check_info()
        self.check_deadlines()
        self.check_quotas()
        self.check_criteria()
        self.check_categories()
        return self.problems


def _peek_plan_id(path: Path) -> str | None:
    """A file's plan.id without checking the rest, to find a preset by id."""
    try:
        data = tomllib.loads(strip_bom(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    plan = data.get("plan")
    return plan.get("id") if isinstance(plan, dict) and isinstance(plan.get("id"), str) else None
