"""Reviewing in chat: cards, the queue, decisions with reasons, consultations, history.

Buttons: ``rv:<nomination>:<version>:<op>`` for reviewers (a approve/endorse, r return,
x reject, e evidence, h history, c consult, o open), ``cs:<consultation>:<op>`` for consulted
bodies (y agree, n disagree, t write an opinion), ``wd:<nomination>:<version>`` to withdraw,
``rq:<page>`` to page the queue. Reasons and opinions come in the next typed message, awaited
through ``users.pending_action``. Messages to other people are rendered in their language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs.plan_names import plan_short
from bot.dialogs.review_cards import (
    ACTION_LABELS,
    NEW_FOR_REVIEW,
    STATE_LABELS,
    ReviewCards,
    card,
    consultation_line,
    locale_of,
)
from bot.dialogs.screen import Choice, Notice, Screen, rows_of
from bot.i18n import N_, _, format_datetime, use_locale
from bot.workflow import consultations as consulting
from bot.workflow import review, review_chain, review_queue
from bot.workflow.actor import Actor
from bot.workflow.lifecycle import UNDER_REVIEW
from bot.workflow.nominations import plan_of
from bot.workflow.text import TooLong, clean_text
from storage.models import Consultation, Evidence, Nomination, User

PAGE = 5
REASON_LIMIT = 1000

REFUSALS = {
    "unknown": N_("There is no such nomination."),
    "not_yours": N_("You cannot act on this nomination: it is not waiting at your level and unit."),
    "reason_needed": N_("A reason is needed."),
    "consultation_pending": N_(
        "The consulted bodies must give their opinion first: press "
        "“Ask for opinions”, then wait for their answers."
    ),
    "already_answered": N_("This opinion was already given."),
}


@dataclass
class Reply:
    screens: list[Screen] = field(default_factory=list)
    toast: str | None = None
    outgoing: list[tuple[int, Screen]] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)  # to other people, after the commit


def refusal_text(problem: review.ReviewRefused) -> str:
    details = problem.details
    if problem.reason in ("stale", "moved_on"):
        when = format_datetime(details["at"]) if details.get("at") else ""
        state = _(STATE_LABELS.get(details.get("state", ""), "?"))
        if details.get("by"):
            return _(
                "Already decided by {name} at {when}: now {state}. Nothing was changed."
            ).format(name=details["by"], when=when, state=state)
        return _("This card is out of date: the nomination is now {state}.").format(state=state)
    if problem.reason == "quota_full":
        return _(
            "Not sent on: {unit} may forward at most {max} ({cite}), and {count} already "
            "went beyond this level."
        ).format(**details)
    return _(REFUSALS.get(problem.reason, problem.reason))


def refused(problem: review.ReviewRefused) -> Reply:
    """Said twice on purpose: in the chat, and on the button as a toast."""
    text = refusal_text(problem)
    return Reply([Screen(text, edit=False)], toast=text)


# --- entry points ---------------------------------------------------------------------------


async def after_submit(session: AsyncSession, nomination: Nomination, today: date) -> ReviewCards:
    """Place a fresh submission in the chain; the first level's reviewers are told after."""
    _stop, reviewers = await review.enter_chain(session, nomination)
    return ReviewCards.to(reviewers, nomination, today, NEW_FOR_REVIEW)


async def show_queue(
    session: AsyncSession, actor: Actor, today: date, page: int = 0, filters: str = ""
) -> Reply:
    plan_id = category_id = unit_code = None
    for word in filters.split():
        if word.startswith("plan="):
            plan_id = word[5:]
        elif word.startswith("field="):
            category_id = word[6:]
        elif word.startswith("unit="):
            unit_code = word[5:]
    waiting = await review_queue.queue(
        session, actor, plan_id=plan_id, category_id=category_id, unit_code=unit_code
    )
    if not waiting:
        return Reply([Screen(_("Nothing is waiting for your review."), edit=False)])
    pages = -(-len(waiting) // PAGE)
    page = min(max(page, 0), pages - 1)
    lines = [
        _("Waiting for your review: {count} (oldest first), page {page}/{pages}").format(
            count=len(waiting), page=page + 1, pages=pages
        )
    ]
    choices: list[Choice] = []
    for number, nomination in enumerate(waiting[page * PAGE : (page + 1) * PAGE], start=1):
        plan = plan_of(nomination)
        when = format_datetime(nomination.submitted_at) if nomination.submitted_at else ""
        lines.append(
            f"{number}. #{nomination.id} {nomination.nominee.get('name', '')} — "
            f"{plan_short(plan)} — {when}"
        )
        choices.append(
            Choice(
                _("Open {number}").format(number=number),
                f"rv:{nomination.id}:{nomination.version}:o",
            )
        )
    nav = []
    if page > 0:
        nav.append(Choice(_("◀ Previous"), f"rq:{page - 1}", numbered=False))
    if page + 1 < pages:
        nav.append(Choice(_("Next ▶"), f"rq:{page + 1}", numbered=False))
    lines.append(_("Filter: /review plan=ID field=ID unit=CODE"))
    rows = (*rows_of(choices, per_row=2), tuple(nav)) if nav else rows_of(choices, per_row=2)
    return Reply([Screen("\n".join(lines), rows, edit=False)])


async def pressed(
    session: AsyncSession,
    actor: Actor,
    user: User,
    nomination_id: int,
    version: int,
    op: str,
    today: date,
) -> Reply:
    nomination = await session.get(Nomination, nomination_id)
    if nomination is None or not await review_chain.may_see(session, actor, nomination):
        return await _refuse_forged(session, actor, nomination_id, op)
    if op == "h":
        return Reply([await history_screen(session, nomination)])
    if op == "e":
        return Reply([await evidence_screen(session, nomination)])
    if op == "o":
        actions = await review_chain.may_review(session, actor, nomination)
        return Reply([await card(session, nomination, today, actions=actions)])
    if op == "c":
        return await consult(session, actor, nomination_id, today)
    if version != nomination.version:
        problem = review.ReviewRefused("stale", **await review.last_decision(session, nomination))
        return refused(problem)
    if op in ("r", "x"):
        try:
            await review.load_for_decision(session, actor, nomination_id, op)
        except review.ReviewRefused as problem:
            return refused(problem)
        user.pending_action = {
            "op": "return" if op == "r" else "reject",
            "nomination": nomination_id,
            "version": version,
        }
        ask = (
            _("Why is it returned? Type the reason in your next message (or /cancel).")
            if op == "r"
            else _("Why is it rejected? Type the reason in your next message (or /cancel).")
        )
        return Reply([Screen(ask, edit=False)])
    if op == "a":
        plan = plan_of(nomination)
        chain = await review.stops(session, nomination, plan)
        last = chain and chain[-1].index == nomination.level_index
        return await decide(
            session,
            actor,
            nomination_id,
            version,
            review.APPROVE if last else review.ENDORSE,
            None,
            today,
        )
    return Reply(toast=_("This button no longer works. Type /help to start again."))


async def _refuse_forged(session: AsyncSession, actor: Actor, nomination_id: int, op: str) -> Reply:
    try:
        await review.load_for_decision(session, actor, nomination_id, op)
    except review.ReviewRefused as problem:
        return refused(problem)
    return Reply(toast=refusal_text(review.ReviewRefused("not_yours")))


async def decide(
    session: AsyncSession,
    actor: Actor,
    nomination_id: int,
    version: int,
    decision: str,
    reason: str | None,
    today: date,
) -> Reply:
    try:
        outcome = await review.decide(session, actor, nomination_id, version, decision, reason)
    except review.ReviewRefused as problem:
        return refused(problem)
    nomination = outcome.nomination
    done = {
        review.ENDORSE: _("Endorsed and forwarded to {unit}."),
        review.APPROVE: _("Approved."),
        review.RETURN: _("Returned to the proposer with your reason."),
        review.REJECT: _("Rejected; the proposer is told your reason."),
    }[decision].format(unit=outcome.next_stop.unit.name if outcome.next_stop else "")
    reply = Reply([Screen(done, edit=False)], toast=done)
    reply.outgoing += await _tell_proposer(session, nomination, decision, reason, actor)
    if outcome.to_state == UNDER_REVIEW:
        reply.notices.append(ReviewCards.to(outcome.notify, nomination, today, NEW_FOR_REVIEW))
    return reply


async def _tell_proposer(
    session: AsyncSession, nomination: Nomination, decision: str, reason: str | None, actor: Actor
) -> list[tuple[int, Screen]]:
    proposer = await session.get(User, nomination.proposer_id)
    reviewer = await session.get(User, actor.user_id)
    if proposer is None or proposer.blocked_at is not None:
        return []
    with use_locale(locale_of(proposer)):
        name = nomination.nominee.get("name", "")
        by = reviewer.full_name if reviewer else ""
        texts = {
            review.ENDORSE: _(
                "Good news: the nomination of {name} (no. {id}) was endorsed by "
                "{by} and sent on to the next level."
            ),
            review.APPROVE: _("The nomination of {name} (no. {id}) was approved by {by}."),
            review.RETURN: _(
                "The nomination of {name} (no. {id}) was returned by {by} for "
                "changes. Reason: {reason}\nOpen it with /drafts, correct it and "
                "send it again."
            ),
            review.REJECT: _(
                "The nomination of {name} (no. {id}) was rejected by {by}. Reason: {reason}"
            ),
        }
        text = texts[decision].format(name=name, id=nomination.id, by=by, reason=reason or "")
        rows = ()
        if decision == review.RETURN:
            rows = rows_of([Choice(_("Open the draft"), f"dr:o:{nomination.id}")])
        return [(proposer.telegram_id, Screen(text, rows, edit=False))]


async def typed_reason(
    session: AsyncSession, actor: Actor, user: User, text: str, today: date
) -> Reply:
    """The message after "Return"/"Reject" or "Write an opinion"."""
    pending = user.pending_action or {}
    try:
        reason = clean_text(text, REASON_LIMIT)
    except TooLong as problem:
        return Reply(
            [
                Screen(
                    _(
                        "That is too long: at most {limit} characters (you sent "
                        "{length}). Please shorten it."
                    ).format(limit=problem.limit, length=problem.length),
                    edit=False,
                )
            ]
        )
    if len(reason) < 3:
        return Reply([Screen(_("Please write the reason in a few words."), edit=False)])
    user.pending_action = None
    if pending.get("op") == "opinion":
        return await give_opinion(
            session, actor, int(pending["consultation"]), "note", reason, today
        )
    decision = review.RETURN if pending.get("op") == "return" else review.REJECT
    return await decide(
        session, actor, int(pending["nomination"]), int(pending["version"]), decision, reason, today
    )


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


async def withdraw(session: AsyncSession, actor: Actor, nomination_id: int, version: int) -> Reply:
    try:
        nomination = await review.withdraw(session, actor, nomination_id, version)
    except review.ReviewRefused as problem:
        return Reply([Screen(refusal_text(problem), edit=False)])
    return Reply(
        [
            Screen(
                _("The nomination of {name} (no. {id}) is withdrawn.").format(
                    name=nomination.nominee.get("name", ""), id=nomination.id
                ),
                edit=False,
            )
        ]
    )


async def mine(session: AsyncSession, actor: Actor) -> Reply:
    """The proposer's own nominations with their states; those in review can be withdrawn."""
    rows = (
        await session.scalars(
            select(Nomination)
            .where(Nomination.proposer_id == actor.user_id, Nomination.state != "draft")
            .order_by(Nomination.id)
        )
    ).all()
    if not rows:
        return Reply([Screen(_("You have not sent any nomination yet."), edit=False)])
    lines = [_("Your nominations:")]
    choices: list[Choice] = []
    for nomination in rows:
        lines.append(
            f"#{nomination.id} {nomination.nominee.get('name', '')} — "
            f"{_(STATE_LABELS[nomination.state])}"
        )
        if nomination.state in ("submitted", "under_review", "returned"):
            choices.append(
                Choice(
                    _("Withdraw #{id}").format(id=nomination.id),
                    f"wd:{nomination.id}:{nomination.version}",
                    numbered=False,
                )
            )
    lines.append(_("History of one: /history NUMBER"))
    return Reply([Screen("\n".join(lines), rows_of(choices, per_row=2), edit=False)])


async def history_screen(session: AsyncSession, nomination: Nomination) -> Screen:
    lines = [_("History of nomination no. {id}:").format(id=nomination.id)]
    for entry, user in await review_queue.history(session, nomination):
        who = user.full_name if user else _("system")
        what = _(ACTION_LABELS.get(entry.action, entry.action))
        line = f"{format_datetime(entry.at)} — {who}: {what}"
        if entry.to_state:
            line += f" → {_(STATE_LABELS.get(entry.to_state, entry.to_state))}"
        if entry.reason:
            line += " — " + _("reason: {reason}").format(reason=entry.reason)
        lines.append(line)
    return Screen("\n".join(lines), edit=False)


async def history_command(session: AsyncSession, actor: Actor, argument: str) -> Reply:
    if not argument.strip().lstrip("#").isdigit():
        return Reply(
            [
                Screen(
                    _("Type /history followed by the nomination number, e.g. /history 12."),
                    edit=False,
                )
            ]
        )
    nomination = await session.get(Nomination, int(argument.strip().lstrip("#")))
    if nomination is None or not await review_chain.may_see(session, actor, nomination):
        return Reply([Screen(_(REFUSALS.get("unknown", "")), edit=False)])
    return Reply([await history_screen(session, nomination)])


async def evidence_screen(session: AsyncSession, nomination: Nomination) -> Screen:
    items = (
        await session.scalars(
            select(Evidence).where(Evidence.nomination_id == nomination.id).order_by(Evidence.id)
        )
    ).all()
    if not items:
        return Screen(_("No evidence files were sent with this nomination."), edit=False)
    text = _("Evidence of nomination no. {id}: {count} file(s), sent below.").format(
        id=nomination.id, count=len(items)
    )
    return Screen(text, edit=False, files=tuple((item.kind, item.file_id) for item in items))
