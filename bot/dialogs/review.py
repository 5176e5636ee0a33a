"""Reviewing in chat: the queue, a pressed card, decisions with reasons, withdrawal.

Buttons: ``rv:<nomination>:<version>:<op>`` for reviewers (a approve/endorse, r return,
x reject, v forward over an objection, e evidence, h history, c consult, o open),
``cs:<consultation>:<op>`` for consulted bodies (y agree, n object, t write an opinion,
e evidence), ``wd:<nomination>:<version>`` to withdraw, ``rq:<page>`` to page the queue.
Reasons and opinions come in the next typed message, awaited
through ``users.pending_action``. Messages to other people are rendered in their language.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs.consulting import consult, consultee_card, give_opinion
from bot.dialogs.plan_names import plan_short
from bot.dialogs.review_cards import (
    NEW_FOR_REVIEW,
    ReviewCards,
    card,
    locale_of,
)
from bot.dialogs.review_history import evidence_screen, history_screen
from bot.dialogs.review_replies import REFUSALS, Reply, refusal_text, refused
from bot.dialogs.screen import Choice, Screen, page_within, rows_of
from bot.i18n import N_, _, format_datetime, use_locale
from bot.workflow import consultations, review, review_chain, review_queue
from bot.workflow.actor import Actor
from bot.workflow.lifecycle import UNDER_REVIEW
from bot.workflow.nominations import plan_of
from bot.workflow.text import TooLong, clean_text
from storage.models import Nomination, User

PAGE = 5
REASON_LIMIT = 1000


# --- entry points ---------------------------------------------------------------------------


async def after_submit(session: AsyncSession, nomination: Nomination, today: date) -> ReviewCards:
    """Place a fresh submission in the chain; the first level's reviewers are told after."""
    stop, deciders = await review.enter_chain(session, nomination)
    if stop is None:
        return ReviewCards.to([], nomination, today, NEW_FOR_REVIEW)
    return await ReviewCards.at(session, nomination, stop, deciders, today)


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
    page, pages = page_within(len(waiting), PAGE, page)
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
    view = await review_chain.view_of(session, actor, nomination) if nomination else None
    if nomination is None or view is None:
        return await _refuse_forged(session, actor, nomination_id, op)
    if view == review_chain.CONSULTED:  # a consulted body: its own card, nothing more
        if op != "o":
            return Reply([Screen(_(REFUSALS["not_shown"]), edit=False)])
        return Reply([await consultee_card(session, nomination, None, today)])
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
    if op in ASKS:
        try:
            await review.load_for_decision(session, actor, nomination_id, op)
        except review.ReviewRefused as problem:
            return refused(problem)
        if op == "v" and not consultations.may_override(nomination):
            return refused(review.ReviewRefused("no_override"))
        pending, ask = ASKS[op]
        user.pending_action = {"op": pending, "nomination": nomination_id, "version": version}
        return Reply([Screen(_(ask), edit=False)])
    if op == "a":
        decision = await _forward_or_approve(session, nomination)
        return await decide(session, actor, nomination_id, version, decision, None, today)
    return Reply(toast=_("This button no longer works. Type /help to start again."))


#: Buttons whose decision waits for a typed reason: the pending action and the question.
ASKS = {
    "r": ("return", N_("Why is it returned? Type the reason in your next message (or /cancel).")),
    "x": ("reject", N_("Why is it rejected? Type the reason in your next message (or /cancel).")),
    "v": (
        "override",
        N_(
            "Why does it go on despite the objection? Type the reason in your next message "
            "(or /cancel): it is recorded, and the next level sees it."
        ),
    ),
}


async def _forward_or_approve(session: AsyncSession, nomination: Nomination) -> str:
    chain = await review.stops(session, nomination, plan_of(nomination))
    last = chain and chain[-1].index == nomination.level_index
    return review.APPROVE if last else review.ENDORSE


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
    *,
    override: bool = False,
) -> Reply:
    try:
        outcome = await review.decide(
            session, actor, nomination_id, version, decision, reason, override=override
        )
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
    if outcome.to_state == UNDER_REVIEW and outcome.next_stop is not None:
        notice = await ReviewCards.at(session, nomination, outcome.next_stop, outcome.notify, today)
        reply.notices.append(notice)
        reply.screens += stranded_screens(notice)
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
    op = pending.get("op")
    if op in ("opinion", "objection"):
        opinion = "note" if op == "opinion" else "disagree"
        return await give_opinion(
            session, actor, int(pending["consultation"]), opinion, reason, today
        )
    nomination_id, version = int(pending["nomination"]), int(pending["version"])
    if op == "override":
        nomination = await session.get(Nomination, nomination_id)
        if nomination is None:
            return refused(review.ReviewRefused("unknown"))
        decision = await _forward_or_approve(session, nomination)
        return await decide(
            session, actor, nomination_id, version, decision, reason, today, override=True
        )
    decision = review.RETURN if op == "return" else review.REJECT
    return await decide(session, actor, nomination_id, version, decision, reason, today)


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


def stranded_screens(notice: ReviewCards) -> list[Screen]:
    """Said to whoever sent a nomination to a level where nobody may decide on it."""
    if not notice.stranded:
        return []
    if notice.recipients:
        text = _(
            "Nobody else may decide on it at {unit} yet (no one decides on their own "
            "nomination): its administrators are told to add a reviewer there. It waits "
            "in the queue until then."
        ).format(unit=notice.stranded)
    else:
        text = _(
            "Nobody else may decide on it at {unit} yet (no one decides on their own "
            "nomination). Please ask your administrator to add a reviewer there; it waits in the "
            "queue until then."
        ).format(unit=notice.stranded)
    return [Screen(text, edit=False)]
