"""The achievement report of one nomination as a Word document, filled into a template.

docxtpl fills the template (python-docx underneath): the layout is a .docx an administrator can
open in Word and change, or replace by a file of the same name in REPORT_TEMPLATES_DIR, without
code. The shipped ones follow Decree 98/2023/NĐ-CP, Mẫu số 03 (an individual) and Mẫu số 02 (a
collective; a household uses it too); scripts/make_report_templates.py writes them.

Sensitive fields (the ethnic group, the phone) go only into the copy of someone in the
nomination's review chain (its proposer, its reviewers); anyone else who may see it gets the
report without them.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs.nomination.cards import SEX_LABELS, criterion_answer
from bot.dialogs.nomination.steps import criteria_of
from bot.i18n import _, use_locale
from bot.workflow.nominations import plan_of
from bot.workflow.review_chain import stops
from bot.workflow.units import admin_home
from storage.models import Nomination, Unit

TEMPLATES = Path(__file__).with_name("templates")
INDIVIDUAL = "bao-cao-thanh-tich-ca-nhan.docx"
COLLECTIVE = "bao-cao-thanh-tich-tap-the.docx"
SENSITIVE = ("ethnicity", "phone")


def template_named(name: str, override_dir: Path | None = None) -> Path:
    """The administrator's template of this name where there is one, else the shipped one."""
    if override_dir is not None and (override_dir / name).is_file():
        return override_dir / name
    return TEMPLATES / name


def template_for(nomination: Nomination, override_dir: Path | None = None) -> Path:
    name = INDIVIDUAL if nomination.subject_kind == "individual" else COLLECTIVE
    return template_named(name, override_dir)


async def letterhead(session: AsyncSession, unit: Unit, today: date) -> dict[str, Any]:
    """The heading every report opens with: the unit under the one above it, place and date."""
    above = await session.get(Unit, unit.parent_id) if unit.parent_id else None
    return {
        "unit_above": above.name if above else "",
        "unit": unit.name,
        "place": unit.name,
        "day": f"{today.day:02d}",
        "month": f"{today.month:02d}",
    }


async def context_of(
    session: AsyncSession, nomination: Nomination, today: date, *, sensitive: bool
) -> dict[str, Any]:
    """What the template's tags are filled with, in Vietnamese (an official document)."""
    plan = plan_of(nomination)
    proposing = await session.get(Unit, nomination.unit_id)
    assert proposing is not None
    # The form is confirmed by the first level of the review chain (the commune), under the
    # level above it; without a chain, by the proposing unit's own administrative home.
    chain = await stops(session, nomination, plan)
    home = chain[0].unit if chain else await admin_home(session, proposing)
    nominee = nomination.nominee
    with use_locale("vi"):
        criteria = [
            {
                "text": criterion.text,
                "cite": criterion.cite,
                "answer": criterion_answer(nomination, plan, criterion) or "—",
            }
            for criterion in criteria_of(nomination, plan)
        ]
        sex = _(SEX_LABELS[nominee["sex"]]) if nominee.get("sex") in SEX_LABELS else ""
    context: dict[str, Any] = {
        **await letterhead(session, home, today),
        "year": today.year,
        "category": plan.category(nomination.category_id).title if nomination.category_id else "",
        "name": str(nominee.get("name", "")),
        "birth_year": nominee.get("birth_year") or "",
        "sex": sex,
        "home": str(nominee.get("home_name") or nominee.get("address") or ""),
        "position": str(nominee.get("position") or ""),
        "head": str(nominee.get("head") or ""),
        "members": nominee.get("members") or "",
        "proposing_unit": proposing.name,
        "achievements": nomination.achievements or "",
        "plan_title": plan.plan.title,
        "plan_document": plan.plan.document,
        "criteria": criteria,
        "awards": "",
    }
    for key in SENSITIVE:
        context[key] = str(nominee.get(key) or "") if sensitive else ""
    return context


def render(template: Path, context: dict[str, Any]) -> bytes:
    from docxtpl import DocxTemplate

    document = DocxTemplate(str(template))
    document.render(context, autoescape=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
