"""Yes/no criteria of one group on one screen: the statements, numbered under their articles.

A village head reads the statements once and answers "All met" ("Đúng cả"), or types "2, 5" for
the two that are not met, or goes through them one by one (the group's criteria stay steps of
their own, uncounted). Files sent on the screen prove its first evidence criterion and those the
plan lets the same files prove (``proof``), so a certificate is sent once, before "All met".
"""

from __future__ import annotations

from bot.dialogs.nomination import cards
from bot.dialogs.nomination.steps import Step, criteria_of, members
from bot.dialogs.screen import Choice
from bot.i18n import N_, _, get_locale
from bot.plans.schema import Criterion, Plan
from bot.workflow.criteria import proof_files, proof_mates
from bot.workflow.nominations import plan_of
from storage.models import Nomination


def group_of(nomination: Nomination, step: Step) -> tuple[Criterion, ...]:
    return members(step, criteria_of(nomination, plan_of(nomination)))


def proof_target(group: tuple[Criterion, ...]) -> Criterion | None:
    """The criterion files sent on a group screen are kept for: its first evidence criterion."""
    return next((c for c in group if c.kind == "evidence"), None)


def question(nomination: Nomination, plan: Plan, step: Step, files: dict[str, int]) -> str:
    group = group_of(nomination, step)
    locale = get_locale()
    subject = nomination.subject_kind or "individual"
    lines = [_(QUESTIONS.get(subject, QUESTIONS["individual"]))]
    cite = None
    for number, criterion in enumerate(group, start=1):
        if criterion.cite != cite:
            cite = criterion.cite
            lines.append(f"\n{cards.citation(plan, cite)}:")
        answer = (nomination.answers.get(criterion.id) or {}).get("value")
        mark = {True: "✅ ", False: "❌ "}.get(answer, "") if isinstance(answer, bool) else ""
        proof = "📎 " if criterion.kind == "evidence" else ""
        optional = " " + _("(optional)") if not criterion.required else ""
        lines.append(f"{number}. {mark}{proof}{criterion.text_for(locale)}{optional}")
    target = proof_target(group)
    lines.append("")
    if target is not None:
        proven = [n for n, c in enumerate(group, 1) if c in proof_mates(target, group)]
        sent = proof_files(target, criteria_of(nomination, plan), files)
        lines.append(
            "📎 "
            + _(
                "Statement {numbers} needs a photo or document as proof (at least {count}): "
                "send it here now, then press “All met”."
            ).format(numbers=", ".join(map(str, proven)), count=target.min_files_required)
        )
        if sent:
            lines.append(_("Files received for it: {count}.").format(count=sent))
    lines.append(
        _(
            "If every statement is true, press “All met”. If some are not, type their numbers "
            "(for example {example}), or press “One by one”."
        ).format(example="2, 5" if len(group) >= 5 else "2")
    )
    return "\n".join(lines)


QUESTIONS = {
    "individual": N_("Does the person meet each of these criteria?"),
    "household": N_("Does the household meet each of these criteria?"),
    "collective": N_("Does the collective meet each of these criteria?"),
}


def choices(nomination: Nomination) -> list[Choice]:
    action = f"w:{nomination.id}:{nomination.version}"
    return [
        Choice(
            _("All met"),
            f"{action}:all",
            aliases=("dung ca", "dung het", "tat ca", "co", "dung", "all", "yes", "all met"),
            numbered=False,
        ),
        Choice(
            _("One by one"),
            f"{action}:one",
            aliases=("tung y", "tung y mot", "one by one"),
            numbered=False,
        ),
    ]
