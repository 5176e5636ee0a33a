"""The registration list a unit sends up: its proposed nominations for a plan and a year, as an
Excel workbook an official can print and edit.

openpyxl writes it (a well-kept library that both writes and reads .xlsx, so the tests read back
what was written): a title naming the unit and the plan, the headers of the lists officials
already keep (STT, Họ và tên / Tên tập thể, Chức vụ / Đơn vị, Lĩnh vực, Tóm tắt thành tích, Trạng
thái, Ghi chú), the nominations grouped by field in the plan's order, names in Vietnamese order
within each, a total per field and in all; A4 landscape, the header row repeated on every
printed page, columns fitted to their content. The list is an official document: it is written
in Vietnamese whatever the requester's language.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs.review_cards import STATE_LABELS
from bot.i18n import _, use_locale
from bot.plans.schema import Plan
from bot.workflow.collation import vi_key
from bot.workflow.lifecycle import APPROVED, SUBMITTED, UNDER_REVIEW
from storage.models import Nomination, Unit

#: Proposed and not turned down: what a unit registers (returned and rejected ones are not).
LISTED = (SUBMITTED, UNDER_REVIEW, APPROVED)
HEADERS = (
    "STT",
    "Họ và tên / Tên tập thể",
    "Chức vụ / Đơn vị",
    "Lĩnh vực",
    "Tóm tắt thành tích",
    "Trạng thái",
    "Ghi chú",
)
#: Column widths in characters: the fixed ones, and the most a fitted one may take.
WIDTHS = (6, 28, 30, 26, 60, 18, 24)
HEADER_ROW = 5


@dataclass(frozen=True, slots=True)
class Entry:
    nomination: Nomination
    unit_name: str  # the proposing unit
    reviewing: str  # the unit reviewing it now ("" once decided)


async def listed(session: AsyncSession, plan: Plan, root: Unit, year: int) -> list[Entry]:
    """The nominations of ``root``'s subtree for ``plan`` sent in ``year``, in list order."""
    start = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    rows = await session.execute(
        select(Nomination, Unit.name, Nomination.review_unit_id)
        .join(Unit, Unit.id == Nomination.unit_id)
        .where(
            Nomination.plan_id == plan.id,
            Nomination.state.in_(LISTED),
            Unit.path.startswith(root.path),
            Nomination.submitted_at >= start,
            Nomination.submitted_at < end,
        )
    )
    found = rows.all()
    reviewing_ids = {r for _n, _u, r in found if r is not None}
    names: dict[int, str] = {}
    if reviewing_ids:
        found_names = await session.execute(
            select(Unit.id, Unit.name).where(Unit.id.in_(reviewing_ids))
        )
        names = {unit_id: name for unit_id, name in found_names.all()}
    order = {c.id: i for i, c in enumerate(plan.categories)}
    entries = [
        Entry(n, unit_name, names.get(r, "") if n.state != APPROVED else "")
        for n, unit_name, r in found
    ]
    return sorted(
        entries,
        key=lambda e: (
            order.get(e.nomination.category_id or "", len(order)),
            vi_key(str(e.nomination.nominee.get("name", ""))),
        ),
    )


def file_stem(plan: Plan, root: Unit, year: int) -> str:
    """The list's file name without its suffix, the same from chat and from the command line."""
    return f"danh-sach-{root.code}-{plan.id}-{year}"


def workbook(plan: Plan, root: Unit, year: int, entries: list[Entry]) -> bytes:
    """The list as .xlsx bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

    with use_locale("vi"):
        book = Workbook()
        sheet = book.active
        sheet.title = "Danh sách"
        last = chr(ord("A") + len(HEADERS) - 1)
        titles = (
            (f"DANH SÁCH ĐĂNG KÝ ĐIỂN HÌNH TIÊN TIẾN NĂM {year}", Font(bold=True, size=14)),
            (f"Đơn vị: {root.name}", Font(bold=True, size=12)),
            (f"Theo: {plan.plan.title} ({plan.plan.document})", Font(italic=True, size=11)),
        )
        for row, (text, font) in enumerate(titles, start=1):
            sheet.cell(row=row, column=1, value=text).font = font
            sheet.merge_cells(f"A{row}:{last}{row}")
            sheet.cell(row=row, column=1).alignment = Alignment(horizontal="center", wrap_text=True)
        thin = Side(style="thin")
        box = Border(left=thin, right=thin, top=thin, bottom=thin)
        # One named style for every listed cell: assigned by name, it is looked up once, where
        # an Alignment and a Border set on each cell cost a third of the whole list's time.
        listed_cell = NamedStyle(
            name="listed", alignment=Alignment(vertical="top", wrap_text=True), border=box
        )
        book.add_named_style(listed_cell)
        for column, text in enumerate(HEADERS, start=1):
            cell = sheet.cell(row=HEADER_ROW, column=column, value=text)
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = box
        row = HEADER_ROW + 1
        number = 0
        widths = [len(h) for h in HEADERS]
        bold = Font(bold=True)
        for category, group in _by_category(plan, entries):
            sheet.cell(row=row, column=1, value=category).font = bold
            sheet.merge_cells(f"A{row}:{last}{row}")
            row += 1
            for entry in group:
                number += 1
                values = _row(plan, entry, number)
                lines = 1
                for column, value in enumerate(values, start=1):
                    cell = sheet.cell(row=row, column=column, value=value)
                    cell.style = "listed"
                    size = len(str(value))
                    widths[column - 1] = max(widths[column - 1], size)
                    lines = max(lines, -(-size // WIDTHS[column - 1]))
                # Excel and LibreOffice do not grow a row for wrapped text written by a
                # program: its height is set from the longest cell, at the widest its column
                # may be.
                if lines > 1:
                    sheet.row_dimensions[row].height = 15 * lines
                row += 1
            sheet.cell(row=row, column=2, value=f"Cộng: {len(group)}").font = bold
            row += 1
        sheet.cell(row=row, column=2, value=f"Tổng cộng: {number}").font = Font(bold=True, size=12)
        for column, (width, most) in enumerate(zip(widths, WIDTHS, strict=True), start=1):
            letter = chr(ord("A") + column - 1)
            sheet.column_dimensions[letter].width = min(max(width, 6) + 2, most)
        sheet.freeze_panes = f"A{HEADER_ROW + 1}"
        sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        buffer = io.BytesIO()
        book.save(buffer)
    return buffer.getvalue()


def _by_category(plan: Plan, entries: list[Entry]) -> list[tuple[str, list[Entry]]]:
    groups: dict[str, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(entry.nomination.category_id or "", []).append(entry)
    numbered = {c.id: (i, c.title) for i, c in enumerate(plan.categories, start=1)}
    return [
        (f"{_roman(numbered[c][0])}. {numbered[c][1]}" if c in numbered else "—", group)
        for c, group in groups.items()
    ]


def _row(plan: Plan, entry: Entry, number: int) -> tuple[object, ...]:
    nomination = entry.nomination
    nominee = nomination.nominee
    position = str(nominee.get("position") or nominee.get("head") or "")
    where = f"{position} — {entry.unit_name}" if position else entry.unit_name
    category = plan.category(nomination.category_id).title if nomination.category_id else ""
    note = f"Đang xét tại {entry.reviewing}" if entry.reviewing else ""
    return (
        number,
        str(nominee.get("name", "")),
        where,
        category,
        nomination.achievements or "",
        _(STATE_LABELS[nomination.state]),
        note,
    )


def _roman(n: int) -> str:
    numerals = (
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    )
    out = ""
    for value, letters in numerals:
        while n >= value:
            out += letters
            n -= value
    return out
