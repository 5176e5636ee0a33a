"""Issue 31, end to end: /progress in chat, its chart, paging by tap and by typed number, and
a list by state one tap from a card."""

from __future__ import annotations

import io

import aiohttp
import pytest
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from bot.dialogs import progress as dialog
from bot.reports.chart import WIDTH_PX
from sandbox.client import Reply, SandboxClient, SimUser
from sandbox.server import Sandbox
from tests.e2e.test_review import _activate, quick

TINY_BUTTON = "UBND huyện Thử: 01/KH-TEST"  # the tiny plan, among those running in Kon Rẫy


async def downloaded(sandbox: Sandbox, message: dict) -> bytes:
    """The bytes of a file the bot sent, as the person would download them."""
    async with aiohttp.ClientSession() as http:
        url = f"{sandbox.base_url}/driver/files/{message['file_id']}"
        async with http.get(url) as response:
            return await response.read()


async def sent_document(sandbox: Sandbox, reply: Reply, name_starts: str) -> bytes:
    """The one document a reply carried, named as expected, as the person downloads it."""
    [document] = [m for m in reply.messages if m["kind"] == "document"]
    assert document["file_name"].startswith(name_starts)
    return await downloaded(sandbox, document)


async def test_progress_chart_pages_and_a_card_one_tap_away(
    bot_app: App,
    client: SandboxClient,
    sandbox: Sandbox,
    people: dict[str, SimUser],
    session_factory: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await _activate(session_factory, "tiny-plan.toml")
    monkeypatch.setattr(dialog, "PAGE", 1)  # Kon Rẫy's two communes make two pages
    await quick(people["village_head"])
    reviewer = people["district_reviewer"]
    first = await reviewer.send("/progress")
    assert "📊 Tiến độ" in first.text and "Đơn vị: Huyện Kon Rẫy" in first.text
    tiny = await reviewer.press(text=TINY_BUTTON)
    assert "📊 Tiến độ: UBND huyện Thử: 01/KH-TEST" in tiny.text
    assert "Các đơn vị (trang 1/2" in tiny.text
    assert "1. Xã Đăk Ruồng — 1/1 (tối đa 1) ✓ · đã gửi 1" in tiny.text
    [chart] = [m for m in tiny.messages if m["kind"] == "photo"]
    assert chart["caption"].startswith("UBND huyện Thử: 01/KH-TEST — Huyện Kon Rẫy")
    image = Image.open(io.BytesIO(await downloaded(sandbox, chart)))
    assert image.format == "PNG" and image.size[0] == WIDTH_PX

    # Page 2 by typing its number, as on a channel without buttons.
    typed = await reviewer.send("2")
    assert "Các đơn vị (trang 2/2" in typed.text and "⚠️ Xã Tân Lập — 0/1" in typed.text

    # The submitted nomination, one tap from the list, one typed number from its card.
    listed = await reviewer.press(text="đã gửi (1)")
    assert "Đã gửi — UBND huyện Thử: 01/KH-TEST — Huyện Kon Rẫy: 1 (trang 1/1)" in listed.text
    card = await reviewer.send("1")
    assert "Hồ sơ số 1" in card.text and "Tiêu chí đạt" in card.text


async def test_progress_is_refused_plainly_to_a_village_head(
    bot_app: App, people: dict[str, SimUser]
) -> None:
    reply = await people["village_head"].send("/progress")
    assert "Tiến độ dành cho cán bộ xã, người xét duyệt và người quản trị." in reply.text


async def test_the_registration_list_comes_as_an_excel_file(
    bot_app: App,
    sandbox: Sandbox,
    people: dict[str, SimUser],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    from openpyxl import load_workbook

    await _activate(session_factory, "tiny-plan.toml")
    await quick(people["village_head"])
    officer = people["commune_officer"]
    await officer.send("/progress")
    tiny = await officer.press(text=TINY_BUTTON)
    sent = await officer.press(text="📄 Danh sách Excel", message_id=tiny.messages[0]["message_id"])
    assert "📄 Danh sách đăng ký của Xã Đăk Ruồng, UBND huyện Thử: 01/KH-TEST" in sent.text
    data = await sent_document(sandbox, sent, "danh-sach-KT-KR-DRU-tiny-2026-")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].value == "Đơn vị: Xã Đăk Ruồng"
    assert sheet["B7"].value == "Y Thị Hoa" and sheet["B9"].value == "Tổng cộng: 1"
