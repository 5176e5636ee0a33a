"""Issue 29: nobody is asked to review their own nomination, and none waits unseen."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from sandbox.client import SandboxClient, SimUser
from tests.e2e.test_review import WAITING, _activate, nomination, quick
from tests.e2e.test_wizard import proposer


def waiting_cards(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in messages if m["from"] == "bot" and WAITING in (m["text"] or "")]


async def test_an_officers_own_proposal_goes_to_another_officer_only(
    bot_app: App,
    client: SandboxClient,
    people: dict[str, SimUser],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await _activate(session_factory, "tiny-approve.toml")
    own, other = people["commune_officer"], people["commune_officer_1004"]
    await quick(own, "tiny-approve.toml")
    card = await other.wait_for(WAITING)
    assert "1. Phê duyệt" in [b["text"] for row in card["buttons"] for b in row]
    assert waiting_cards(await own.messages()) == []  # never asked about their own
    assert "Không có hồ sơ nào chờ anh/chị xét duyệt" in (await own.send("/review")).text
    done = await other.press(text="1. Phê duyệt", message_id=card["message_id"])
    assert "Đã phê duyệt" in done.text
    assert (await nomination(session_factory)).state == "approved"


async def test_a_level_where_only_the_proposer_reviews_tells_the_administrator(
    bot_app: App,
    client: SandboxClient,
    people: dict[str, SimUser],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await _activate(session_factory, "tiny-approve.toml")
    # Tân Lập has one commune officer, who proposes.
    alone = await proposer(client, session_factory, "commune_officer", "KT-KR-TL", 9501)
    await quick(alone, "tiny-approve.toml")
    said = "\n".join(m["text"] or "" for m in await alone.messages() if m["from"] == "bot")
    assert "Xã Tân Lập" in said and "đã báo người quản trị" in said
    assert waiting_cards(await alone.messages()) == []

    admin = people["admin"]  # the province's administrator is told, in English, without buttons
    told = await admin.wait_for("Nobody may decide on this nomination")
    assert told["buttons"] == []
    row = await nomination(session_factory)
    assert row.state == "submitted" and row.proposer_id is not None

    # The administrator invites a second officer there: it is in their queue and they decide.
    second = await proposer(client, session_factory, "commune_officer", "KT-KR-TL", 9502)
    queue = await second.send("/review")
    assert f"#{row.id}" in queue.text
    opened = await second.press(text="1. Mở 1")
    approved = await second.press(text="1. Phê duyệt", message_id=opened.messages[-1]["message_id"])
    assert "Đã phê duyệt" in approved.text
