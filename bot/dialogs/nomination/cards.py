"""The wizard's words: questions, verdicts with their citations, the summary card, drafts."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs.nomination.inputs import BadInput
from bot.dialogs.nomination.steps import (
    ADDING_PROOF,
    EDITING,
    MAX_LENGTH,
    Step,
    criteria_of,
    position,
)
from bot.dialogs.plan_names import plan_name, plan_short
from bot.dialogs.screen import Choice, Screen, rows_of
from bot.i18n import N_, _, format_datetime, format_number, get_locale, ngettext
from bot.plans.schema import Criterion, Plan
from bot.plans.summary import subject_label as plan_subject_label
from bot.workflow.actor import Role
from bot.workflow.criteria import Verdict, proof_files, proof_mates
from bot.workflow.nominations import plan_of, unit_path_of
from bot.workflow.quotas import progress_on_path
from bot.workflow.text import TooLong
from storage.models import Nomination

FIELD_QUESTIONS = {
    ("individual", "name"): N_(
        "Full name of the person you propose? You may add the year of birth, e.g. Y Thị Hoa, 1975."
    ),
    ("household", "name"): N_("Full name of the head of the household?"),
    ("collective", "name"): N_("Name of the collective (agency, school, village, association…)?"),
    ("individual", "sex"): N_("Sex?"),
    ("individual", "birth_year"): N_("Year of birth? (4 digits, e.g. 1975)"),
    ("individual", "ethnicity"): N_("Ethnic group? Choose one, or type its name."),
    ("household", "ethnicity"): N_("Ethnic group of the household? Choose one, or type its name."),
    ("individual", "position"): N_("Position or role (e.g. village elder, farmer, teacher)?"),
    ("individual", "home"): N_("Where does the person live?"),
    ("household", "home"): N_("Where does the household live?"),
    ("collective", "home"): N_("Where is the collective?"),
    ("household", "address"): N_("Address of the household (hamlet, group, house number)?"),
    ("collective", "head"): N_("Full name of the head of the collective?"),
    ("collective", "members"): N_("How many members does the collective have?"),
    ("individual", "phone"): N_("Phone number of the person (optional)?"),
    ("household", "phone"): N_("Phone number of the household (optional)?"),
}
FIELD_LABELS = {
    "name": N_("Name"), "sex": N_("Sex"), "birth_year": N_("Year of birth"),
    "ethnicity": N_("Ethnic group"), "position": N_("Position"), "home": N_("Lives in"),
    "address": N_("Address"), "head": N_("Head"), "members": N_("Members"), "phone": N_("Phone"),
}  # fmt: skip
SEX_LABELS = {"male": N_("Male"), "female": N_("Female")}
VERDICT_MARKS = {Verdict.MET: "✅", Verdict.NOT_MET: "❌", Verdict.AWAITING_EVIDENCE: "⏳",
                 Verdict.UNANSWERED: "▫️"}  # fmt: skip


def plan_label(plan: Plan, role: Role, show_unit: bool) -> str:
    """Titles all start "Kế hoạch xây dựng…": the issuer and number tell plans apart."""
    label = plan_short(plan)
    return f"{label} ({role.unit_name})" if show_unit else label


def plan_choice_text(plans: list[Plan]) -> str:
    lines = [_("Under which plan do you propose?")]
    lines += [f"{n}. {plan_name(p)}, {p.plan.issuer}" for n, p in enumerate(plans, start=1)]
    return "\n".join(lines)


def subject_label(kind: str) -> str:
    label = plan_subject_label(kind)
    return label[:1].upper() + label[1:]


def started(plan: Plan) -> str:
    return _(
        "New proposal under: {plan}. Every answer is saved at once; you can "
        "leave and continue later with /drafts."
    ).format(plan=plan_name(plan))


def citation(plan: Plan, cite: str) -> str:
    return f"{cite}, {plan.plan.number}" if plan.plan.number else cite


def criterion_question(
    criterion: Criterion, plan: Plan, step: Step, today: date, also: tuple[Criterion, ...] = ()
) -> str:
    """``also``: the criteria the same files prove, for a proof step."""
    locale = get_locale()
    text = criterion.text_for(locale)
    cite = citation(plan, criterion.cite)
    optional = "" if criterion.required else "\n" + _("(optional criterion)")
    if step.prefix == "y":
        asked = ", ".join(str(year) for year in sorted(step.years))
        return (
            _(
                "Did they hold the title “{title}” in {years}? Choose “all”, or the one year "
                "they held it (type several, such as 2024, 2025)."
            ).format(title=criterion.title, years=asked)
            + f"\n\n«{text}» ({cite}){optional}"
        )
    if step.prefix == "e":
        return (
            _(
                "Send photos or documents that prove it (at least {count}). Press Done when "
                "finished."
            ).format(count=criterion.min_files_required)
            + f"\n\n«{text}» ({cite})"
            + "".join(f"\n«{c.text_for(locale)}» ({citation(plan, c.cite)})" for c in also)
        )
    if criterion.kind == "attest":
        ask = _("Does the nominee meet this criterion?")
    elif criterion.kind == "evidence":
        ask = _("Does the nominee meet this criterion? You will be asked for proof.")
    elif criterion.kind == "number":
        ask = _("Type the figure.") + " " + threshold(criterion)
    elif criterion.kind == "choice":
        ask = _("Choose the answer that applies.")
    else:
        ask = _("Describe it in a few sentences.")
    return f"«{text}» ({cite}){optional}\n\n{ask}"


def threshold(criterion: Criterion) -> str:
    unit = f" {criterion.unit}" if criterion.unit else ""
    if criterion.min is not None and criterion.max is not None:
        return _("Required: from {min} to {max}{unit}.").format(
            min=format_number(criterion.min), max=format_number(criterion.max), unit=unit
        )
    if criterion.min is not None:
        return _("Required: at least {min}{unit}.").format(
            min=format_number(criterion.min), unit=unit
        )
    return _("Required: at most {max}{unit}.").format(
        max=format_number(criterion.max or 0), unit=unit
    )


async def question(
    session: AsyncSession, nomination: Nomination, plan: Plan, step: Step, today: date
) -> str:
    prefix = step.prefix
    subject = nomination.subject_kind or "individual"
    if prefix == "kind":
        return _("Whom do you propose?")
    if prefix == "category":
        lines = [_("In which field?")]
        lines += [
            f"{n}. {c.title_for(get_locale())}"
            for n, c in enumerate(plan.categories_for(subject), start=1)
        ]
        return "\n".join(lines)
    if prefix == "consent":
        quota = await quota_text(session, nomination, plan, today)
        ask = _(
            "Has the person (or household, or collective) agreed to be proposed? Their personal "
            "details, including ethnic group, are kept only with their consent."
        )
        return f"{quota}\n\n{ask}" if quota else ask
    if prefix == "f":
        text = _(FIELD_QUESTIONS.get((subject, step.arg), FIELD_LABELS.get(step.arg, step.arg)))
        limit = MAX_LENGTH.get(step.arg)
        return text + (
            "\n" + _("(at most {limit} characters)").format(limit=limit) if limit else ""
        )
    if prefix == "achievements":
        return _(
            "Briefly describe their achievements (at least 10 characters, at most 2000), "
            "or send a voice note."
        )
    criterion = plan.criterion(step.arg)
    if prefix == "e":
        mates = proof_mates(criterion, criteria_of(nomination, plan))
        also = tuple(c for c in mates if c is not criterion)
        return criterion_question(criterion, plan, step, today, also)
    return criterion_question(criterion, plan, step, today)


def current_value(nomination: Nomination, plan: Plan, step: Step) -> str:
    value = answer_text(nomination, plan, step)
    return _("Current answer: {value}").format(value=value) if value else ""


def answer_text(
    nomination: Nomination, plan: Plan, step: Step, files: dict[str, int] | None = None
) -> str:
    """A step's answer in a few words; ``files`` (evidence counts by criterion) lets a proof
    step say how many files came rather than only that the step was done."""
    prefix = step.prefix
    locale = get_locale()
    if prefix == "kind" and nomination.subject_kind:
        return subject_label(nomination.subject_kind)
    if prefix == "category" and nomination.category_id:
        return plan.category(nomination.category_id).title_for(locale)
    if prefix == "consent" and nomination.consent_at:
        return _("Yes, they agreed")
    if prefix == "f":
        if step.arg == "home":
            return nomination.nominee.get("home_name", "") or (
                "✓" if nomination.nominee_unit_id else ""
            )
        value = nomination.nominee.get(step.arg)
        if step.arg == "sex" and value:
            return _(SEX_LABELS[value])
        if step.arg == "phone" and step.arg in nomination.nominee and value is None:
            return _("(skipped)")
        return "" if value is None else str(value)
    if prefix == "achievements":
        if nomination.achievements:
            return (
                nomination.achievements
                if len(nomination.achievements) < 80
                else (nomination.achievements[:77] + "…")
            )
        return _("(voice note)") if nomination.nominee.get("voice_note") else ""
    answer = nomination.answers.get(step.arg) or {}
    if prefix == "y":
        held = answer.get("years") or {}
        if not held:
            return ""
        kept = sorted(year for year, had in held.items() if had)
        if len(kept) == len(held):
            return _("all {n} years").format(n=len(held))
        return ", ".join(kept) if kept else _("none")
    if prefix == "e":
        if files is not None:
            criterion = plan.criterion(step.arg)
            count = proof_files(criterion, criteria_of(nomination, plan), files)
            if count:
                return ngettext("{n} file", "{n} files", count).format(n=count)
            return _("no file yet") if answer.get("files_done") or answer else ""
        return _("files sent") if answer.get("files_done") else ""
    if "value" not in answer:
        return ""
    value = answer["value"]
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, float):
        return format_number(value)
    return str(value)


def criterion_answer(nomination: Nomination, plan: Plan, criterion: Criterion) -> str:
    """A criterion's answer in a few words, whichever step asked it ("" if not answered)."""
    key = f"y:{criterion.id}" if criterion.kind == "years" else f"c:{criterion.id}"
    return answer_text(nomination, plan, Step(key))


def verdict_note(criterion: Criterion, verdict: Verdict) -> str:
    if verdict is Verdict.MET:
        return "✅ " + _("Criterion met.")
    if verdict is Verdict.AWAITING_EVIDENCE:
        return "⏳ " + _(
            "Waiting for proof: this criterion is not complete until files are sent. "
            "You can add them later from the summary."
        )
    if not criterion.required:
        return "ℹ️ " + _("Not met, but this criterion is optional.")
    return ""


def unmet(nomination: Nomination, plan: Plan, criterion: Criterion) -> Screen:
    text = "\n\n".join(
        [
            "❌ " + _("This required criterion is not met:"),
            f"«{criterion.text_for(get_locale())}»",
            "(" + citation(plan, criterion.cite) + ")",
            _("A nomination that does not meet it cannot be sent. What would you like to do?"),
        ]
    )
    action = f"w:{nomination.id}:{nomination.version}"
    choices = [
        Choice(_("Change the answer"), f"{action}:r"),
        Choice(_("Change the field"), f"{action}:cat"),
        Choice(_("Go on with the other questions"), f"{action}:k"),
        Choice(_("Keep the draft and leave"), f"{action}:s"),
    ]
    return Screen(text, rows_of(choices))


def consent_needed(nomination: Nomination) -> Screen:
    action = f"w:{nomination.id}:{nomination.version}"
    text = _(
        "Please ask them first. Nothing about the person is stored until they agree. Your "
        "draft is kept: continue with /drafts when they have agreed."
    )
    return Screen(
        text,
        rows_of(
            [
                Choice(_("They have agreed now"), f"{action}:r"),
                Choice(_("Keep the draft and leave"), f"{action}:s"),
            ]
        ),
    )


def too_few_files(criterion: Criterion, sent: int) -> str:
    return "⚠️ " + _(
        "At least {count} file(s) are needed here, and {sent} came. Send a photo or a document "
        "first, then press Done."
    ).format(count=criterion.min_files_required, sent=sent)


def bad_input(problem: BadInput | TooLong) -> str:
    if isinstance(problem, TooLong):
        return "⚠️ " + _(
            "That is too long: at most {limit} characters (you sent {length}). Please shorten it."
        ).format(limit=problem.limit, length=problem.length)
    details = problem.details
    messages = {
        "not_a_number": _("Please type a number, for example 70 or 70,5."),
        "not_a_whole_number": _("Please type a whole number."),
        "out_of_range": _("Please type a number from {low} to {high}."),
        "not_a_year": _("Please type a year with 4 digits, from {low} to {high}."),
        "not_a_date": _("Please type a date as dd/mm/yyyy, for example 25/08/2026."),
        "date_out_of_range": _("Please type a date from {low} to {high}."),
        "not_a_phone": _("Please type a Vietnamese phone number, for example 0912345678."),
        "too_short": _("That is too short: at least {minimum} characters, please."),
        "no_letters": _("Please write it in words: emoji or punctuation alone cannot be kept."),
    }
    return "⚠️ " + messages.get(problem.reason, _("Please try again.")).format(**details)


async def quota_text(session: AsyncSession, nomination: Nomination, plan: Plan, today: date) -> str:
    lines = await progress_on_path(
        session, plan, await unit_path_of(session, nomination), today, nomination.category_id
    )
    if not lines:
        return ""
    parts = []
    for line in lines:
        quota = line.quota
        target = (
            f"{quota.min}–{quota.max}"
            if quota.max is not None and quota.max != quota.min
            else str(quota.min)
        )
        parts.append(f"{line.unit.name}: {line.count}/{target}")
    return _("Quota: {progress}").format(progress="; ".join(parts))


def saved(nomination: Nomination) -> Screen:
    name = nomination.nominee.get("name") or _("(no name yet)")
    return Screen(
        _("Saved. Your draft for {name} is kept; continue any time with /drafts.").format(name=name)
    )


def left_saved(nomination: Nomination) -> Screen:
    name = nomination.nominee.get("name") or _("(no name yet)")
    return Screen(
        _("Your draft for {name} is saved where you left it; continue with /drafts.").format(
            name=name
        ),
        edit=False,
    )


def submitted(nomination: Nomination) -> Screen:
    name = nomination.nominee.get("name", "")
    text = _(
        "Sent. The proposal for {name} (no. {id}) goes to the first level of review. "
        "You will be told of every decision."
    ).format(name=name, id=nomination.id)
    withdraw = Choice(_("Withdraw it"), f"wd:{nomination.id}:{nomination.version}", numbered=False)
    return Screen(text, rows_of([withdraw]))


def draft_line(number: int, nomination: Nomination, steps: list[Step]) -> str:
    plan = plan_of(nomination)
    at = "summary" if nomination.step in (EDITING, ADDING_PROOF) else nomination.step
    k, n = position(steps, at) if at in {s.key for s in steps} else (1, position(steps, None)[1])
    name = nomination.nominee.get("name") or _("(no name yet)")
    title = plan.title_for(get_locale())
    short = title if len(title) <= 50 else title[:47] + "…"
    state = "" if nomination.state == "draft" else " · " + _("returned for changes")
    return _("{number}. {name} — {plan} — step {k}/{n} — {when}{state}").format(
        number=number,
        name=name,
        plan=short,
        k=k,
        n=n,
        when=format_datetime(nomination.updated_at),
        state=state,
    )


def confirm_discard(nomination: Nomination) -> Screen:
    name = nomination.nominee.get("name") or _("(no name yet)")
    choices = [
        Choice(_("Yes, delete it"), f"dr:y:{nomination.id}:{nomination.version}"),
        Choice(_("No, keep it"), "dr:n"),
    ]
    return Screen(
        _("Delete the draft for {name}? This cannot be undone.").format(name=name),
        rows_of(choices, per_row=2),
    )
