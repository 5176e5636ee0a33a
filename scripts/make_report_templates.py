"""Writes the Word templates of the achievement reports into bot/reports/templates/.

The layouts follow the forms of Decree 98/2023/NĐ-CP (Phụ lục I): Mẫu số 03, the achievement
report of an individual, and Mẫu số 02, that of a collective: the two headings (unit and national
motto), place and date, the title, I. a short profile, II. the achievements, III. the awards
already received, and the two signatures. The fields are docxtpl (Jinja) tags filled from the
nomination. An administrator may edit these files in Word (or write their own with the same
tags) and put them in REPORT_TEMPLATES_DIR; this script only makes the shipped ones. The yearly
report of a unit on a plan has no national form: it follows the plans' own report items (found,
proposed, approved, by unit and by field, units behind).

    .venv/bin/python scripts/make_report_templates.py
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

OUT = Path(__file__).resolve().parents[1] / "bot" / "reports" / "templates"


def _base() -> Document:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    table = document.add_table(rows=2, cols=2)
    left, right = table.rows[0].cells
    left.text = "{{ unit_above | upper }}\n{{ unit | upper }}"
    right.text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    for cell in (left, right):
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for run in paragraph.runs:
                run.bold = True
                run.font.size = Pt(12)
    date_cell = table.rows[1].cells[1]
    date_cell.text = "{{ place }}, ngày {{ day }} tháng {{ month }} năm {{ year }}"
    date_cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    date_cell.paragraphs[0].runs[0].italic = True
    return document


def _title(document: Document, lines: list[str]) -> None:
    for index, line in enumerate(lines):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(line)
        run.bold = True
        if index == 0:
            run.font.size = Pt(14)


def _heading(document: Document, text: str) -> None:
    document.add_paragraph().add_run(text).bold = True


def _achievements(document: Document) -> None:
    _heading(document, "II. THÀNH TÍCH ĐẠT ĐƯỢC")
    document.add_paragraph("{{ achievements }}")
    document.add_paragraph("Theo các tiêu chí của {{ plan_title }} ({{ plan_document }}):")
    document.add_paragraph("{%p for c in criteria %}")
    document.add_paragraph("- {{ c.text }} ({{ c.cite }}): {{ c.answer }}")
    document.add_paragraph("{%p endfor %}")
    _heading(document, "III. CÁC HÌNH THỨC ĐÃ ĐƯỢC KHEN THƯỞNG")
    document.add_paragraph("{{ awards or '…' }}")


def _signatures(document: Document, left: str, right: str) -> None:
    table = document.add_table(rows=1, cols=2)
    for cell, text in zip(table.rows[0].cells, (left, right), strict=True):
        cell.text = text
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.runs[0].bold = True


def _achievement_report(profile: str, lines: tuple[str, ...], signer: str) -> Document:
    """Mẫu số 02 and 03 differ only in the profile (I.) and who signs on the right."""
    document = _base()
    _title(
        document,
        ["BÁO CÁO THÀNH TÍCH", "ĐỀ NGHỊ CÔNG NHẬN ĐIỂN HÌNH TIÊN TIẾN", "{{ category }}"],
    )
    _heading(document, profile)
    for line in lines:
        document.add_paragraph(line)
    _achievements(document)
    _signatures(document, "XÁC NHẬN, ĐỀ NGHỊ CỦA\n{{ unit | upper }}", signer)
    return document


def individual() -> Document:
    return _achievement_report(
        "I. SƠ LƯỢC LÝ LỊCH",
        (
            "- Họ và tên: {{ name }}",
            "- Năm sinh: {{ birth_year or '…' }}     Giới tính: {{ sex or '…' }}",
            "{%p if ethnicity %}",
            "- Dân tộc: {{ ethnicity }}",
            "{%p endif %}",
            "- Trú quán: {{ home or '…' }}",
            "- Chức vụ, nghề nghiệp: {{ position or '…' }}",
            "- Đơn vị đề xuất: {{ proposing_unit }}",
            "{%p if phone %}",
            "- Điện thoại: {{ phone }}",
            "{%p endif %}",
        ),
        "NGƯỜI BÁO CÁO THÀNH TÍCH\n\n\n\n{{ name }}",
    )


def collective() -> Document:
    return _achievement_report(
        "I. SƠ LƯỢC ĐẶC ĐIỂM, TÌNH HÌNH",
        (
            "- Tên tập thể, hộ gia đình: {{ name }}",
            "- Người đứng đầu: {{ head or '…' }}",
            "- Số thành viên: {{ members or '…' }}",
            "- Địa chỉ: {{ home or '…' }}",
            "- Đơn vị đề xuất: {{ proposing_unit }}",
        ),
        "THỦ TRƯỞNG ĐƠN VỊ\n\n\n\n{{ head or '' }}",
    )


def _table(document: Document, headers: list[str], loop: str, cells: list[str]) -> None:
    """A table whose body row repeats (docxtpl's {%tr %} rows), with a totals row."""
    table = document.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    table.rows[1].cells[0].text = "{%tr for r in " + loop + " %}"
    for cell, text in zip(table.rows[2].cells, cells, strict=True):
        cell.text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"
    totals = table.add_row().cells
    totals[0].text = "Tổng cộng"
    totals[0].paragraphs[0].runs[0].bold = True
    for cell, text in zip(totals[1:], cells[1:], strict=True):
        cell.text = text.replace("r.", "total.")
    document.add_paragraph()  # room before the next heading


def yearly() -> Document:
    """A unit's yearly report on a plan: found, proposed, approved, by unit and by field."""
    document = _base()
    _title(
        document,
        [
            "BÁO CÁO",
            "KẾT QUẢ XÂY DỰNG VÀ NHÂN RỘNG ĐIỂN HÌNH TIÊN TIẾN NĂM {{ year }}",
            "Thực hiện {{ plan_title }} ({{ plan_document }})",
        ],
    )
    _heading(document, "I. KẾT QUẢ CHUNG")
    document.add_paragraph(
        "Năm {{ year }}, {{ unit }} đã phát hiện {{ total.found }} trường hợp, đề xuất "
        "{{ total.proposed }}, được công nhận {{ total.approved }}; còn {{ total.waiting }} "
        "hồ sơ đang xét, {{ total.returned }} trả lại, {{ total.rejected }} không được công nhận."
    )
    document.add_paragraph("{{ quota_line }}")
    _heading(document, "II. KẾT QUẢ THEO ĐƠN VỊ")
    headers = ["Đơn vị", "Phát hiện", "Đề xuất", "Được công nhận", "Chỉ tiêu tối thiểu"]
    cells = [
        "{{ r.name }}",
        "{{ r.found }}",
        "{{ r.proposed }}",
        "{{ r.approved }}",
        "{{ r.minimum }}",
    ]
    _table(document, headers, "units", cells)
    _heading(document, "III. KẾT QUẢ THEO LĨNH VỰC")
    _table(
        document,
        ["Lĩnh vực", "Phát hiện", "Đề xuất", "Được công nhận", ""],
        "fields",
        ["{{ r.name }}", "{{ r.found }}", "{{ r.proposed }}", "{{ r.approved }}", ""],
    )
    _heading(document, "IV. ĐƠN VỊ CHƯA ĐẠT CHỈ TIÊU")
    document.add_paragraph("{{ behind or 'Không có.' }}")
    _signatures(document, "", "TM. {{ unit | upper }}\n\n\n\n")
    return document


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    individual().save(str(OUT / "bao-cao-thanh-tich-ca-nhan.docx"))
    collective().save(str(OUT / "bao-cao-thanh-tich-tap-the.docx"))
    yearly().save(str(OUT / "bao-cao-nam.docx"))
    print(f"written: {OUT}")


if __name__ == "__main__":
    main()
