"""Moving between the wizard's steps, and the screen each step shows."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from bot.dialogs.nomination import cards, group_card, summary_card
from bot.dialogs.nomination.context import ETHNICITIES, Ctx, Reply
from bot.dialogs.nomination.steps import (
    ADDING_PROOF,
    EDITING,
    Step,
    first_open,
    is_answered,
    next_step,
    position,
    steps_for,
)
from bot.dialogs.screen import Choice, Screen, rows_of
from bot.i18n import _, get_locale
from bot.plans.schema import Plan
from bot.workflow.collation import vi_sorted
from bot.workflow.kinds import level_of_kind
from bot.workflow.lifecycle import RETURNED
from bot.workflow.nominations import (
    evidence_counts,
    plan_of,
    unit_kind_of,
)
from bot.workflow.text import shorten
from bot.workflow.units import admin_home
from storage.models import Nomination, Unit

# --- moving between steps ------------------------------------------------------------------


def steps_of(ctx: Ctx, nomination: Nomination) -> list[Step]:
    skip_home = _home_is_fixed(nomination)
    return steps_for(nomination, plan_of(nomination), ctx.today, skip_home)


def _home_is_fixed(nomination: Nomination) -> bool:
    """A village's own proposals are of its people: no question of where they live."""
    return level_of_kind(unit_kind_of(nomination)) == "village"


async def goto(
    ctx: Ctx, nomination: Nomination, key: str | None, *, exact: bool = False, intro: str = ""
) -> Reply:
    steps = steps_of(ctx, nomination)
    keys = [s.key for s in steps]
    if exact and key in keys:
        target = Step(key)
    else:
        target = next_step(steps, key, nomination) if key else first_open(steps, nomination)
    nomination.step = target.key
    screen = await screen_of(ctx, nomination, target, steps)
    return Reply([with_note(intro, screen) if intro else screen])


async def advance(ctx: Ctx, nomination: Nomination, done: str, note: str = "") -> Reply:
    """After an answer: the next unanswered step (back to the summary when editing from it)."""
    steps = steps_of(ctx, nomination)
    target = next_step(steps, done, nomination)
    nomination.step = target.key
    screen = await screen_of(ctx, nomination, target, steps)
    return Reply([with_note(note, screen) if note else screen])


def with_note(note: str, screen: Screen) -> Screen:
    if not note:
        return screen
    return replace(screen, text=f"{note}\n\n{screen.text}")


# --- screens -------------------------------------------------------------------------------


async def options_of(
    ctx: Ctx, nomination: Nomination, plan: Plan, step: Step
) -> list[tuple[str, str]]:
    """(value, label) of the choices a step offers; buttons carry their index in this list."""
    prefix = step.prefix
    locale = get_locale()
    yes_no = [("yes", _("Yes")), ("no", _("No"))]
    if prefix == "kind":
        return [(kind, cards.subject_label(kind)) for kind in plan.subject_kinds()]
    if prefix == "category":
        return [
            (c.id, c.title_for(locale)) for c in plan.categories_for(nomination.subject_kind or "")
        ]
    if prefix == "consent":
        return [("yes", _("Yes, they agreed")), ("no", _("Not yet"))]
    if prefix == "f" and step.arg == "sex":
        return [("male", _("Male")), ("female", _("Female"))]
    if prefix == "f" and step.arg == "ethnicity":
        return [(name, name) for name in ETHNICITIES]
    if prefix == "f" and step.arg == "home":
        return [(str(unit.id), unit.name) for unit in await home_units(ctx, nomination)]
    if prefix == "y":  # all the years at once, or the one year held, or none
        asked = step.years
        return [
            ("all", _("All {n} years").format(n=len(asked))),
            *((str(year), str(year)) for year in asked),
            ("none", _("None of them")),
        ]
    if prefix == "c":
        criterion = plan.criterion(step.arg)
        if criterion.kind == "choice":
            return [(option, option) for option in criterion.options or []]
        if criterion.kind in ("attest", "evidence"):
            return yes_no
    return []


async def home_units(ctx: Ctx, nomination: Nomination) -> list[Unit]:
    """Where a nominee may live: the proposer's administrative unit and the villages in it."""
    unit = await ctx.session.get(Unit, nomination.unit_id)
    assert unit is not None
    base = await admin_home(ctx.session, unit)
    below = (
        await ctx.session.scalars(
            select(Unit)
            .where(Unit.path.startswith(base.path), Unit.id != base.id)
            .order_by(Unit.path)
        )
    ).all()
    level = level_of_kind(base.kind)
    wanted = {"province": "district", "district": "commune", "commune": "village"}.get(level or "")
    return [
        base,
        *vi_sorted((u for u in below if level_of_kind(u.kind) == wanted), key=lambda u: u.name),
    ]


async def screen_of(ctx: Ctx, nomination: Nomination, step: Step, steps: list[Step]) -> Screen:
    """A step's screen; on a returned draft, under the reviewer's reason until it is sent again."""
    return with_note(returned_note(nomination), await _screen_of(ctx, nomination, step, steps))


def returned_note(nomination: Nomination) -> str:
    if nomination.state != RETURNED or not nomination.decision_reason:
        return ""
    reason = shorten(nomination.decision_reason, 300)
    return "↩️ " + _("Returned for changes: {reason}").format(reason=reason)


async def _screen_of(ctx: Ctx, nomination: Nomination, step: Step, steps: list[Step]) -> Screen:
    plan = plan_of(nomination)
    k, n = position(steps, step.key)
    header = _("Step {k}/{n}").format(k=k, n=n)
    if step.prefix == "e":  # a step the count did not hold: say why it is here
        header += " · " + _("proof, asked because the answer was “Yes”")
    if step.key in (EDITING, ADDING_PROOF):
        counts = await evidence_counts(ctx.session, nomination.id)
        return summary_card.edit_menu(nomination, plan, steps, counts, step.key == ADDING_PROOF)
    if step.prefix == "summary":
        counts = await evidence_counts(ctx.session, nomination.id)
        return await summary_card.summary(
            ctx.session, nomination, plan, steps, counts, header, ctx.today
        )
    rows = await _rows(ctx, nomination, plan, step)
    if step.prefix == "g":
        counts = await evidence_counts(ctx.session, nomination.id)
        question = group_card.question(nomination, plan, step, counts)
        return Screen(f"{header}\n\n{question}", rows)
    question = await cards.question(ctx.session, nomination, plan, step, ctx.today)
    current = cards.current_value(nomination, plan, step) if is_answered(step, nomination) else ""
    body = "\n\n".join(part for part in (header, question, current) if part)
    return Screen(body, rows)


async def buttons_of(ctx: Ctx, nomination: Nomination, step: Step, steps: list[Step]) -> Screen:
    """Only what a typed answer is matched against: a step's buttons, without its text.

    The text can cost queries (quota progress, possible duplicates) that matching never reads.
    """
    plan = plan_of(nomination)
    if step.key in (EDITING, ADDING_PROOF):
        counts = await evidence_counts(ctx.session, nomination.id)
        return summary_card.edit_menu(nomination, plan, steps, counts, step.key == ADDING_PROOF)
    if step.prefix == "summary":
        counts = await evidence_counts(ctx.session, nomination.id)
        verdict = summary_card.summary_verdict(nomination, plan, steps, counts, ctx.today)
        proofs = any(s.prefix == "e" for s in steps)
        return Screen("", summary_card.summary_rows(nomination, verdict.ok, proofs))
    return Screen("", await _rows(ctx, nomination, plan, step))


async def _rows(
    ctx: Ctx, nomination: Nomination, plan: Plan, step: Step
) -> tuple[tuple[Choice, ...], ...]:
    nav = _nav(nomination, step)
    options = await options_of(ctx, nomination, plan, step)
    action = f"w:{nomination.id}:{nomination.version}"
    choices = [
        Choice(label, f"{action}:a:{index}", aliases=(value,))
        for index, (value, label) in enumerate(options)
    ]
    extra: list[Choice] = []
    if step.prefix == "g":
        extra.extend(group_card.choices(nomination))
    if step.prefix == "e":
        extra.append(Choice(_("Done"), f"{action}:d", aliases=("xong", "done"), numbered=False))
    if step.prefix == "f" and step.arg == "phone":
        extra.append(Choice(_("Skip"), f"{action}:x", aliases=("bo qua", "skip"), numbered=False))
    per_row = (
        3 if step.prefix == "f" and step.arg == "ethnicity" else (2 if len(options) == 2 else 1)
    )
    return (*rows_of(choices, per_row), *((tuple(extra),) if extra else ()), nav)


def _nav(nomination: Nomination, step: Step) -> tuple[Choice, ...]:
    action = f"w:{nomination.id}:{nomination.version}"
    return (
        Choice(_("◀ Back"), f"{action}:b", aliases=("quay lai", "back", "lui"), numbered=False),
        Choice(
            _("Save & leave"),
            f"{action}:s",
            aliases=("luu", "thoat", "save", "exit"),
            numbered=False,
        ),
    )
