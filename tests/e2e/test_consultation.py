"""Issue 29, end to end: the commune police are asked, object, and the reviewer is held.

Kon Tum's decision asks the police and the Fatherland Front to take part in vetting key cadres
and prestigious persons (Điều 9.3, 9.8); it does not let a reviewer pass over their objection.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from bot.config import Settings
from bot.dialogs.consulting import CONSULT_REMINDER
from bot.plans.loader import load_plan_file
from sandbox.client import SandboxClient, SimUser
from sandbox.server import Sandbox
from storage.models import Consultation, OutboxMessage
from tests.e2e.conftest import sandbox_settings
from tests.e2e.test_review import (
    FIXTURES,
    FORWARD,
    WAITING,
    _activate,
    actions,
    buttons,
    nomination,
    officer_card,
)
from tests.e2e.test_wizard import proposer
from tests.e2e.wizard_driver import complete

REASON = "Đang bị xử lý vi phạm hành chính về đất đai"


@pytest.fixture
def settings(database_url: str, sandbox: Sandbox, tmp_path: Path) -> Settings:
    # Whatever the hour the test runs at, reminders go out now.
    return sandbox_settings(database_url, sandbox, tmp_path).model_copy(
        update={"quiet_hours": "off"}
    )


async def consultation(factory: async_sessionmaker[AsyncSession]) -> Consultation:
    async with factory() as session:
        row = await session.scalar(select(Consultation).where(Consultation.kind == "police"))
        assert row is not None
        return row


async def set_times(
    factory: async_sessionmaker[AsyncSession], asked: Consultation, **times: datetime
) -> None:
    """Move a consultation's request or last reminder back in time, as days passing would."""
    async with factory() as session:
        await session.execute(
            update(Consultation).where(Consultation.id == asked.id).values(**times)
        )
        await session.commit()


async def reminders_queued(factory: async_sessionmaker[AsyncSession]) -> int:
    async with factory() as session:
        count = await session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == CONSULT_REMINDER)
        )
        return count or 0


async def asked_of_police(people: dict[str, SimUser], nominee_is: str) -> dict:
    """A village head proposes a key cadre or prestigious person under Kon Tum's plan; the
    commune officer asks for opinions; the police's request, as it reached them."""
    card = await officer_card(people, "kontum-44-2023", overrides={"doi-tuong-ap-dung": nominee_is})
    return await police_asked(people, card)


async def police_asked(people: dict[str, SimUser], card: dict) -> dict:
    """The officer asks for opinions on their card; the police's request, as it reached them."""
    await people["commune_officer"].press(text="6. Hỏi ý kiến", message_id=card["message_id"])
    return await people["consultee"].wait_for("ý kiến của anh/chị")


async def test_police_object_and_the_reviewer_is_held_until_they_agree(
    bot_app: App,
    client: SandboxClient,
    people: dict[str, SimUser],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    officer, police = people["commune_officer"], people["consultee"]
    request = await asked_of_police(people, "Người có uy tín")
    # The police see who is proposed, the achievements and the criteria (Kon Tum's
    # consult_shows), not the quota, the history or the reviewers' buttons.
    assert "Lấy ý kiến theo: Điều 9.3, Điều 9.8" in request["text"]
    assert "Người có uy tín" in request["text"]  # the criteria's answers are shown
    assert "Hạn mức" not in request["text"] and "Đang chờ tại" not in request["text"]
    assert buttons(request) == ["1. Đồng ý", "2. Phản đối", "3. Ghi ý kiến"]

    asked = await police.press(text="2. Phản đối", message_id=request["message_id"])
    assert "Vì sao anh/chị phản đối?" in asked.text
    assert "đính kèm" in (await police.send(REASON)).text

    update = await officer.wait_for("Có ý kiến mới")
    assert f"⚠️ Công an xã Đăk Ruồng: phản đối — {REASON}" in update["text"]
    assert "chưa thể đi tiếp" in update["text"]
    assert "Chuyển lên dù có ý kiến phản đối" not in "\n".join(buttons(update))  # Kon Tum: no
    held = await officer.press(text=FORWARD, message_id=update["message_id"])
    assert "chưa thể đi tiếp" in held.text and REASON in held.text
    assert "trả lại cho người đề xuất" in held.text
    row = await nomination(session_factory)
    assert (row.state, row.level_index) == ("submitted", 0)

    # Forging the pass-over button changes nothing either.
    forged = await officer.press(data=f"rv:{row.id}:{row.version}:v", forge=True)
    assert "không cho phép người xét duyệt vượt qua" in forged.text

    # The police look again and agree, typing (as on a channel without buttons): the officer
    # may forward it.
    assert "/opinions" in request["text"]
    assert "dành cho cơ quan được hỏi ý kiến" in (await officer.send("/opinions")).text
    listed = await police.send("/opinions")
    assert f"1. #{row.id} Y Thị Hoa — ⚠️ Công an xã Đăk Ruồng: phản đối" in listed.text
    opened = await police.send("1")
    assert "Ý kiến của anh/chị: ⚠️" in opened.text and "Thành tích" in opened.text
    assert "đính kèm" in (await police.send("đồng ý")).text
    agreed = await officer.wait_for("Công an xã Đăk Ruồng: đồng ý")
    forwarded = await officer.press(text=FORWARD, message_id=agreed["message_id"])
    assert "Huyện Kon Rẫy" in forwarded.text
    assert (await nomination(session_factory)).state == "under_review"
    trail = await actions(session_factory, row.id)
    assert trail.count("consultation.answer") == 2 and "review.endorse" in trail


async def test_another_communes_police_cannot_see_or_answer(
    bot_app: App,
    client: SandboxClient,
    people: dict[str, SimUser],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    police = people["consultee"]
    await asked_of_police(people, "Cán bộ cốt cán")
    asked = await consultation(session_factory)
    row = await nomination(session_factory)

    stranger = await proposer(client, session_factory, "consultee", "KT-KR-TL-CA", 9601)
    await stranger.send("/help")
    assert "ý kiến của anh/chị" not in "\n".join(m["text"] or "" for m in await stranger.messages())
    for data in (f"cs:{asked.id}:y", f"cs:{asked.id}:n", f"cs:{asked.id}:e"):
        refused = await stranger.press(data=data, forge=True)
        assert "Anh/chị không thể thao tác" in refused.text
    opened = await stranger.press(data=f"rv:{row.id}:{row.version}:o", forge=True)
    assert "Y Thị Hoa" not in opened.text  # the nominee's name never reaches them
    assert "Không có hồ sơ này" in (await stranger.send(f"/history {row.id}")).text
    assert (await consultation(session_factory)).status == "pending"

    # The consulted police see their own card again, but not the history or the files.
    own = await police.press(data=f"rv:{row.id}:{row.version}:o", forge=True)
    assert "Lấy ý kiến theo" in own.text
    assert "Không có hồ sơ này" in (await police.send(f"/history {row.id}")).text
    files = await police.press(data=f"rv:{row.id}:{row.version}:e", forge=True)
    assert "Kế hoạch không cho cơ quan được hỏi ý kiến xem phần này" in files.text


async def test_a_plan_that_allows_it_lets_the_reviewer_pass_over_with_a_reason(
    bot_app: App,
    client: SandboxClient,
    people: dict[str, SimUser],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await _activate(session_factory, "tiny-consult.toml")
    head, officer, police = people["village_head"], people["commune_officer"], people["consultee"]
    plan = load_plan_file(FIXTURES / "tiny-consult.toml")
    done = await complete(head, plan, await head.send("/propose"), category=2)
    assert "Đủ điều kiện" in done.text, done.text
    assert "Đã gửi" in (await head.press(text="1. Gửi đề xuất")).text
    request = await police_asked(people, await officer.wait_for(WAITING))
    await police.press(text="2. Phản đối", message_id=request["message_id"])
    await police.send("Không rõ người này")
    update = await officer.wait_for("Có ý kiến mới")
    assert "Chuyển lên dù có ý kiến phản đối" in "\n".join(buttons(update))
    label = next(b for b in buttons(update) if "dù có ý kiến phản đối" in b)
    ask = await officer.press(text=label, message_id=update["message_id"])
    assert "Vì sao hồ sơ vẫn đi tiếp" in ask.text
    sent = await officer.send("Đã xác minh tại thôn: đủ điều kiện")
    assert "Huyện Kon Rẫy" in sent.text
    row = await nomination(session_factory)
    assert row.state == "under_review"
    overridden = await consultation(session_factory)
    assert overridden.override_reason == "Đã xác minh tại thôn: đủ điều kiện"
    district = people["district_reviewer"]
    up = await district.wait_for(WAITING)
    assert "người xét duyệt đã vượt qua ý kiến này: Đã xác minh tại thôn" in up["text"]


async def test_police_who_do_not_answer_are_reminded_and_answer_from_the_reminder(
    bot_app: App,
    client: SandboxClient,
    people: dict[str, SimUser],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    officer, police = people["commune_officer"], people["consultee"]
    await asked_of_police(people, "Người có uy tín")
    rounds = bot_app.dispatcher["reminders"]
    await rounds.once()
    assert await reminders_queued(session_factory) == 0  # Kon Tum gives them 3 days (default)

    asked = await consultation(session_factory)
    await set_times(session_factory, asked, requested_at=asked.requested_at - timedelta(days=3))
    await rounds.once()
    assert await reminders_queued(session_factory) == 1
    reminder = await police.wait_for("Nhắc việc", timeout=15)
    assert "Người có uy tín" in reminder["text"]
    assert buttons(reminder) == ["1. Đồng ý", "2. Phản đối", "3. Ghi ý kiến"]
    await rounds.once()  # once per 3 days, however often the pass runs
    assert await reminders_queued(session_factory) == 1
    assert (await consultation(session_factory)).reminders == 1

    await police.press(text="1. Đồng ý", message_id=reminder["message_id"])
    await officer.wait_for("Công an xã Đăk Ruồng: đồng ý")
    await set_times(session_factory, asked, reminded_at=asked.requested_at - timedelta(days=30))
    await rounds.once()  # answered: never again
    assert await reminders_queued(session_factory) == 1
    others = ("village_head", "commune_officer", "district_reviewer")
    for key in others:
        assert not [m for m in await people[key].messages() if "Nhắc việc" in (m["text"] or "")]
