"""Issue 32: a unit's yearly report on a plan, as Word, read back with python-docx."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs import progress as dialog
from bot.reports.achievement import render
from bot.reports.yearly import yearly_template
from bot.workflow.activations import running_plans
from tests.reports.test_achievement import NO_OFFICE, WHY, first_page_png
from tests.reports.test_progress import make
from tests.reports.tiny import TAN_LAP, tiny_at
from tests.workflow.seeded import TODAY, actor, seeded_database
from tests.workflow.seeded import unit as unit_of

seeded_file, database_url = seeded_database(tiny_plans=True, people=TAN_LAP)


def text_of(data: bytes) -> tuple[str, list[list[str]]]:
    document = Document(io.BytesIO(data))
    rows = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    return "\n".join(p.text for p in document.paragraphs), rows


async def test_the_district_report_counts_by_unit_and_field(session: AsyncSession) -> None:
    await make(session)
    reviewer = await actor(session, 1005)
    reply, context = await dialog.yearly_report(
        session, reviewer, TODAY, await tiny_at(session, 1005)
    )
    assert context is not None
    assert reply.screens[0].text.startswith(f"📝 Báo cáo năm {TODAY.year} của Huyện Kon Rẫy")
    text, rows = text_of(render(yearly_template(), context))
    assert (
        f"Năm {TODAY.year}, Huyện Kon Rẫy đã phát hiện 7 trường hợp, đề xuất 5, được công nhận 1;"
        " còn 2 hồ sơ đang xét, 1 trả lại, 1 không được công nhận."
    ) in text
    assert ["Xã Đăk Ruồng", "6", "5", "1", "1"] in rows  # found, proposed, approved, minimum
    assert ["Xã Tân Lập", "1", "0", "0", "1"] in rows
    assert ["Người tốt, việc tốt", "7", "5", "1", ""] in rows
    assert ["Tổng cộng", "7", "5", "1", ""] in rows
    assert "IV. ĐƠN VỊ CHƯA ĐẠT CHỈ TIÊU\nXã Tân Lập" in text
    assert "{{" not in text and not any("{%" in c for r in rows for c in r)


async def test_a_year_counts_only_what_began_in_it(session: AsyncSession) -> None:
    await make(session)
    district = await unit_of(session, "KT-KR")
    plan = next(
        r.plan for r in await running_plans(session, district, TODAY) if r.plan.id == "tiny-2026"
    )
    from bot.reports.yearly import yearly_context

    earlier = await yearly_context(session, plan, district, TODAY, TODAY.year - 1)
    assert earlier["total"]["found"] == 0
    assert earlier["behind"] == "Xã Đăk Ruồng, Xã Tân Lập"


@pytest.mark.skipif(NO_OFFICE, reason=WHY)
async def test_a_page_of_the_yearly_report_as_png(session: AsyncSession, tmp_path: Path) -> None:
    await make(session)
    _reply, context = await dialog.yearly_report(
        session, await actor(session, 1005), TODAY, await tiny_at(session, 1005)
    )
    assert context is not None
    docx = tmp_path / "bao-cao-nam.docx"
    docx.write_bytes(render(yearly_template(), context))
    assert (await first_page_png(docx)).stat().st_size > 5000


async def test_the_command_line_writes_the_report(
    session: AsyncSession, database_url: str, tmp_path: Path
) -> None:
    from tests.test_cli import cli

    await make(session)
    await session.commit()
    out = tmp_path / "bc.docx"
    result = await cli(
        database_url,
        "export",
        "report",
        "--plan",
        "tiny-2026",
        "--unit",
        "KT-KR-DRU",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result
    assert result.out == [f"{out}: báo cáo năm {TODAY.year} của Xã Đăk Ruồng theo tiny-2026."]
    text, rows = text_of(out.read_bytes())
    assert "Xã Đăk Ruồng đã phát hiện 6 trường hợp" in text
    assert ["Thôn 10 (Đăk Ruồng)", "4", "3", "1", ""] in rows
