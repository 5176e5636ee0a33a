"""Consulted bodies in chat: asking for their opinion, and giving it (typed or tapped).

A body sees what its plan shows it (``consult_shows``): who is proposed, by which unit, in
what field, and by default the achievements; the criteria's answers and the evidence files only
where the plan says so. The history, the quota and the other bodies' opinions stay with the
reviewers.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs.nomination.steps import criteria_of
from bot.dialogs.review_cards import (
    card,
    consultation_line,
    criteria_lines,
    locale_of,
    who_is_proposed,
)
from bot.dialogs.review_history import evidence_screen
from bot.dialogs.review_replies import REFUSALS, Reply, refusal_text
from bot.dialogs.screen import Choice, Screen, rows_of
from bot.i18n import N_, _, format_datetime, use_locale
from bot.workflow import consultations as consulting
from bot.workflow import review
from bot.workflow.actor import Actor
from bot.workflow.criteria import findings
from bot.workflow.nominations import evidence_counts, plan_of
from bot.workflow.roles import CONSULTEE
from storage.models import Consultation, Nomination, User

ASKED = N_("🗳 Your opinion is asked on this nomination:")
#: Said under a card that came as a notice: typing its answers works after /opinions.
NO_BUTTONS = N_("No buttons on your phone? Type /opinions.")
PAGE = 10
#: An outbox row's kind: a body that has not answered is reminded (see render_consult_reminder).
CONSULT_REMINDER = "consult_reminder"


def shows(nomination: Nomination) -> tuple[str, ...]:
    """What the plan shows the consulted bodies of this nomination."""
    if not nomination.category_id:
        return ()
    return tuple(plan_of(nomination).category(nomination.category_id).consult_shows)


async def consultee_card(
    session: AsyncSession, nomination: Nomination, consultation: Consultation | None, today: date
) -> Screen:
    """The nomination as a consulted body sees it, with its answer buttons while it may
    answer (the nomination still waits in the round it was asked in)."""
    plan = plan_of(nomination)
    parts = shows(nomination)
    lines = await who_is_proposed(session, nomination)
    if "achievements" in parts and nomination.achievements:
        lines.append(_("Achievements: {text}").format(text=nomination.achievements[:500]))
    counts = await evidence_counts(session, nomination.id)
    if "criteria" in parts:
        found = findings(criteria_of(nomination, plan), nomination.answers, counts, today)
        lines += criteria_lines(nomination, plan, found, counts)
    if "evidence" in parts:
        lines.append(_("Evidence: {count} file(s)").format(count=sum(counts.values())))
    category = plan.category(nomination.category_id) if nomination.category_id else None
    if category is not None and category.consult_cite:
        lines.append(_("Asked for under: {cite}").format(cite=category.consult_cite))
    if consultation is None:
        return Screen("\n".join(lines), edit=False)
    if consultation.status == "answered":
        lines.append(_("Your answer: {line}").format(line=consultation_line(consultation)))
    if not consulting.still_open(consultation, nomination):
        return Screen("\n".join(lines), edit=False)
    base = f"cs:{consultation.id}"
    choices = [
        Choice(_("Agree"), f"{base}:y", aliases=("dong y", "agree")),
        Choice(_("Object"), f"{base}:n", aliases=("phan doi", "khong dong y", "object")),
        Choice(_("Write an opinion"), f"{base}:t", aliases=("y kien", "write")),
    ]
    if "evidence" in parts and sum(counts.values()):
        choices.append(Choice(_("Evidence"), f"{base}:e", aliases=("minh chung", "evidence")))
    return Screen("\n".join(lines), rows_of(choices), edit=False)


async def consult(session: AsyncSession, actor: Actor, nomination_id: int, today: date) -> Reply:
    try:
        nomination, created = await consulting.request_consultations(session, actor, nomination_id)
    except review.ReviewRefused as problem:
        return Reply([Screen(refusal_text(problem), edit=False)])
    reply = Reply()
    lines = [_("Opinions asked:")]
    for consultation, users in created:
        lines.append("  " + consultation_line(consultation))
        for person in users:
            with use_locale(locale_of(person)):
                screen = await consultee_card(session, nomination, consultation, today)
                text = f"{_(ASKED)}\n\n{screen.text}\n{_(NO_BUTTONS)}"
                reply.outgoing.append((person.telegram_id, Screen(text, screen.rows, edit=False)))
    reply.screens.append(Screen("\n".join(lines), edit=False))
    return reply


async def opinions(session: AsyncSession, actor: Actor) -> Reply:
    """/opinions: the nominations this person's body is asked about, to open and answer by
    typing (a card that came as a notice has buttons only where the channel has them)."""
    if not actor.has(CONSULTEE):
        return Reply(
            [
                Screen(
                    _("/opinions is for consulted bodies (the commune police, the Front…)."),
                    edit=False,
                )
            ]
        )
    asked = await consulting.asked_of(session, actor)
    if not asked:
        return Reply([Screen(_("Nobody is waiting for your opinion."), edit=False)])
    lines = [_("Nominations asking your opinion (unanswered first):")]
    choices: list[Choice] = []
    for number, (consultation, nomination) in enumerate(asked[:PAGE], start=1):
        state = (
            _("not answered yet")
            if consultation.status == "pending"
            else consultation_line(consultation)
        )
        lines.append(f"{number}. #{nomination.id} {nomination.nominee.get('name', '')} — {state}")
        choices.append(Choice(_("Open {number}").format(number=number), f"cs:{consultation.id}:o"))
    if len(asked) > PAGE:
        lines.append(_("…and {count} more: answer these first.").format(count=len(asked) - PAGE))
    return Reply([Screen("\n".join(lines), rows_of(choices, per_row=2), edit=False)])


async def opinion_pressed(
    session: AsyncSession, actor: Actor, user: User, consultation_id: int, op: str, today: date
) -> Reply:
    """y agree; n object and t write an opinion (both typed next); e the evidence files;
    o open the card (from /opinions)."""
    if op == "y":
        return await give_opinion(session, actor, consultation_id, "agree", None, today)
    consultation = await session.get(Consultation, consultation_id)
    if consultation is None or not consulting.may_answer(actor, consultation):
        return Reply([Screen(_(REFUSALS["not_yours"]), edit=False)])
    if op == "o":
        nomination = await session.get(Nomination, consultation.nomination_id)
        assert nomination is not None
        return Reply([await consultee_card(session, nomination, consultation, today)])
    if op == "e":
        nomination = await session.get(Nomination, consultation.nomination_id)
        assert nomination is not None
        if "evidence" not in shows(nomination):
            return Reply([Screen(_(REFUSALS["not_shown"]), edit=False)])
        return Reply([await evidence_screen(session, nomination)])
    user.pending_action = {
        "op": "objection" if op == "n" else "opinion",
        "consultation": consultation_id,
    }
    ask = (
        _("Why do you object? Type the reason in your next message (or /cancel).")
        if op == "n"
        else _("Type your opinion in your next message (or /cancel).")
    )
    return Reply([Screen(ask, edit=False)])


async def give_opinion(
    session: AsyncSession,
    actor: Actor,
    consultation_id: int,
    opinion: str,
    note: str | None,
    today: date,
) -> Reply:
    try:
        consultation, nomination = await consulting.answer_consultation(
            session, actor, consultation_id, opinion, note
        )
    except review.ReviewRefused as problem:
        return Reply([Screen(refusal_text(problem), edit=False)])
    reply = Reply([Screen(_("Thank you: your opinion is attached to the nomination."), edit=False)])
    asker = await session.get(User, consultation.requested_by)
    if asker is not None and asker.blocked_at is None:
        with use_locale(locale_of(asker)):
            head = _("An opinion arrived: {line}").format(line=consultation_line(consultation))
            if opinion == "disagree":
                head += "\n" + _(
                    "While this objection stands the nomination cannot go on from your level."
                )
            screen = await card(session, nomination, today, actions=True)
            reply.outgoing.append(
                (asker.telegram_id, Screen(f"{head}\n\n{screen.text}", screen.rows, edit=False))
            )
    return reply


async def render_consult_reminder(
    session: AsyncSession, payload: dict[str, Any], locale: str, today: date
) -> Screen | None:
    """The reminder as things stand when it goes out; None once it was answered meanwhile."""
    consultation = await session.get(Consultation, int(payload["consultation"]))
    if consultation is None or consultation.status != "pending":
        return None
    nomination = await session.get(Nomination, consultation.nomination_id)
    if nomination is None or not consulting.still_open(consultation, nomination):
        return None
    with use_locale(locale):
        screen = await consultee_card(session, nomination, consultation, today)
        head = _("⏰ Reminder: your opinion on this nomination was asked on {day}.").format(
            day=format_datetime(consultation.requested_at)
        )
        text = f"{head}\n{_(ASKED)}\n\n{screen.text}\n{_(NO_BUTTONS)}"
        return Screen(text, screen.rows, edit=False)
