"""Issue 32: the Word achievement report, read back with python-docx.

1002, a village head of Đăk Ruồng, proposes; 1003, its commune officer, reviews (the review
chain: sensitive fields); 1007, the province administrator, may see it but is not in its chain;
2002, a commune officer of Tân Lập, may not see it at all.
"""

from __future__ import annotations

import asyncio
import io
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs.review_history import achievement_report
from bot.reports.achievement import COLLECTIVE, INDIVIDUAL, render, template_for
from bot.workflow import nominations, review
from storage.models import Nomination
from tests.reports.tiny import tiny_draft
from tests.workflow.seeded import TODAY, actor, seeded_database

seeded_file, database_url = seeded_database(
    tiny_plans=True, people=((2002, "Cán bộ xã Tân Lập", "commune_officer", "KT-KR-TL"),)
)
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"


async def proposed(session: AsyncSession, subject: str = "individual") -> Nomination:
    nomination = await tiny_draft(session, 1002)
    nomination.subject_kind, nomination.category_id = subject, "nguoi-tot"
    nomination.nominee = {
        "name": "Y Hlên" if subject == "individual" else "Tổ hợp tác dệt thổ cẩm",
        "sex": "female",
        "birth_year": 1978,
        "ethnicity": "Xơ Đăng",
        "phone": "0912345678",
        "position": "Nghệ nhân dệt",
        "head": "Y Mai",
        "members": 12,
    }
    nomination.nominee_key = nominations.nominee_key(nomination.nominee["name"], 1978)
    nomination.consent_at = datetime(2026, 5, 1, tzinfo=UTC)
    nomination.achievements = "Giữ nghề dệt thổ cẩm, dạy nghề cho 30 chị em trong làng."
    nomination.answers = {"guong-mau": {"value": True}}
    if subject == "individual":  # the tiny plan takes individuals; a collective stays a draft
        who = await actor(session, 1002)
        assert (await nominations.submit(session, who, nomination, TODAY)).submitted
        await review.enter_chain(session, nomination)
    await session.flush()
    return nomination


def text_of(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


async def report_for(session: AsyncSession, tid: int, nomination: Nomination) -> str | None:
    _reply, context = await achievement_report(
        session, await actor(session, tid), nomination, TODAY
    )
    if context is None:
        return None
    return text_of(render(template_for(nomination), context))


async def test_the_reviewers_copy_carries_sensitive_fields_and_the_admins_does_not(
    session: AsyncSession,
) -> None:
    nomination = await proposed(session)
    reviewer = await report_for(session, 1003, nomination)
    assert reviewer is not None
    for line in (
        "BÁO CÁO THÀNH TÍCH",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "- Họ và tên: Y Hlên",
        "- Năm sinh: 1978",
        "Giới tính: Nữ",
        "- Dân tộc: Xơ Đăng",
        "- Điện thoại: 0912345678",
        "- Chức vụ, nghề nghiệp: Nghệ nhân dệt",
        "- Đơn vị đề xuất: Thôn 10 (Đăk Ruồng)",
        "Giữ nghề dệt thổ cẩm, dạy nghề cho 30 chị em trong làng.",
        "- Gương mẫu chấp hành pháp luật (Mục 2.a): Có",
        "XÃ ĐĂK RUỒNG",
    ):
        assert line in reviewer, line
    assert "{{" not in reviewer and "{%" not in reviewer
    admin = await report_for(session, 1007, nomination)  # sees it, is not in its chain
    assert admin is not None and "- Họ và tên: Y Hlên" in admin
    assert "Xơ Đăng" not in admin and "0912345678" not in admin and "Dân tộc" not in admin
    assert await report_for(session, 2002, nomination) is None  # another commune: nothing


async def test_a_collective_gets_the_collective_form(session: AsyncSession) -> None:
    nomination = await proposed(session, "collective")
    assert template_for(nomination).name == COLLECTIVE
    text = await report_for(session, 1003, nomination)
    assert text is not None
    assert "I. SƠ LƯỢC ĐẶC ĐIỂM, TÌNH HÌNH" in text
    assert "- Tên tập thể, hộ gia đình: Tổ hợp tác dệt thổ cẩm" in text
    assert "- Số thành viên: 12" in text


async def test_an_administrators_template_replaces_the_shipped_one(
    session: AsyncSession, tmp_path: Path
) -> None:
    nomination = await proposed(session)
    assert template_for(nomination, tmp_path).name == INDIVIDUAL  # none there: the shipped one
    own = Document()
    own.add_paragraph("Mẫu riêng của tỉnh: {{ name }} — {{ proposing_unit }}")
    own.save(str(tmp_path / INDIVIDUAL))
    _reply, context = await achievement_report(
        session, await actor(session, 1003), nomination, TODAY
    )
    assert context is not None
    text = text_of(render(template_for(nomination, tmp_path), context))
    assert text.strip() == "Mẫu riêng của tỉnh: Y Hlên — Thôn 10 (Đăk Ruồng)"


NO_OFFICE = shutil.which("soffice") is None or shutil.which("pdftoppm") is None
WHY = "LibreOffice or pdftoppm is not installed (Debian: libreoffice-writer, poppler-utils)"


async def first_page_png(document: Path) -> Path:
    """LibreOffice makes a PDF, pdftoppm draws its first page: what a printer would show."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    command = ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(document.parent)]
    await asyncio.to_thread(
        subprocess.run, [*command, str(document)], check=True, timeout=180, capture_output=True
    )
    pdf = document.with_suffix(".pdf")
    stem = ARTIFACTS / document.stem
    await asyncio.to_thread(
        subprocess.run,
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
        check=True,
        timeout=60,
    )
    return stem.with_suffix(".png")


@pytest.mark.skipif(NO_OFFICE, reason=WHY)
async def test_a_page_of_the_report_as_png(session: AsyncSession, tmp_path: Path) -> None:
    nomination = await proposed(session)
    _reply, context = await achievement_report(
        session, await actor(session, 1003), nomination, TODAY
    )
    assert context is not None
    docx = tmp_path / "bao-cao-thanh-tich.docx"
    docx.write_bytes(render(template_for(nomination), context))
    png = await first_page_png(docx)
    assert png.stat().st_size > 5000
