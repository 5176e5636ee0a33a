"""What a proposer and a reviewer look back on: own nominations, history, evidence."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs.review_cards import (
    ACTION_LABELS,
    STATE_LABELS,
)
from bot.dialogs.review_replies import REFUSALS, Reply
from bot.dialogs.screen import Choice, Screen, rows_of
from bot.i18n import _, format_datetime, get_locale
from bot.reports.achievement import context_of
from bot.workflow import review_chain, review_queue
from bot.workflow.actor import Actor
from bot.workflow.nominations import plan_of
from bot.workflow.text import shorten
from storage.models import Evidence, Nomination


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
    view = await review_chain.view_of(session, actor, nomination) if nomination else None
    if nomination is None or view not in review_chain.SEES_WHOLE:  # a consulted body: none
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
    return Screen(
        text,
        edit=False,
        files=tuple((item.kind, item.file_id) for item in items),
        captions=tuple(evidence_caption(nomination, item) for item in items),
    )


def evidence_caption(nomination: Nomination, item: Evidence) -> str:
    """Whose file it is and what it proves: files arrive one by one, far from the card."""
    plan = plan_of(nomination)
    if item.criterion_id is None:
        what = _("the achievements")
    else:
        try:
            criterion = plan.criterion(item.criterion_id)
        except KeyError:  # a criterion a later version of the plan dropped
            what = item.criterion_id
        else:
            what = f"{shorten(criterion.text_for(get_locale()), 90)} ({criterion.cite})"
    return _("No. {id} · {name} — proof of: {what}").format(
        id=nomination.id, name=nomination.nominee.get("name", ""), what=what
    )


async def achievement_report(
    session: AsyncSession, actor: Actor, nomination: Nomination, today: date
) -> tuple[Reply, dict[str, object] | None]:
    """The Word report's text and its template's context (the caller renders and sends it);
    for those who see the whole nomination, sensitive fields only for its review chain."""
    view = await review_chain.view_of(session, actor, nomination)
    if view not in review_chain.SEES_WHOLE:  # a consulted body is told why; a stranger, nothing
        refusal = REFUSALS["not_shown"] if view == review_chain.CONSULTED else REFUSALS["unknown"]
        return Reply([Screen(_(refusal), edit=False)]), None
    sensitive = view == review_chain.CHAIN
    context = await context_of(session, nomination, today, sensitive=sensitive)
    text = _("📄 Achievement report of {name} (no. {id}), from the plan's form.").format(
        name=nomination.nominee.get("name", ""), id=nomination.id
    )
    return Reply([Screen(text, edit=False)]), context
