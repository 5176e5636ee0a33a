"""`python -m bot export list|report`: a unit's registration list for a plan and a year, as
.xlsx, or its yearly report, as .docx.

For the operator at the server (who sees every unit); people in chat get their own subtree's
list from /progress.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import cli_session, upgrade
from bot.config import Settings
from bot.i18n import _

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.plans.schema import Plan
    from storage.models import Unit


async def _plan_and_unit(
    session: AsyncSession, args: argparse.Namespace
) -> tuple[Plan, Unit] | None:
    """The plan and the unit the command names; None (and why, on stderr) if one is unknown."""
    from bot.workflow.plans import find_version, parsed
    from bot.workflow.units import unit_by_code

    version = await find_version(session, args.plan, None)
    if version is None:
        print(_("No loaded plan has the id {plan}.").format(plan=args.plan), file=sys.stderr)
        return None
    unit = await unit_by_code(session, args.unit)
    if unit is None:
        print(_("No unit has the code {code}.").format(code=args.unit), file=sys.stderr)
        return None
    return parsed(version), unit


async def export_list(args: argparse.Namespace, settings: Settings) -> int:
    from bot.reports.registration import file_stem, listed, workbook

    await upgrade(settings)
    year = args.year or datetime.now(settings.zone).year
    async with cli_session(settings) as session:
        found = await _plan_and_unit(session, args)
        if found is None:
            return 1
        plan, unit = found
        entries = await listed(session, plan, unit, year)
    out: Path = args.out or Path(f"{file_stem(plan, unit, year)}.xlsx")
    await asyncio.to_thread(out.write_bytes, workbook(plan, unit, year, entries))
    print(
        _("{file}: {count} nomination(s) of {unit} for {plan}, {year}.").format(
            file=out, count=len(entries), unit=unit.name, plan=plan.id, year=year
        )
    )
    return 0


async def export_report(args: argparse.Namespace, settings: Settings) -> int:
    from bot.reports.achievement import render
    from bot.reports.yearly import yearly_context, yearly_template

    await upgrade(settings)
    today = datetime.now(settings.zone).date()
    year = args.year or today.year
    async with cli_session(settings) as session:
        found = await _plan_and_unit(session, args)
        if found is None:
            return 1
        plan, unit = found
        context = await yearly_context(session, plan, unit, today, year)
    out: Path = args.out or Path(f"bao-cao-nam-{unit.code}-{plan.id}-{year}.docx")
    data = render(yearly_template(settings.report_templates_dir), context)
    await asyncio.to_thread(out.write_bytes, data)
    print(
        _("{file}: the yearly report of {unit} for {plan}, {year}.").format(
            file=out, unit=unit.name, plan=plan.id, year=year
        )
    )
    return 0
