"""`python -m bot reminders …`: who would be reminded on a day and why; one pass now."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.cli.common import cli_session, upgrade
from bot.config import Settings
from bot.i18n import _, format_date, format_datetime
from bot.workflow.text import shorten

if TYPE_CHECKING:
    from bot.workflow.deadlines import Planned


def table(header: list[str], rows: list[list[str]], widest: int = 48) -> list[str]:
    """Columns padded to their longest cell, two spaces apart; all but the last are cut at
    ``widest`` with "…" (the last, the reason, is read whole)."""
    cut = [[_cut(c, widest) for c in row[:-1]] + row[-1:] for row in rows]
    widths = [max(len(r[i]) for r in [header, *cut]) for i in range(len(header))]
    widths[-1] = len(header[-1])
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *cut]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def _cut(cell: str, widest: int) -> str:
    return shorten(cell, widest)


def _rows(planned: list[Planned], day: date) -> list[list[str]]:
    from bot.dialogs.reminders import why
    from bot.workflow.deadlines import BEFORE

    rows = []
    ordered = sorted(
        planned, key=lambda p: (p.occurrence.day, p.occurrence.deadline.id, p.unit.path, p.user.id)
    )
    for p in ordered:
        left = (p.occurrence.day - day).days
        when = (
            _("{n} days before").format(n=left)
            if p.kind == BEFORE
            else _("passed: to the level above")
        )
        rows.append(
            [
                p.user.full_name or str(p.user.telegram_id),
                p.unit.name,
                f"{p.occurrence.deadline.id} {format_date(p.occurrence.day)}",
                when,
                why(p),
            ]
        )
    return rows


async def preview(args: argparse.Namespace, settings: Settings) -> int:
    from bot.workflow.deadlines import reminders_for_day

    day = args.date or datetime.now(settings.zone).date()
    await upgrade(settings)
    async with cli_session(settings) as session:
        planned = await reminders_for_day(session, day)
    if args.plan:
        planned = [p for p in planned if p.occurrence.plan.id == args.plan]
    scope = args.plan or _("all running plans")
    if not planned:
        print(
            _("Nobody would be reminded on {date} ({plan}).").format(
                date=format_date(day), plan=scope
            )
        )
        return 0
    print(
        _("Reminders on {date} ({plan}): {count}").format(
            date=format_date(day), plan=scope, count=len(planned)
        )
    )
    header = [_("Person"), _("Unit"), _("Deadline"), _("When"), _("Why")]
    for line in table(header, _rows(planned, day)):
        print(line)
    return 0


async def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.reminders.consultations import remind_consultees
    from bot.reminders.rounds import run_pass

    await upgrade(settings)
    moment = datetime.now(settings.zone)
    async with cli_session(settings) as session:
        result = await run_pass(session, moment, settings.zone, settings.quiet)
        consulted = await remind_consultees(session, moment, settings.zone, settings.quiet)
        await session.commit()
    if consulted:
        print(
            _("{count} reminders queued to consulted bodies that have not answered.").format(
                count=consulted
            )
        )
    if result.skipped:
        print(_("Another reminder pass is running; nothing was done."))
        return 0
    print(
        _("{due} reminders due today; {queued} queued now, {before} queued before.").format(
            due=len(result.due),
            queued=len(result.queued),
            before=len(result.due) - len(result.queued),
        )
    )
    if result.queued and result.send_at is not None:
        print(
            _("They go out from {time} through the outbox (the running bot sends them).").format(
                time=format_datetime(result.send_at)
            )
        )
    return 0
