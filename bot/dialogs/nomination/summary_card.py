"""The summary card of a draft, its verdict and buttons, and the list of answers to change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs.nomination.cards import (
    FIELD_LABELS,
    VERDICT_MARKS,
    answer_text,
    citation,
    quota_text,
    subject_label,
)
from bot.dialogs.nomination.steps import Step, criteria_of, is_answered
from bot.dialogs.plan_names import plan_name
from bot.dialogs.screen import Choice, Screen, rows_of
from bot.i18n import _, get_locale
from bot.plans.schema import Plan
from bot.workflow.criteria import Finding, eligible, findings, proof_mates
from bot.workflow.nominations import possible_duplicates
from bot.workflow.text import shorten
from storage.models import Nomination


async def summary(
    session: AsyncSession,
    nomination: Nomination,
    plan: Plan,
    steps: list[Step],
    evidence: dict[str, int],
    header: str,
    today: date,
) -> Screen:
    locale = get_locale()
    nominee = nomination.nominee
    lines = [header, "📋 " + _("Summary of the proposal"), ""]
    lines.append(_("Plan: {plan}").format(plan=plan_name(plan)))
    if nomination.subject_kind:
        lines.append(_("Subject: {kind}").format(kind=subject_label(nomination.subject_kind)))
    if nomination.category_id:
        lines.append(
            _("Field: {title}").format(
                title=plan.category(nomination.category_id).title_for(locale)
            )
        )
    for step in steps:
        if step.prefix == "f":
            value = answer_text(nomination, plan, step)
            if value:
                lines.append(f"{_(FIELD_LABELS[step.arg])}: {value}")
    if nomination.achievements or nominee.get("voice_note"):
        lines.append(
            _("Achievements: {text}").format(
                text=answer_text(nomination, plan, Step("achievements"))
            )
        )
    verdict = summary_verdict(nomination, plan, steps, evidence, today)
    found, missing, ok = verdict.found, verdict.missing, verdict.ok
    if found:
        lines += ["", _("Criteria:")]
        for finding in found:
            c = finding.criterion
            text = c.text_for(locale)
            short = text if len(text) <= 90 else text[:87] + "…"
            optional = "" if c.required else " " + _("(optional)")
            lines.append(f"{VERDICT_MARKS[finding.verdict]} {short} ({c.cite}){optional}")
    files = sum(evidence.values())
    lines.append("")
    lines.append(_("Evidence: {count} file(s)").format(count=files))
    quota = await quota_text(session, nomination, plan, today)
    if quota:
        lines.append(quota)
    duplicates = await possible_duplicates(session, nomination)
    if duplicates:
        lines.append(
            "⚠️ "
            + _(
                "Possible duplicate: {name} ({year}) is already proposed under this "
                "plan in the same commune (no. {ids}). Please check before sending."
            ).format(
                name=nominee.get("name", ""),
                year=nominee.get("birth_year", ""),
                ids=", ".join(str(d.id) for d in duplicates),
            )
        )
    lines.append("")
    if ok:
        lines.append("✅ " + _("Eligible: all required criteria are met."))
    else:
        blocking = [f for f in found if f.blocks]
        lines.append(
            "❌ "
            + _(
                "Not eligible yet: {count} required criterion/criteria not met or "
                "incomplete, {missing} question(s) unanswered."
            ).format(count=len(blocking), missing=len(missing))
        )
        for finding in blocking:
            lines.append(
                f"  • {finding.criterion.text_for(locale)[:120]} "
                f"({citation(plan, finding.criterion.cite)})"
            )
    has_proofs = any(step.prefix == "e" for step in steps)
    return Screen("\n".join(lines), summary_rows(nomination, ok, has_proofs))


@dataclass(frozen=True)
class SummaryVerdict:
    found: list[Finding]
    missing: list[Step]  # questions not answered yet (the phone is optional)
    consented: bool

    @property
    def ok(self) -> bool:
        return bool(self.found) and eligible(self.found) and not self.missing and self.consented


def summary_verdict(
    nomination: Nomination, plan: Plan, steps: list[Step], evidence: dict[str, int], today: date
) -> SummaryVerdict:
    found = findings(criteria_of(nomination, plan), nomination.answers, evidence, today)
    missing = [
        s
        for s in steps
        if s.prefix not in ("summary", "g")
        and not is_answered(s, nomination)
        and not (s.prefix == "f" and s.arg == "phone")
    ]
    return SummaryVerdict(found, missing, nomination.consent_at is not None)


def summary_rows(
    nomination: Nomination, ok: bool, proofs: bool = False
) -> tuple[tuple[Choice, ...], ...]:
    """``proofs``: the draft has proof steps, so the summary offers to add evidence to one."""
    action = f"w:{nomination.id}:{nomination.version}"
    choices = []
    if ok:
        choices.append(Choice(_("Send the proposal"), f"{action}:sub", aliases=("gui", "send")))
    choices.append(Choice(_("Change an answer"), f"{action}:m", aliases=("sua", "edit")))
    if proofs:
        choices.append(Choice(_("Add evidence"), f"{action}:m:e", aliases=("them minh chung",)))
    choices.append(
        Choice(_("Save & leave"), f"{action}:s", aliases=("luu", "save"), numbered=False)
    )
    return rows_of(choices)


def _fit(label: str, value: str, width: int) -> str:
    """The "label: value" of a button, in ``width`` characters: the label is cut first."""
    value = value if len(value) <= width // 2 else value[: width // 2 - 1] + "…"
    if not value:
        return shorten(label, width)
    room = width - len(value) - 2
    if len(label) > room:
        label = label[: room - 1] + "…"
    return f"{label}: {value}"


def edit_menu(
    nomination: Nomination,
    plan: Plan,
    steps: list[Step],
    files: dict[str, int],
    proofs_only: bool = False,
) -> Screen:
    action = f"w:{nomination.id}:{nomination.version}"
    choices = []
    criteria = criteria_of(nomination, plan)
    proven: set[str] = set()  # criteria whose files are listed already (one proof for several)
    for index, step in enumerate(steps):
        if step.prefix in ("summary", "g") or (proofs_only and step.prefix != "e"):
            continue
        if step.prefix == "e" and (nomination.answers.get(step.arg) or {}).get("value") is not True:
            continue  # no proof is asked of a criterion not answered "yes"
        if step.prefix == "e":
            if step.arg in proven:
                continue
            proven.update(c.id for c in proof_mates(plan.criterion(step.arg), criteria))
        label = step_label(nomination, plan, step)
        value = answer_text(nomination, plan, step, files)
        choices.append(Choice(_fit(label, value, 60), f"{action}:e:{index}"))
    choices.append(
        Choice(
            _("◀ Back to the summary"),
            f"{action}:sum",
            aliases=("quay lai", "back"),
            numbered=False,
        )
    )
    if proofs_only:
        return Screen(_("Which criterion do you want to add proof to?"), rows_of(choices))
    return Screen(_("Which answer do you want to change?"), rows_of(choices))


def step_label(nomination: Nomination, plan: Plan, step: Step) -> str:
    prefix = step.prefix
    if prefix == "kind":
        return _("Subject")
    if prefix == "category":
        return _("Field")
    if prefix == "consent":
        return _("Consent")
    if prefix == "f":
        return _(FIELD_LABELS[step.arg])
    if prefix == "achievements":
        return _("Achievements")
    criterion = plan.criterion(step.arg)
    # Labelled by what it says (its first words) as well as where it comes from.
    text = criterion.text_for(get_locale())
    words = text if len(text) <= 28 else text[:28].rsplit(" ", 1)[0] + "…"
    base = f"{words} ({criterion.cite})"
    if prefix == "e":
        return _("Proof for {cite}").format(cite=base)
    return base
