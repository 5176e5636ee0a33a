"""Consulted bodies in chat: asking for their opinion, and giving it (typed or tapped)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs.review_cards import (
    card,
    consultation_line,
    locale_of,
)
from bot.dialogs.review_replies import REFUSALS, Reply, refusal_text
from bot.dialogs.screen import Choice, Screen, rows_of
from bot.i18n import _, use_locale
from bot.workflow import consultations as consulting
from bot.workflow import review
from bot.workflow.actor import Actor
from storage.models import Consultation, User


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
                screen = await card(session, nomination, today, actions=False)
                base = f"cs:{consultation.id}"
                choices = [
                    Choice(_("Agree"), f"{base}:y", aliases=("dong y", "agree")),
                    Choice(_("Disagree"), f"{base}:n", aliases=("khong dong y", "disagree")),
                    Choice(_("Write an opinion"), f"{base}:t", aliases=("y kien", "write")),
                ]
                text = _("🗳 Your opinion is asked on this nomination:") + "\n\n" + screen.text
                reply.outgoing.append(
                    (person.telegram_id, Screen(text, rows_of(choices), edit=False))
                )
    reply.screens.append(Screen("\n".join(lines), edit=False))
    return reply


async def opinion_pressed(
    session: AsyncSession, actor: Actor, user: User, consultation_id: int, op: str, today: date
) -> Reply:
    if op == "t":
        consultation = await session.get(Consultation, consultation_id)
        if consultation is None or not consulting.may_answer(actor, consultation):
            return Reply([Screen(_(REFUSALS.get("not_yours", "")), edit=False)])
        user.pending_action = {"op": "opinion", "consultation": consultation_id}
        return Reply(
            [Screen(_("Type your opinion in your next message (or /cancel)."), edit=False)]
        )
    return await give_opinion(
        session, actor, consultation_id, "agree" if op == "y" else "disagree", None, today
    )


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
            screen = await card(session, nomination, today, actions=True)
            reply.outgoing.append(
                (asker.telegram_id, Screen(f"{head}\n\n{screen.text}", screen.rows, edit=False))
            )
    return reply
