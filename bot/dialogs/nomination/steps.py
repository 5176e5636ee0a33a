"""The steps of the nomination wizard, derived from the draft and its plan.

The list is recomputed from the draft every time (subject kind, category, answers change it),
so "Bước k/n" is always true to what is left, and nothing about the wizard lives in memory.

Step keys (stored in ``nominations.step``):
``kind``, ``category``, ``consent``, ``f:<field>``, ``achievements``, ``c:<criterion>``,
``y:<criterion>:<newest>:<n>`` (a title held over n years), ``g:<criterion>:<n>`` (n yes/no
criteria from this one, on one screen), ``e:<criterion>`` (evidence files), ``summary``.

Only the steps a person is sure to see are counted in "Bước k/n": a group's criteria asked one by
one and the files an answer "yes" calls for are sub-steps of the step before them, so the count
is fixed once the category is chosen and never grows with an answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.plans.schema import Criterion, Plan
from bot.workflow.criteria import years_asked
from bot.workflow.nominations import plan_of
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
    #: False for a sub-step (a grouped criterion asked alone, a proof): it shares the number of
    #: the counted step before it.
    counted: bool = field(default=True, compare=False)

    @property
    def prefix(self) -> str:
        return self.key.split(":", 1)[0]

    @property
    def arg(self) -> str:
        return self.key.split(":", 2)[1] if ":" in self.key else ""

    @property
    def size(self) -> int:
        """How many criteria a group holds (its key: ``g:<first criterion>:<n>``)."""
        return int(self.key.rsplit(":", 1)[1])

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
    return list(_frame(nomination, plan, today, skip_home))


def position(steps: list[Step], key: str | None) -> tuple[int, int]:
    """ "Bước k/n" of a step: counted steps up to it, of all counted steps."""
    total = sum(1 for s in steps if s.counted)
    keys = [s.key for s in steps]
    if key not in keys:
        return total, total
    index = keys.index(key)
    return max(1, sum(1 for s in steps[: index + 1] if s.counted)), total


def members(step: Step, criteria: tuple[Criterion, ...]) -> tuple[Criterion, ...]:
    """The criteria of a group step, in the plan's order."""
    ids = [c.id for c in criteria]
    if step.arg not in ids:
        return ()
    start = ids.index(step.arg)
    return criteria[start : start + step.size]


#: Criteria answered yes or no, which a group screen can hold.
YES_NO = frozenset({"attest", "evidence"})
#: A group screen stays one readable message (Telegram's limit is 4,096 characters).
GROUP_MAX_ITEMS = 24
GROUP_MAX_CHARS = 3200


def groups_of(criteria: tuple[Criterion, ...]) -> list[list[Criterion]]:
    """The criteria in runs: consecutive yes/no criteria together (within the size of one
    message), every other criterion alone."""
    runs: list[list[Criterion]] = []
    size = 0
    for criterion in criteria:
        length = len(criterion.text) + len(criterion.cite) + 8
        grows = (
            runs
            and criterion.kind in YES_NO
            and runs[-1][-1].kind in YES_NO
            and len(runs[-1]) < GROUP_MAX_ITEMS
            and size + length <= GROUP_MAX_CHARS
        )
        if grows:
            runs[-1].append(criterion)
            size += length
        else:
            runs.append([criterion])
            size = length
    return runs


def _frame(nomination: Nomination, plan: Plan, today: date, skip_home: bool) -> tuple[Step, ...]:
    """The steps a draft of this kind, category, unit and year has, whatever its answers.

    Every step of every draft asked for its list (twice, usually); drafts of the same shape
    share it, so it is worked out once per plan and kept with the plan.
    """
    subject = nomination.subject_kind
    key = ("steps", subject, nomination.category_id, skip_home, today.year)
    frame: tuple[Step, ...] | None = plan.derived.get(key)
    if frame is not None:
        return frame
    steps: list[Step] = []
    if len(plan.subject_kinds()) > 1:
        steps.append(Step("kind"))
    if subject is None or len(plan.categories_for(subject)) > 1:
        steps.append(Step("category"))
    steps.append(Step("consent"))
    for name in FIELDS.get(subject or "individual", ()):
        if name == "home" and skip_home:
            continue
        steps.append(Step(f"f:{name}"))
    steps.append(Step("achievements"))
    for run in groups_of(criteria_of(nomination, plan)):
        grouped = len(run) > 1
        if grouped:
            steps.append(Step(f"g:{run[0].id}:{len(run)}"))
        for criterion in run:
            if criterion.kind == "years":  # one question for all its years: newest and how many
                asked = years_asked(criterion, today)
                steps.append(Step(f"y:{criterion.id}:{asked[0]}:{len(asked)}"))
                continue
            steps.append(Step(f"c:{criterion.id}", counted=not grouped))
            if criterion.kind == "evidence":  # its files, once it is answered "yes"
                steps.append(Step(f"e:{criterion.id}", counted=False))
    steps.append(Step("summary"))
    frame = tuple(steps)
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
    if prefix == "e":  # asked only after a "yes"
        answer = nomination.answers.get(step.arg) or {}
        return answer.get("value") is not True or bool(answer.get("files_done"))
    if prefix == "g":
        return all(
            "value" in (nomination.answers.get(c.id) or {})
            for c in members(step, criteria_of(nomination, plan_of(nomination)))
        )
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
    if index == 0:
        return None
    if not steps[index].counted:
        return steps[index - 1]
    # From a counted step, back to the counted step before it (a group, not its last criterion).
    for step in reversed(steps[:index]):
        if step.counted:
            return step
    return None
