"""A unit's yearly report on a plan, as a Word document: what its units found (every nomination
begun), proposed (sent at least once), saw approved, by unit and by field, and which units are
below their minimum. Built on the progress counts (bot.reports.progress), filled into the
template ``bao-cao-nam.docx`` (replaceable like the achievement forms)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.plans.schema import Plan
from bot.reports.achievement import letterhead, template_named
from bot.reports.progress import progress_of
from bot.workflow.lifecycle import APPROVED, DRAFT, REJECTED, RETURNED, SUBMITTED, UNDER_REVIEW
from storage.models import Unit

YEARLY = "bao-cao-nam.docx"


def yearly_template(override_dir: Path | None = None) -> Path:
    return template_named(YEARLY, override_dir)


def _figures(name: str, states: Counter[str], minimum: object = "") -> dict[str, Any]:
    found = sum(states.values())
    return {
        "name": name,
        "found": found,
        "proposed": found - states[DRAFT],
        "approved": states[APPROVED],
        "waiting": states[SUBMITTED] + states[UNDER_REVIEW],
        "returned": states[RETURNED],
        "rejected": states[REJECTED],
        "minimum": minimum,
    }


async def yearly_context(
    session: AsyncSession, plan: Plan, root: Unit, today: date, year: int
) -> dict[str, Any]:
    progress = await progress_of(session, plan, root, today, year=year)
    units = [
        _figures(row.unit.name, row.states, row.quota.min if row.quota else "")
        for row in progress.rows
    ]
    fields = [
        _figures(plan.category(c).title if c else "—", states)
        for c, states in progress.categories.items()
    ]
    own = progress.own
    quota_line = (
        f"Chỉ tiêu của {root.name}: tối thiểu {own.quota.min}, đạt {own.counted}."
        if own is not None and own.quota is not None
        else ""
    )
    return {
        **await letterhead(session, root, today),
        "year": year,
        "plan_title": plan.plan.title,
        "plan_document": plan.plan.document,
        "total": _figures(root.name, progress.totals),
        "units": units,
        "fields": fields,
        "quota_line": quota_line,
        "behind": ", ".join(row.unit.name for row in progress.behind),
    }
