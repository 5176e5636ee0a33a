"""Issue 32, end to end: the Word achievement report from the reviewer's card."""

from __future__ import annotations

import io

from docx import Document
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from sandbox.client import SimUser
from sandbox.server import Sandbox
from tests.e2e.test_progress import sent_document
from tests.e2e.test_review import WAITING, _activate, buttons, quick


async def test_the_reviewer_gets_the_word_report_from_the_card(
    bot_app: App,
    sandbox: Sandbox,
    people: dict[str, SimUser],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await _activate(session_factory, "tiny-plan.toml")
    await quick(people["village_head"])
    officer = people["commune_officer"]
    card = await officer.wait_for(WAITING)
    label = next(b for b in buttons(card) if b.endswith("Báo cáo (Word)"))
    sent = await officer.press(text=label, message_id=card["message_id"])
    assert "📄 Báo cáo thành tích của Y Thị Hoa (hồ sơ số 1), theo mẫu." in sent.text
    report = Document(io.BytesIO(await sent_document(sandbox, sent, "bao-cao-thanh-tich-1-")))
    text = "\n".join(p.text for p in report.paragraphs)
    assert "- Họ và tên: Y Thị Hoa" in text and "- Dân tộc: Kinh" in text  # the chain's copy
    # A forged press by someone outside the chain and the subtree gets nothing.
    stranger = people["village_head_1002"]
    await stranger.send("/help")
    forged = await stranger.press(data="rv:1:1:w", forge=True)
    assert forged.text == "Không có hồ sơ này."
    assert not [m for m in forged.messages if m["kind"] == "document"]
