"""A reminder as its reader sees it, drawn when it is sent: what is owed, by when, how far.

It is drawn from the database at the moment it goes out (a reminder that waited for the
morning says how many days are left that morning), and not at all if the reader's unit has
caught up in the meantime. Every button has a typed command beside it, for channels without
buttons; the buttons carry no number, since a number typed later answers the reader's open
dialog, not a reminder that came in between.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Final

from babel.dates import format_timedelta
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs.screen import MAX_CALLBACK_BYTES, Choice, Screen, rows_of
from bot.i18n import _, format_date, get_locale, ngettext, use_locale
from bot.plans.schema import Deadline, Plan
from bot.workflow.collation import vi_sorted
from bot.workflow.deadlines import (
    BEFORE,
    BELOW_QUOTA,
    DRAFTS,
    QUEUE,
    Planned,
    Standing,
    people_to_remind,
    standing,
)
from bot.workflow.plans import find_version, parsed
from bot.workflow.quotas import QuotaLine
from bot.workflow.units import units_by_id
from storage.models import Unit, User

#: The outbox kind of a reminder (bot.outbox.render draws it with ``render_reminder``).
REMINDER: Final = "reminder"

#: Buttons that do what a typed command does (bot.handlers.shortcuts).
OPEN_DRAFTS: Final = "go:drafts"
PROPOSE: Final = "go:propose"
OPEN_QUEUE: Final = "go:review"


def payload_of(planned: Planned) -> dict[str, Any]:
    occurrence = planned.occurrence
    return {
        "plan": occurrence.plan.id,
        "deadline": occurrence.deadline.id,
        "day": occurrence.day.isoformat(),
        "unit": planned.unit.id,
        "kind": planned.kind,
        "offset": planned.offset,
        "behind": [state.unit.id for state in planned.behind],
    }


async def render_reminder(
    session: AsyncSession, payload: dict[str, Any], reader: User, locale: str, today: date
) -> Screen | None:
    """The reminder as things stand ``today``; None if there is nothing left to remind of."""
    version = await find_version(session, str(payload["plan"]))
    if version is None:
        return None
    plan = parsed(version)
    try:
        deadline = plan.deadline(str(payload["deadline"]))
    except KeyError:  # the plan was changed and the deadline is gone
        return None
    day = date.fromisoformat(str(payload["day"]))
    with use_locale(locale):
        if payload["kind"] == BEFORE:
            unit = await session.get(Unit, int(payload["unit"]))
            if unit is None:
                return None
            state = await standing(session, plan, deadline, unit, today)
            reasons = dict(
                (u.id, why) for u, why in await people_to_remind(session, deadline.stage, state)
            )
            if reader.id not in reasons:
                return None
            return before_screen(plan, deadline, day, today, state, reader.id, reasons[reader.id])
        units = await units_by_id(session, [int(i) for i in payload.get("behind", [])])
        behind = []
        for unit in units.values():
            state = await standing(session, plan, deadline, unit, today)
            if state.behind(deadline.stage):
                behind.append(state)
        if not behind:
            return None
        return overdue_screen(plan, deadline, day, vi_sorted(behind, key=lambda s: s.unit.name))


def _heading(plan: Plan, deadline: Deadline, day: date, today: date) -> list[str]:
    locale = get_locale()
    left = (day - today).days
    if left > 0:
        span = format_timedelta(
            timedelta(days=left), granularity="day", threshold=1000, locale=locale
        )
        when = _("Due {date} ({left} left)").format(date=format_date(day), left=span)
    elif left == 0:
        when = _("Due today, {date}").format(date=format_date(day))
    else:
        when = _("Was due {date}").format(date=format_date(day))
    return [
        _("⏰ Reminder: {what}").format(what=deadline.title),
        _("Plan: {title}").format(title=plan.title_for(locale)),
        when,
    ]


def quota_line(line: QuotaLine) -> str:
    """A quota the unit has not reached, as "3/10 sent, 7 still missing"."""
    missing = max(line.quota.min - line.count, 0)
    return _("{count}/{min} sent, {missing} still missing").format(
        count=line.count, min=line.quota.min, missing=missing
    )


def _quota_lines(plan: Plan, state: Standing) -> list[str]:
    locale = get_locale()
    lines = []
    for line in state.short:
        text = quota_line(line)
        if line.quota.category is not None:
            field = plan.category(line.quota.category).title_for(locale)
            text = f"{field}: {text}"
        lines.append(f"• {state.unit.name}: {text}")
    return lines


def before_screen(
    plan: Plan,
    deadline: Deadline,
    day: date,
    today: date,
    state: Standing,
    reader_id: int,
    reasons: tuple[str, ...],
) -> Screen:
    lines = _heading(plan, deadline, day, today)
    choices: list[Choice] = []
    if BELOW_QUOTA in reasons:
        lines += ["", _("Your unit is below what the plan asks:"), *_quota_lines(plan, state)]
        choices.append(Choice(_("Propose someone"), propose_action(plan.id), numbered=False))
    if DRAFTS in reasons:
        drafts = state.drafts.get(reader_id, 0)
        lines += [
            "",
            ngettext(
                "You have {n} draft not sent yet.", "You have {n} drafts not sent yet.", drafts
            ).format(n=drafts),
        ]
        choices.insert(0, Choice(_("Open my drafts"), OPEN_DRAFTS, numbered=False))
    if QUEUE in reasons:
        waiting = state.waiting.get(reader_id, 0)
        lines += [
            "",
            ngettext(
                "{n} nomination is waiting for your review.",
                "{n} nominations are waiting for your review.",
                waiting,
            ).format(n=waiting),
        ]
        choices.append(Choice(_("Open the review queue"), OPEN_QUEUE, numbered=False))
    lines += ["", _typed_hint(choices)]
    return Screen("\n".join(lines), rows_of(choices), edit=False)


def propose_action(plan_id: str) -> str:
    """The propose button's data: into this plan, if its id fits Telegram's 64 bytes."""
    action = f"{PROPOSE}:{plan_id}"
    return action if len(action.encode()) <= MAX_CALLBACK_BYTES else PROPOSE


def _typed_hint(choices: list[Choice]) -> str:
    typed = ", ".join(_command_for(c.action) for c in choices)
    return _("Press a button below, or type {commands}.").format(commands=typed)


def _command_for(action: str) -> str:
    """The typed command that does what a reminder's button does."""
    if action.startswith(PROPOSE):
        return "/propose"
    return {OPEN_DRAFTS: "/drafts", OPEN_QUEUE: "/review"}[action]


def overdue_screen(plan: Plan, deadline: Deadline, day: date, behind: list[Standing]) -> Screen:
    locale = get_locale()
    lines = [
        _("⚠️ Deadline passed: {what}").format(what=deadline.title),
        _("Plan: {title}").format(title=plan.title_for(locale)),
        _("Was due {date}").format(date=format_date(day)),
        "",
        ngettext("{n} unit is still behind:", "{n} units are still behind:", len(behind)).format(
            n=len(behind)
        ),
    ]
    lines += [f"• {state.unit.name}: {_behind(state)}" for state in behind]
    return Screen("\n".join(lines), edit=False)


def _behind(state: Standing) -> str:
    """How far a unit is behind, in a few words: its quotas, drafts and queue."""
    parts = [quota_line(line) for line in state.short]
    drafts = sum(state.drafts.values())
    if drafts:
        parts.append(ngettext("{n} draft not sent", "{n} drafts not sent", drafts).format(n=drafts))
    waiting = max(state.waiting.values(), default=0)
    if waiting:
        parts.append(
            ngettext("{n} waiting for review", "{n} waiting for review", waiting).format(n=waiting)
        )
    return "; ".join(parts)


def why(planned: Planned) -> str:
    """Why this person is reminded, in one line (for ``reminders preview``)."""
    parts: list[str] = []
    state = planned.standing
    if state is not None:
        if BELOW_QUOTA in planned.reasons:
            parts += [quota_line(line) for line in state.short]
        if DRAFTS in planned.reasons:
            n = state.drafts.get(planned.user.id, 0)
            parts.append(ngettext("{n} draft not sent", "{n} drafts not sent", n).format(n=n))
        if QUEUE in planned.reasons:
            n = state.waiting.get(planned.user.id, 0)
            parts.append(
                ngettext("{n} waiting for review", "{n} waiting for review", n).format(n=n)
            )
    if planned.behind:
        units = "; ".join(f"{s.unit.name} ({_behind(s)})" for s in planned.behind)
        parts.append(_("behind after the deadline: {units}").format(units=units))
    return "; ".join(parts)
