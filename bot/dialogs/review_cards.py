"""The reviewer's card of a nomination, and the notices that carry it to reviewers.

Split from bot.dialogs.review (the decisions, the queue, consultations), which shows cards too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs.nomination.cards import SEX_LABELS, criterion_answer, quota_text, subject_label
from bot.dialogs.nomination.steps import criteria_of
from bot.dialogs.plan_names import plan_name
from bot.dialogs.review_changes import changes_lines
from bot.dialogs.screen import Choice, Screen, rows_of
from bot.i18n import N_, _, get_locale, ngettext, resolve_locale, use_locale
from bot.outbox.queue import Outgoing
from bot.plans.schema import Plan
from bot.workflow import consultations as consulting
from bot.workflow import resubmission, review, review_chain
from bot.workflow.criteria import Finding, Verdict, findings, proof_files
from bot.workflow.lifecycle import IN_REVIEW, REJECTED, RETURNED
from bot.workflow.nominations import evidence_counts, plan_of
from bot.workflow.review_chain import Stop
from bot.workflow.text import shorten
from storage.models import Consultation, Nomination, Unit, User

STATE_LABELS = {
    "draft": N_("draft"),
    "submitted": N_("waiting for review"),
    "under_review": N_("forwarded, under review"),
    "approved": N_("approved"),
    "returned": N_("returned for changes"),
    "rejected": N_("rejected"),
    "withdrawn": N_("withdrawn"),
}
ACTION_LABELS = {
    "nomination.create": N_("created the draft"),
    "nomination.consent": N_("confirmed the nominee's consent"),
    "nomination.submit": N_("submitted"),
    "nomination.withdraw": N_("withdrew it"),
    "review.endorse": N_("endorsed and forwarded"),
    "review.approve": N_("approved"),
    "review.return": N_("returned it"),
    "review.reject": N_("rejected it"),
    "review.refused": N_("tried an action not allowed"),
    "consultation.request": N_("asked for an opinion"),
    "consultation.answer": N_("gave an opinion"),
}
OPINION_LABELS = {"agree": N_("agrees"), "disagree": N_("objects"), "note": N_("opinion")}
LEVEL_LABELS = {"commune": N_("commune"), "district": N_("district"), "province": N_("province")}


def locale_of(user: User) -> str:
    return resolve_locale(user.locale, user.language_code)


# --- cards ----------------------------------------------------------------------------------


async def card(
    session: AsyncSession, nomination: Nomination, today: date, *, actions: bool
) -> Screen:
    """A nomination as a reviewer sees it, in the current locale."""
    plan = plan_of(nomination)
    stop = await review_chain.current_stop(session, nomination)
    lines = await who_is_proposed(session, nomination)
    if nomination.achievements:
        lines.append(_("Achievements: {text}").format(text=nomination.achievements[:500]))
    counts = await evidence_counts(session, nomination.id)
    found = findings(criteria_of(nomination, plan), nomination.answers, counts, today)
    met = sum(1 for f in found if f.verdict is Verdict.MET)
    lines.append(_("Criteria met: {met}/{total}").format(met=met, total=len(found)))
    lines += criteria_lines(nomination, plan, found, counts)
    lines.append(_("Evidence: {count} file(s)").format(count=sum(counts.values())))
    changes = await resubmission.since_last_round(session, nomination)
    if changes:
        lines += changes_lines(nomination, plan, changes)
    quota = await quota_text(session, nomination, plan, today)
    if quota:
        lines.append(quota)
    if stop is not None:
        lines.append(
            _("Waiting at: {level} — {unit}").format(
                level=_(LEVEL_LABELS.get(stop.level, stop.level)), unit=stop.unit.name
            )
        )
    needed = consulting.needs_consultation(nomination, plan)
    consultations = await consulting.consultations_of(session, nomination)
    if needed:
        lines.append(
            _("Opinions needed from: {bodies}").format(
                bodies=", ".join(_(_kind_label(kind)) for kind in needed)
            )
        )
    for consultation in consultations:
        lines.append("  " + consultation_line(consultation))
    if nomination.decision_reason and nomination.state in (RETURNED, REJECTED):
        lines.append(_("Reason: {reason}").format(reason=nomination.decision_reason))
    text = "\n".join(lines)
    if not actions:
        return Screen(text, edit=False)
    chain = await review.stops(session, nomination, plan)
    is_last = stop is not None and stop == chain[-1]
    base = f"rv:{nomination.id}:{nomination.version}"
    choices = [
        Choice(
            _("Approve") if is_last else _("Endorse and forward"),
            f"{base}:a",
            aliases=("duyet", "dong y", "approve", "endorse"),
        ),
        Choice(_("Return for changes"), f"{base}:r", aliases=("tra lai", "return")),
        Choice(_("Reject"), f"{base}:x", aliases=("tu choi", "reject")),
        Choice(_("Evidence"), f"{base}:e", aliases=("minh chung", "evidence")),
        Choice(_("History"), f"{base}:h", aliases=("lich su", "history")),
    ]
    if needed and {c.kind for c in consultations} < set(needed):
        choices.append(
            Choice(_("Ask for opinions"), f"{base}:c", aliases=("hoi y kien", "consult"))
        )
    if consulting.unresolved_objections(consultations) and consulting.may_override(nomination):
        label = (
            _("Approve despite the objection") if is_last else _("Forward despite the objection")
        )
        choices.append(Choice(label, f"{base}:v", aliases=("van chuyen", "override")))
    choices.append(Choice(_("Word report"), f"{base}:w", aliases=("bao cao", "report")))
    return Screen(text, rows_of(choices, per_row=2), edit=False)


async def who_is_proposed(session: AsyncSession, nomination: Nomination) -> list[str]:
    """The card's first lines: number and state, plan, field, the nominee, the proposing unit."""
    plan = plan_of(nomination)
    locale = get_locale()
    nominee = nomination.nominee
    home = await session.get(Unit, nomination.unit_id)
    lines = [
        _("Nomination no. {id} — {state}").format(
            id=nomination.id, state=_(STATE_LABELS[nomination.state])
        ),
        _("Plan: {plan}").format(plan=plan_name(plan)),
    ]
    if nomination.category_id and nomination.subject_kind:
        lines.append(
            _("{kind} · {field}").format(
                kind=subject_label(nomination.subject_kind),
                field=plan.category(nomination.category_id).title_for(locale),
            )
        )
    details = [str(nominee.get("name", ""))]
    if nominee.get("sex"):
        details.append(_(SEX_LABELS.get(nominee["sex"], "")))
    for key in ("birth_year", "ethnicity", "position", "head", "members", "home_name", "address"):
        if nominee.get(key):
            details.append(str(nominee[key]))
    lines.append(" · ".join(details))
    lines.append(_("Proposed by {unit}").format(unit=home.name if home else "?"))
    return lines


#: What a reviewer reads beside each criterion: the bot's verdict, in words as well as a mark.
#: A written answer is only measured by the bot; its substance is the reviewer's to judge.
VERDICT_WORDS = {
    Verdict.MET: ("✅", N_("met")),
    Verdict.NOT_MET: ("❌", N_("not met")),
    Verdict.AWAITING_EVIDENCE: ("⏳", N_("proof missing")),
    Verdict.UNANSWERED: ("▫️", N_("not answered")),
}
NEEDS_A_LOOK = ("🔍", N_("needs a look"))


def criteria_lines(
    nomination: Nomination, plan: Plan, found: list[Finding], counts: dict[str, int]
) -> list[str]:
    """Each criterion: its text (short) and article, the answer, the verdict, its files."""
    locale = get_locale()
    criteria = criteria_of(nomination, plan)
    lines: list[str] = []
    for number, finding in enumerate(found, start=1):
        criterion = finding.criterion
        short = shorten(criterion.text_for(locale), 80)
        answer = criterion_answer(nomination, plan, criterion) or "—"
        mark, word = VERDICT_WORDS[finding.verdict]
        if finding.verdict is Verdict.MET and criterion.kind == "text":
            mark, word = NEEDS_A_LOOK
        tail = f"{mark} {_(word)}"
        files = proof_files(criterion, criteria, counts)
        if files:
            tail += " · 📎 " + ngettext("{n} file", "{n} files", files).format(n=files)
        lines.append(f"{number}. {short} ({criterion.cite})")
        lines.append(f"    {answer} → {tail}")
    return lines


def _kind_label(kind: str) -> str:
    from bot.plans.summary import UNIT_KIND_LABELS

    return UNIT_KIND_LABELS.get(kind, kind)


def consultation_line(consultation: Consultation) -> str:
    body = consultation.unit.name if consultation.unit else _(_kind_label(consultation.kind))
    if consultation.status == "unavailable":
        return _("{body}: nobody registered to answer").format(body=body)
    if consultation.status == "pending":
        return _("{body}: asked, no answer yet").format(body=body)
    opinion = _(OPINION_LABELS.get(consultation.opinion or "", consultation.opinion or ""))
    note = f" — {consultation.note}" if consultation.note else ""
    line = f"{body}: {opinion}{note}"
    if consultation.opinion != "disagree":
        return line
    if consultation.overridden_at is None:
        return "⚠️ " + line
    return (
        line
        + " "
        + _("(passed over by the reviewer: {reason})").format(
            reason=consultation.override_reason or ""
        )
    )


#: An outbox row's kind: a reviewer's card, drawn when it is sent (see render_review_card).
REVIEW_CARD = "review_card"


@dataclass(frozen=True)
class ReviewCards:
    """The card, with a first line, for each reviewer in their own language.

    A card reads the nomination's criteria, files, quota, chain and consultations: two thirds
    of a submission's work. Drawn inside the submission's transaction, it held SQLite's one
    write lock as long, and every update behind it waited. So the transaction writes only an
    outbox row per reviewer (a few bytes, and durable: a crash after the commit loses no
    card); the card is drawn when the row is sent, from what is committed then.
    """

    nomination_id: int
    recipients: tuple[int, ...]  # users' ids
    lead: str  # a message id (N_), said first in each reader's language
    today: date
    actions: bool = True  # the decision buttons (not for an administrator told of a gap)
    stranded: str = ""  # the unit where nobody may decide: told to its administrators instead

    @classmethod
    def to(
        cls,
        users: list[User],
        nomination: Nomination,
        today: date,
        lead: str,
        *,
        actions: bool = True,
        stranded: str = "",
    ) -> ReviewCards:
        recipients = tuple(user.id for user in users if user.blocked_at is None)
        return cls(nomination.id, recipients, lead, today, actions, stranded)

    @classmethod
    async def at(
        cls,
        session: AsyncSession,
        nomination: Nomination,
        stop: Stop,
        deciders: list[User],
        today: date,
    ) -> ReviewCards:
        """The card for those who may decide at ``stop``; if nobody may (the proposer is its
        only reviewer, or it has none yet), a card without buttons for the administrators
        above it, who can add a reviewer: the nomination must not wait unseen."""
        if deciders:
            return cls.to(deciders, nomination, today, NEW_FOR_REVIEW)
        admins = await review_chain.admins_over(session, stop.unit)
        return cls.to(
            admins, nomination, today, NOBODY_TO_DECIDE, actions=False, stranded=stop.unit.name
        )

    def messages(self) -> list[Outgoing]:
        payload = {
            "nomination": self.nomination_id,
            "lead": self.lead,
            "today": self.today.isoformat(),
            "actions": self.actions,
        }
        return [
            Outgoing(user_id, REVIEW_CARD, payload, cause="notice:review")
            for user_id in self.recipients
        ]


async def render_review_card(
    session: AsyncSession, payload: dict[str, Any], locale: str
) -> Screen | None:
    """The card as it stands now, or None if the nomination is no longer waiting for anyone."""
    nomination = await session.get(Nomination, int(payload["nomination"]))
    if nomination is None or nomination.state not in IN_REVIEW:
        return None
    with use_locale(locale):
        today = date.fromisoformat(str(payload["today"]))
        actions = bool(payload.get("actions", True))
        screen = await card(session, nomination, today, actions=actions)
        text = f"{_(str(payload['lead']))}\n\n{screen.text}"
        if actions:  # typed numbers answer one's own screens: /review opens this card as one
            text += f"\n{_(NO_BUTTONS)}"
        return Screen(text, screen.rows, edit=False)


NEW_FOR_REVIEW = N_("📥 A nomination is waiting for your review.")
#: Said under a card that came as a notice, as under a consulted body's (bot.dialogs.consulting).
NO_BUTTONS = N_("No buttons on your phone? Type /review.")
NOBODY_TO_DECIDE = N_(
    "⚠️ Nobody may decide on this nomination at its level: its proposer is the only reviewer "
    "registered there (or there is none), and nobody reviews their own nomination. Please "
    "invite another reviewer for that unit (/invite); it will be in their /review queue."
)
