"""The steps of the nomination wizard, derived from the draft and its plan.

The list is recomputed from the draft every time (subject kind, category, answers change it),
so "Bước k/n" is always true to what is left, and nothing about the wizard lives in memory.

Step keys (stored in ``nominations.step``):
``kind``, ``category``, ``consent``, ``f:<field>``, ``achievements``, ``c:<criterion>``,
``y:<criterion>:<year>`` (a title held in one year), ``e:<criterion>`` (evidence files),
``summary``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.plans.schema import Criterion, Plan
from bot.workflow.criteria import years_asked
from storage.models import Nomination

#: Nominee fields asked for each kind of subject, in order.
FIELDS: dict[str, tuple[str, ...]] = {
    "individual": ("name", "sex", "birth_year", "ethnicity", "position", "home", "phone"),
    "household": ("name", "ethnicity", "home", "address", "phone"),
    "collective": ("name", "head", "members", "home"),
}
OPTIONAL_FIELDS = frozenset({"phone"})

#: Length caps for typed text (said to the user when exceeded).
MAX_LENGTH = {
    "name": 100,
    "position": 150,
    "address": 200,
    "head": 100,
    "ethnicity": 50,
    "achievements": 2000,
}


#: Where a draft stands while its "change an answer" list is open (a summary's sub-screen): kept
#: in the row like any step, so that a number typed next picks from that list.
EDITING = "summary:edit"
#: The same list, of the proof steps only (the summary's "add evidence").
ADDING_PROOF = "summary:proofs"


@dataclass(frozen=True, slots=True)
class Step:
    key: str

    @property
    def prefix(self) -> str:
        return self.key.split(":", 1)[0]

    @property
    def arg(self) -> str:
        return self.key.split(":", 2)[1] if ":" in self.key else ""

    @property
    def years(self) -> list[int]:
        """A years question's years, newest first (its key: ``y:<criterion>:<newest>:<n>``)."""
        _prefix, _criterion, newest, count = self.key.split(":")
        return [int(newest) - i for i in range(int(count))]


def criteria_of(nomination: Nomination, plan: Plan) -> tuple[Criterion, ...]:
    if not nomination.category_id or not nomination.subject_kind:
        return ()
    try:
        return plan.criteria_for(nomination.category_id, nomination.subject_kind)
    except KeyError:
        return ()


def steps_for(nomination: Nomination, plan: Plan, today: date, skip_home: bool) -> list[Step]:
    frame = _frame(nomination, plan, today, skip_home)
    steps: list[Step] = []
    for step, files in frame:
        steps.append(step)
        # An evidence criterion answered "yes" asks for its files next.
        if files is not None and (nomination.answers.get(files.arg) or {}).get("value") is True:
            steps.append(files)
    return steps


#: Each step, and for an evidence criterion the step asking for its files.
_Frame = tuple[tuple[Step, Step | None], ...]


def _frame(nomination: Nomination, plan: Plan, today: date, skip_home: bool) -> _Frame:
    """The steps a draft of this kind, category, unit and year has, whatever its answers.

    Every step of every draft asked for its list (twice, usually); drafts of the same shape
    share it, so it is worked out once per plan and kept with the plan.
    """
    subject = nomination.subject_kind
    key = ("steps", subject, nomination.category_id, skip_home, today.year)
    frame: _Frame | None = plan.derived.get(key)
    if frame is not None:
        return frame
    keys: list[tuple[str, str | None]] = []
    if len(plan.subject_kinds()) > 1:
        keys.append(("kind", None))
    if subject is None or len(plan.categories_for(subject)) > 1:
        keys.append(("category", None))
    keys.append(("consent", None))
    for field in FIELDS.get(subject or "individual", ()):
        if field == "home" and skip_home:
            continue
        keys.append((f"f:{field}", None))
    keys.append(("achievements", None))
    for criterion in criteria_of(nomination, plan):
        if criterion.kind == "years":  # one question for all its years: newest and how many
            asked = years_asked(criterion, today)
            keys.append((f"y:{criterion.id}:{asked[0]}:{len(asked)}", None))
            continue
        files = f"e:{criterion.id}" if criterion.kind == "evidence" else None
        keys.append((f"c:{criterion.id}", files))
    keys.append(("summary", None))
    frame = tuple((Step(k), None if files is None else Step(files)) for k, files in keys)
    plan.derived[key] = frame
    return frame


def is_answered(step: Step, nomination: Nomination) -> bool:
    prefix = step.prefix
    if prefix == "kind":
        return nomination.subject_kind is not None
    if prefix == "category":
        return nomination.category_id is not None
    if prefix == "consent":
        return nomination.consent_at is not None
    if prefix == "f":
        field = step.arg
        if field == "home":
            return nomination.nominee_unit_id is not None
        return field in nomination.nominee
    if prefix == "achievements":
        return bool(nomination.achievements) or bool(nomination.nominee.get("voice_note"))
    if prefix == "c":
        return "value" in (nomination.answers.get(step.arg) or {})
    if prefix == "y":
        held = (nomination.answers.get(step.arg) or {}).get("years") or {}
        return all(str(year) in held for year in step.years)
    if prefix == "e":
        return bool((nomination.answers.get(step.arg) or {}).get("files_done"))
    return False  # summary


def next_step(steps: list[Step], current: str | None, nomination: Nomination) -> Step:
    """The first unanswered step after ``current`` (or from the start); the summary if none."""
    keys = [s.key for s in steps]
    start = keys.index(current) + 1 if current in keys else 0
    for step in steps[start:]:
        if step.prefix == "summary" or not is_answered(step, nomination):
            return step
    return steps[-1]


def first_open(steps: list[Step], nomination: Nomination) -> Step:
    return next_step(steps, None, nomination)


def previous_step(steps: list[Step], current: str | None) -> Step | None:
    keys = [s.key for s in steps]
    if current not in keys:
        return None
    index = keys.index(current)
    return steps[index - 1] if index > 0 else None
