"""What an answer does: read, judged against the plan, saved, and the next step."""

from __future__ import annotations

import re
from datetime import date

from bot.dialogs.nomination import cards
from bot.dialogs.nomination.context import Ctx, Reply
from bot.dialogs.nomination.inputs import (
    BadInput,
    parse_int,
    parse_number,
    parse_phone,
    parse_year,
    require_letters,
    split_birth,
)
from bot.dialogs.nomination.screens import advance, goto, screen_of, steps_of, with_note
from bot.dialogs.nomination.steps import (
    FIELDS,
    MAX_LENGTH,
    Step,
    criteria_of,
)
from bot.dialogs.review import after_submit, stranded_screens
from bot.i18n import _
from bot.plans.schema import Criterion, Plan
from bot.workflow import audit
from bot.workflow.criteria import Verdict, judge, proof_files, proof_mates
from bot.workflow.nominations import (
    NotAllowed,
    evidence_counts,
    nominee_key,
    now,
    plan_of,
    submit,
    touch,
)
from bot.workflow.text import TooLong, clean_text
from storage.models import Nomination, Unit

# --- answers -------------------------------------------------------------------------------


async def answer_choice(
    ctx: Ctx, nomination: Nomination, plan: Plan, step: Step, value: str
) -> Reply:
    prefix = step.prefix
    touch(nomination)
    if prefix == "kind":
        if nomination.subject_kind != value:
            nomination.subject_kind = value
            nomination.category_id = None
            auto_category(nomination, plan)
        return await advance(ctx, nomination, step.key)
    if prefix == "category":
        nomination.category_id = value
        return await advance(ctx, nomination, step.key)
    if prefix == "consent":
        if value == "yes":
            nomination.consent_at = now()
            audit.record(ctx.session, ctx.actor.user_id, "nomination.consent", nomination)
            return await advance(ctx, nomination, step.key)
        nomination.step = step.key
        return Reply([cards.consent_needed(nomination)])
    if prefix == "f":
        if step.arg == "home":
            home = await ctx.session.get(Unit, int(value))
            assert home is not None
            nomination.nominee_unit_id = home.id
            nomination.nominee = {**nomination.nominee, "home_name": home.name}
        else:
            nomination.nominee = {**nomination.nominee, step.arg: value}
        return await advance(ctx, nomination, step.key)
    criterion = plan.criterion(step.arg)
    if prefix == "y":
        asked = [str(year) for year in step.years]
        held_years = set(asked) if value == "all" else {value} & set(asked)
        return await _years_held(ctx, nomination, criterion, step, asked, held_years)
    answer_value: object = value == "yes" if criterion.kind in ("attest", "evidence") else value
    previous = dict(nomination.answers.get(criterion.id) or {})
    nomination.answers = {**nomination.answers, criterion.id: {**previous, "value": answer_value}}
    if criterion.kind == "evidence" and answer_value is True:
        return await advance(ctx, nomination, step.key)  # the files come next
    return await judged(ctx, nomination, criterion, step)


async def _years_held(
    ctx: Ctx,
    nomination: Nomination,
    criterion: Criterion,
    step: Step,
    asked: list[str],
    held: set[str],
) -> Reply:
    """A years criterion answered at once: each year asked, held or not."""
    answer = dict(nomination.answers.get(criterion.id) or {})
    answer["years"] = {year: year in held for year in asked}
    nomination.answers = {**nomination.answers, criterion.id: answer}
    return await judged(ctx, nomination, criterion, step)


async def answer_years_typed(
    ctx: Ctx, nomination: Nomination, step: Step, steps: list[Step], text: str
) -> Reply:
    """The years held, typed as "2024, 2025" (a single number is matched as a button first)."""
    criterion = plan_of(nomination).criterion(step.arg)
    asked = [str(year) for year in step.years]
    typed = re.findall(r"\d{4}", text)
    if not typed or any(year not in asked for year in typed):
        screen = await screen_of(ctx, nomination, step, steps)
        note = "⚠️ " + _("Type the years they held it, such as {example}, or press a button.")
        return Reply([with_note(note.format(example=", ".join(asked[:2])), screen)])
    touch(nomination)
    return await _years_held(ctx, nomination, criterion, step, asked, set(typed))


async def answer_typed(
    ctx: Ctx, nomination: Nomination, step: Step, steps: list[Step], text: str
) -> Reply:
    plan = plan_of(nomination)
    born = None
    if step.key == "f:name" and "birth_year" in FIELDS.get(nomination.subject_kind or "", ()):
        text, born = split_birth(text)  # "Y Thị Hoa, 1975": the year is its own answer too
    try:
        value = _read(step, plan, text, ctx.today)
    except (BadInput, TooLong) as problem:
        screen = await screen_of(ctx, nomination, step, steps)
        return Reply([with_note(cards.bad_input(problem), screen)])
    touch(nomination)
    if step.prefix == "achievements":
        nomination.achievements = str(value)
        return await advance(ctx, nomination, step.key)
    if step.prefix == "f":
        nomination.nominee = {**nomination.nominee, step.arg: value}
        note = ""
        if born is not None:
            try:
                year = parse_year(born, ctx.today.year - 110, ctx.today.year - 6)
                nomination.nominee = {**nomination.nominee, "birth_year": year}
            except BadInput as problem:  # the name is kept; the year is asked in its turn
                note = cards.bad_input(problem)
        if step.arg in ("name", "birth_year"):
            nomination.nominee_key = nominee_key(
                str(nomination.nominee.get("name", "")), nomination.nominee.get("birth_year")
            )
        return await advance(ctx, nomination, step.key, note=note)
    criterion = plan.criterion(step.arg)
    nomination.answers = {**nomination.answers, criterion.id: {"value": value}}
    return await judged(ctx, nomination, criterion, step)


def _read(step: Step, plan: Plan, text: str, today: date) -> object:
    if step.prefix == "achievements":
        value = require_letters(clean_text(text, MAX_LENGTH["achievements"]))
        if len(value) < 10:
            raise BadInput("too_short", minimum=10)
        return value
    if step.prefix == "f":
        name = step.arg
        if name == "birth_year":
            return parse_year(text, today.year - 110, today.year - 6)
        if name == "members":
            return parse_int(text, 1, 1_000_000)
        if name == "phone":
            return parse_phone(text)
        value = clean_text(text, MAX_LENGTH.get(name, 200))
        if name in NAMED_FIELDS:
            require_letters(value)
        if len(value) < 2:
            raise BadInput("too_short", minimum=2)
        return value
    criterion = plan.criterion(step.arg)
    if criterion.kind == "number":
        return parse_number(text, criterion.unit)
    value = clean_text(text, criterion.text_max_length)
    if len(value) < criterion.text_min_length:
        raise BadInput("too_short", minimum=criterion.text_min_length)
    return value


#: Fields that must be written in words (a name, a position, an address), not only symbols.
NAMED_FIELDS = frozenset({"name", "position", "address", "head"})


async def judged(
    ctx: Ctx, nomination: Nomination, criterion: Criterion, step: Step, files: int | None = None
) -> Reply:
    """``files``: its evidence count, when the caller has it already."""
    if files is None:
        files = 0
        if criterion.kind == "evidence":  # no other kind of criterion looks at the files
            counts = await evidence_counts(ctx.session, nomination.id)
            files = proof_files(criterion, criteria_of(nomination, plan_of(nomination)), counts)
    verdict = judge(criterion, nomination.answers.get(criterion.id), files, ctx.today)
    if verdict is Verdict.NOT_MET and criterion.required:
        nomination.step = step.key
        return Reply([cards.unmet(nomination, plan_of(nomination), criterion)])
    note = cards.verdict_note(criterion, verdict)
    return await advance(ctx, nomination, step.key, note=note)


async def files_done(ctx: Ctx, nomination: Nomination, step: Step) -> Reply:
    plan = plan_of(nomination)
    criterion = plan.criterion(step.arg)
    criteria = criteria_of(nomination, plan)
    sent = proof_files(criterion, criteria, await evidence_counts(ctx.session, nomination.id))
    if criterion.required and sent < criterion.min_files_required:
        # The step says "at least N": Done before that is refused in the same words.
        screen = await screen_of(ctx, nomination, step, steps_of(ctx, nomination))
        return Reply([with_note(cards.too_few_files(criterion, sent), screen)])
    answers = dict(nomination.answers)
    for mate in proof_mates(criterion, criteria):  # the same files prove them: not asked again
        answer = dict(answers.get(mate.id) or {})
        if mate is criterion or answer.get("value") is True:
            answers[mate.id] = {**answer, "files_done": True}
    nomination.answers = answers
    touch(nomination)
    return await judged(ctx, nomination, criterion, step, files=sent)


async def submit_draft(ctx: Ctx, nomination: Nomination) -> Reply:
    try:
        outcome = await submit(ctx.session, ctx.actor, nomination, ctx.today)
    except NotAllowed:
        return Reply(toast=_("This draft is no longer open."))
    if not outcome.submitted:
        return await goto(
            ctx,
            nomination,
            "summary",
            exact=True,
            intro=_("It cannot be sent yet: see what is missing below."),
        )
    reviewers = await after_submit(ctx.session, nomination, ctx.today)
    return Reply([cards.submitted(nomination), *stranded_screens(reviewers)], notices=[reviewers])


def auto_category(nomination: Nomination, plan: Plan) -> None:
    if nomination.subject_kind is None:
        return
    categories = plan.categories_for(nomination.subject_kind)
    if len(categories) == 1:
        nomination.category_id = categories[0].id
