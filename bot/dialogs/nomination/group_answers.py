"""What a group screen's answer does: all met, the numbers of those not met, or one by one."""

from __future__ import annotations

import re

from bot.dialogs.nomination import cards
from bot.dialogs.nomination.context import Ctx, Reply
from bot.dialogs.nomination.group_card import group_of
from bot.dialogs.nomination.screens import advance, goto, screen_of, with_note
from bot.dialogs.nomination.steps import Step, criteria_of, members
from bot.i18n import _
from bot.workflow.criteria import Verdict, findings, proof_files
from bot.workflow.nominations import evidence_counts, plan_of, touch
from storage.models import Nomination


async def all_met(ctx: Ctx, nomination: Nomination, step: Step) -> Reply:
    return await _answered(ctx, nomination, step, unmet=set())


async def typed(
    ctx: Ctx, nomination: Nomination, step: Step, steps: list[Step], text: str
) -> Reply:
    """The numbers of the statements not met, typed ("2, 5")."""
    size = len(group_of(nomination, step))
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    if not numbers or any(not 1 <= n <= size for n in numbers):
        note = "⚠️ " + _(
            "Type the numbers of the statements that are not met, from 1 to {size} (for example "
            "2, 5), or press “All met”."
        ).format(size=size)
        return Reply([with_note(note, await screen_of(ctx, nomination, step, steps))])
    return await _answered(ctx, nomination, step, unmet=set(numbers))


async def one_by_one(ctx: Ctx, nomination: Nomination, step: Step) -> Reply:
    group = group_of(nomination, step)
    return await goto(ctx, nomination, f"c:{group[0].id}", exact=True)


async def _answered(ctx: Ctx, nomination: Nomination, step: Step, unmet: set[int]) -> Reply:
    plan = plan_of(nomination)
    criteria = criteria_of(nomination, plan)  # files may prove criteria of other groups too
    group = members(step, criteria)
    touch(nomination)
    counts = await evidence_counts(ctx.session, nomination.id)
    answers = dict(nomination.answers)
    for number, criterion in enumerate(group, start=1):
        answer = {**(answers.get(criterion.id) or {}), "value": number not in unmet}
        if criterion.kind == "evidence" and answer["value"]:
            # Files sent on the screen already: the proof step is not asked.
            if proof_files(criterion, criteria, counts) >= criterion.min_files_required:
                answer["files_done"] = True
        answers[criterion.id] = answer
    nomination.answers = answers
    found = [f for f in findings(criteria, answers, counts, ctx.today) if f.criterion in group]
    blocking = [f.criterion for f in found if f.verdict is Verdict.NOT_MET and f.criterion.required]
    if blocking:
        nomination.step = step.key
        return Reply([cards.unmet(nomination, plan, blocking[0])])
    met = sum(1 for f in found if f.verdict is Verdict.MET)
    note = "✅ " + _("{met} of {count} criteria met.").format(met=met, count=len(group))
    return await advance(ctx, nomination, step.key, note=note)
