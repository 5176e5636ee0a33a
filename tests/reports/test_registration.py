"""Issue 32: the registration list as Excel, read back with openpyxl.

Nominations are made as drafts by real proposers of Đăk Ruồng (1001, 1002) and Tân Lập (2001),
then put in each state directly. Names are chosen so that code-point order would be wrong.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs import progress as dialog
from bot.reports.registration import HEADERS, listed, workbook
from bot.workflow.activations import running_plans
from tests.reports.test_achievement import NO_OFFICE, WHY, first_page_png
from tests.reports.tiny import TAN_LAP, TINY, tiny_draft
from tests.test_cli import cli
from tests.workflow.seeded import TODAY, actor, seeded_database, unit

seeded_file, database_url = seeded_database(tiny_plans=True, people=TAN_LAP)
MADE = [
    (1002, "Ưng Văn Cường", "submitted"),
    (1001, "Đinh Thị Lan", "approved"),
    (1002, "Dương Văn Bình", "under_review"),
    (1001, "Uy Thị Dung", "submitted"),
    (1002, "Nháp Chưa Gửi", "draft"),  # not registered
    (1001, "Bị Từ Chối", "rejected"),  # nor this
    (2001, "Người Tân Lập", "submitted"),  # another commune
]
IN_ORDER = ["Dương Văn Bình", "Đinh Thị Lan", "Uy Thị Dung", "Ưng Văn Cường"]


async def make(session: AsyncSession) -> None:
    for tid, name, state in MADE:
        nomination = await tiny_draft(session, tid)
        nomination.nominee = {"name": name, "position": "Nông dân"}
        nomination.category_id, nomination.subject_kind = "nguoi-tot", "individual"
        nomination.achievements = f"Thành tích của {name}"
        nomination.state = state
        if state != "draft":
            nomination.submitted_at = datetime(TODAY.year, 5, 1, tzinfo=UTC)
        if state in ("submitted", "under_review"):
            nomination.review_unit_id = (await unit(session, "KT-KR-DRU")).id
    await session.flush()


async def test_the_list_reads_back_with_headers_order_and_totals(session: AsyncSession) -> None:
    await make(session)
    commune = await unit(session, "KT-KR-DRU")
    plan = next(r.plan for r in await running_plans(session, commune, TODAY) if r.plan.id == TINY)
    entries = await listed(session, plan, commune, TODAY.year)
    assert [e.nomination.nominee["name"] for e in entries] == IN_ORDER
    sheet = load_workbook(io.BytesIO(workbook(plan, commune, TODAY.year, entries))).active
    assert sheet["A1"].value == f"DANH SÁCH ĐĂNG KÝ ĐIỂN HÌNH TIÊN TIẾN NĂM {TODAY.year}"
    assert sheet["A2"].value == "Đơn vị: Xã Đăk Ruồng"
    assert [c.value for c in sheet[5]] == list(HEADERS)
    assert sheet["A6"].value == "I. Người tốt, việc tốt"
    rows = [[c.value for c in sheet[r]] for r in range(7, 11)]
    assert [r[0] for r in rows] == [1, 2, 3, 4]
    assert [r[1] for r in rows] == IN_ORDER
    assert rows[0][2] == "Nông dân — Thôn 10 (Đăk Ruồng)"
    assert rows[1][5] == "đã phê duyệt" and rows[1][6] is None  # decided: no reviewer to name
    assert rows[0][6] == "Đang xét tại Xã Đăk Ruồng"  # waiting at the commune
    assert sheet["B11"].value == "Cộng: 4"
    assert sheet["B12"].value == "Tổng cộng: 4"
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
    assert sheet.print_title_rows == "$5:$5"  # repeated on every printed page
    assert sheet.column_dimensions["E"].width <= 62


async def test_a_commune_officer_exports_only_their_commune(session: AsyncSession) -> None:
    await make(session)
    other = await actor(session, 2002)
    root = await dialog.root_of(session, other)
    assert root is not None and root.code == "KT-KR-TL"
    running = await running_plans(session, root, TODAY)
    index = next(i for i, r in enumerate(running) if r.plan.id == TINY)
    reply, export = await dialog.export_list(session, other, TODAY, index)
    assert export is not None
    assert [e.nomination.nominee["name"] for e in export.entries] == ["Người Tân Lập"]
    assert "1 hồ sơ" in reply.screens[0].text or "1 nomination" in reply.screens[0].text


async def test_the_command_line_writes_the_list(
    session: AsyncSession, database_url: str, tmp_path: Path
) -> None:
    await make(session)
    await session.commit()
    out = tmp_path / "ds.xlsx"
    result = await cli(
        database_url,
        "export",
        "list",
        "--plan",
        TINY,
        "--unit",
        "KT-KR",
        "--year",
        str(TODAY.year),
        "--out",
        str(out),
    )
    assert result.returncode == 0, result
    assert result.out == [f"{out}: 5 hồ sơ của Huyện Kon Rẫy theo {TINY}, năm {TODAY.year}."]
    sheet = load_workbook(out).active
    names = [sheet.cell(row=r, column=2).value for r in range(7, 12)]
    assert names == [
        "Dương Văn Bình",
        "Đinh Thị Lan",
        "Người Tân Lập",
        "Uy Thị Dung",
        "Ưng Văn Cường",
    ]


@pytest.mark.skipif(NO_OFFICE, reason=WHY)
async def test_a_page_of_the_list_as_png(session: AsyncSession, tmp_path: Path) -> None:
    await make(session)
    district = await unit(session, "KT-KR")
    plan = next(r.plan for r in await running_plans(session, district, TODAY) if r.plan.id == TINY)
    xlsx = tmp_path / "danh-sach-dang-ky.xlsx"
    xlsx.write_bytes(
        workbook(plan, district, TODAY.year, await listed(session, plan, district, TODAY.year))
    )
    png = await first_page_png(xlsx)
    assert png.stat().st_size > 5000
