"""Issue 5, end to end: the review chain in chat, with its rules under pressure."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App, create_app, run_polling
from bot.config import Settings
from bot.handlers.wizard import today
from bot.plans.loader import load_plan_file, load_preset
from bot.workflow.activations import activate_plan
from bot.workflow.plans import store_plan
from sandbox.client import SandboxClient, SimUser
from sandbox.server import Sandbox
from storage.models import AuditEntry, Nomination, NominationVersion
from tests.e2e.conftest import start_bot, stop_bot
from tests.e2e.test_wizard import proposer
from tests.e2e.wizard_driver import complete

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FORWARD = "1. Đồng ý và chuyển lên"
WAITING = "đang chờ anh/chị xét duyệt"


async def nomination(factory: async_sessionmaker[AsyncSession], nid: int = 1) -> Nomination:
    async with factory() as session:
        row = await session.get(Nomination, nid)
        assert row is not None
        return row


async def actions(factory: async_sessionmaker[AsyncSession], nid: int) -> list[str]:
    async with factory() as session:
        rows = await session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == "nomination", AuditEntry.object_id == str(nid))
            .order_by(AuditEntry.id)
        )
        return list(rows.all())


async def propose_and_send(user: SimUser, plan_id: str, **kwargs: Any) -> None:
    run = await complete(user, load_preset(plan_id), await user.send("/propose"), **kwargs)
    assert "Đủ điều kiện" in run.text, run.text
    sent = await user.press(text="1. Gửi đề xuất")
    assert "Đã gửi" in sent.text


async def officer_card(people: dict[str, SimUser], plan_id: str, **kwargs: Any) -> dict:
    """The village head proposes under ``plan_id``; the card as the commune officer got it."""
    await propose_and_send(people["village_head"], plan_id, **kwargs)
    return await people["commune_officer"].wait_for(WAITING)


def buttons(message: dict[str, Any]) -> list[str]:
    return [b["text"] for row in message.get("buttons") or [] for b in row]


async def test_full_chain_commune_district_province_kontum(
    bot_app: App,
    people: dict[str, SimUser],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    head, officer = people["village_head"], people["commune_officer"]
    district, province = people["district_reviewer"], people["province_reviewer"]
    card = await officer_card(people, "kontum-44-2023")
    assert "Y Thị Hoa" in card["text"] and "Tiêu chí đạt:" in card["text"]
    # Every criterion of the category, with its answer and verdict, and the files it holds.
    kontum = load_preset("kontum-44-2023")
    criteria = kontum.criteria_for("lao-dong-san-xuat-kinh-doanh", "individual")
    listed = [line for line in card["text"].splitlines() if "→" in line]
    assert len(listed) == len(criteria) == 13
    assert all("→ ✅ đạt" in line for line in listed)
    assert "Già làng → ✅ đạt" in listed[0] and "Có → ✅ đạt · 📎 1 tệp" in listed[2]
    assert "Chỉ tiêu: Huyện Kon Rẫy: 1/20" in card["text"]
    # Each file comes with a caption naming the nominee and what it proves.
    files = await officer.press(text="4. Minh chứng", message_id=card["message_id"])
    [photo] = [m for m in files.messages if m["kind"] == "photo"]
    assert photo["caption"].startswith("Số 1 · Y Thị Hoa — minh chứng cho: Có thành tích")
    assert "(Điều 6.1.a)" in photo["caption"]
    forwarded = await officer.press(text=FORWARD, message_id=card["message_id"])
    assert "Huyện Kon Rẫy" in forwarded.text
    told = await head.wait_for("chuyển lên cấp trên")
    assert "Nguyễn Thị Lan" in told["text"]

    # The district answers by typing, as on a channel without buttons: the card says how.
    card = await district.wait_for(WAITING)
    assert card["text"].endswith("Điện thoại không có nút bấm? Gõ /review.")
    assert "chưa hiểu" in (await district.send("1")).text  # the card came on its own
    assert "1. #1 Y Thị Hoa" in (await district.send("/review")).text
    assert "Hồ sơ số 1" in (await district.send("1")).text
    assert "Tỉnh Kon Tum" in (await district.send("1")).text
    card = await province.wait_for(WAITING)
    assert "1. Phê duyệt" in buttons(card)
    done = await province.press(text="1. Phê duyệt", message_id=card["message_id"])
    assert "Đã phê duyệt" in done.text
    assert "đã được phê duyệt" in (await head.wait_for("Hoàng Anh"))["text"]

    row = await nomination(session_factory)
    assert row.state == "approved"
    assert await actions(session_factory, 1) == [
        "nomination.create",
        "nomination.consent",
        "nomination.submit",
        "review.endorse",
        "review.endorse",
        "review.approve",
    ]
    history = await head.send("/history 1")
    assert (
        history.text.count("→") == 5
        and "Hoàng Anh (Ban Dân tộc tỉnh): đã phê duyệt" in history.text
    )


async def test_return_edit_resubmit_approve_keeps_history_konray(
    bot_app: App,
    people: dict[str, SimUser],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    head, officer, district = (
        people["village_head"],
        people["commune_officer"],
        people["district_reviewer"],
    )
    card = await officer_card(people, "konray-2023-2025")
    ask = await officer.press(text="2. Trả lại để sửa", message_id=card["message_id"])
    assert "lý do" in ask.text
    returned = await officer.send("Năm sinh chưa đúng, đề nghị kiểm tra lại")
    assert "Đã trả lại" in returned.text
    told = await head.wait_for("Năm sinh chưa đúng")
    assert "trả lại để sửa" in told["text"]
    row = await nomination(session_factory)
    assert (row.state, row.round) == ("returned", 1)

    reason = "↩️ Trả lại để sửa: Năm sinh chưa đúng, đề nghị kiểm tra lại"
    opened = await head.press(text="1. Mở bản nháp", message_id=told["message_id"])
    assert "Tóm tắt hồ sơ đề xuất" in opened.text and opened.text.startswith(reason)
    menu = await head.press(text="2. Sửa câu trả lời")
    assert menu.text.startswith(reason)  # on every screen of the returned draft
    asked = await head.press(text=next(b for b in menu.buttons if "Năm sinh" in b))
    assert asked.text.startswith(reason) and "Năm sinh?" in asked.text
    summary = await head.send("1968")
    assert "Năm sinh: 1968" in summary.text and summary.text.startswith(reason)
    assert "Đã gửi" in (await head.press(text="1. Gửi đề xuất")).text

    card = await officer.wait_for(lambda m: WAITING in m["text"] and "1968" in m["text"])
    # The reviewer sees what changed since the return: answers before → after, files added.
    changed = card["text"].split("🔁 Đã sửa từ khi trả lại:")[1]
    assert "Năm sinh: 1975 → 1968" in changed and changed.count("•") == 1
    await officer.press(text=FORWARD, message_id=card["message_id"])
    card = await district.wait_for(WAITING)
    await district.press(text="1. Phê duyệt", message_id=card["message_id"])
    row = await nomination(session_factory)
    assert (row.state, row.round, row.nominee["birth_year"]) == ("approved", 2, 1968)
    async with session_factory() as session:
        versions = (
            await session.scalars(select(NominationVersion).order_by(NominationVersion.round))
        ).all()
    assert [v.snapshot["nominee"]["birth_year"] for v in versions] == [1975, 1968]
    trail = await actions(session_factory, 1)
    assert trail.count("nomination.submit") == 2 and "review.return" in trail
    history = await head.send("/history 1")
    assert "Năm sinh chưa đúng" in history.text


async def test_reject_with_reason_then_withdraw(
    bot_app: App,
    people: dict[str, SimUser],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    head, officer = people["village_head"], people["commune_officer"]
    card = await officer_card(people, "konray-2023-2025")
    await officer.press(text="3. Từ chối", message_id=card["message_id"])
    assert "vài từ" in (await officer.send("x")).text
    await officer.send("Không đúng đối tượng của kế hoạch")
    told = await head.wait_for("bị từ chối")
    assert "Không đúng đối tượng" in told["text"]
    assert (await nomination(session_factory)).state == "rejected"
    late = await officer.press(text=FORWARD, message_id=card["message_id"])
    assert "Đã được Nguyễn Thị Lan" in late.text and "bị từ chối" in late.text

    await propose_and_send(head, "konray-2023-2025")
    withdrawn = await head.press(text="Rút lại")
    assert "đã được rút lại" in withdrawn.text
    assert (await nomination(session_factory, 2)).state == "withdrawn"
    assert "#2" not in (await officer.send("/review")).text


async def test_consultee_opinion_is_asked_and_attached(
    bot_app: App,
    people: dict[str, SimUser],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    officer, police = people["commune_officer"], people["consultee"]
    card = await officer_card(
        people, "kontum-44-2023", overrides={"doi-tuong-ap-dung": "Người có uy tín"}
    )
    assert "Cần ý kiến của:" in card["text"]
    early = await officer.press(text=FORWARD, message_id=card["message_id"])
    assert "cho ý kiến trước" in early.text
    asked = await officer.press(text="6. Hỏi ý kiến", message_id=card["message_id"])
    assert "Công an xã Đăk Ruồng: đã hỏi" in asked.text
    assert "chưa có ai đăng ký" in asked.text  # the Front has nobody registered in the demo
    request = await police.wait_for("ý kiến của anh/chị")
    answered = await police.press(text="1. Đồng ý", message_id=request["message_id"])
    assert "đính kèm" in answered.text
    update = await officer.wait_for("Có ý kiến mới")
    assert "Công an xã Đăk Ruồng: đồng ý" in update["text"]
    forwarded = await officer.press(text=FORWARD, message_id=update["message_id"])
    assert "Huyện Kon Rẫy" in forwarded.text
    assert "consultation.answer" in await actions(session_factory, 1)


async def _activate(factory: async_sessionmaker[AsyncSession], name: str) -> None:
    async with factory() as session:
        version, _ = await store_plan(session, (FIXTURES / name).read_text("utf-8"), name)
        year = today().year
        await activate_plan(
            session,
            version.plan_id,
            "KT-KR",
            starts_on=date(year, 1, 1),
            ends_on=date(year, 12, 31),
        )
        await session.commit()


@pytest.fixture
async def tiny(session_factory: async_sessionmaker[AsyncSession], seeded: None) -> None:
    await _activate(session_factory, "tiny-plan.toml")


async def quick(user: SimUser, name: str = "tiny-plan.toml") -> None:
    run = await complete(user, load_plan_file(FIXTURES / name), await user.send("/propose"))
    assert "Đủ điều kiện" in run.text, run.text
    assert "Đã gửi" in (await user.press(text="1. Gửi đề xuất")).text


async def test_quota_maximum_stops_a_forward(
    bot_app: App,
    client: SandboxClient,
    tiny: None,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    officer = await proposer(client, session_factory, "commune_officer", "KT-KR-DRU", 9100)
    await quick(await proposer(client, session_factory, "village_head", "KT-KR-DRU-T1", 9101))
    await quick(await proposer(client, session_factory, "village_head", "KT-KR-DRU-T2", 9102))
    queue = await officer.send("/review")
    assert "#1" in queue.text and "#2" in queue.text
    first = await officer.press(text="1. Mở 1")
    await officer.press(text=FORWARD, message_id=first.messages[-1]["message_id"])
    await officer.send("/review")
    second = await officer.press(text="1. Mở 1")
    refused = await officer.press(text=FORWARD, message_id=second.messages[-1]["message_id"])
    assert "chuyển lên tối đa 1 (Mục 1)" in refused.text
    assert (await nomination(session_factory, 2)).state == "submitted"


async def test_forged_callbacks_refused_and_audited_districts_apart(
    bot_app: App,
    client: SandboxClient,
    tiny: None,
    people: dict[str, SimUser],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    head = people["village_head"]
    await quick(head)
    row = await nomination(session_factory)
    elsewhere = await proposer(client, session_factory, "district_reviewer", "KT-DH-NV", 9200)
    other_commune = await proposer(client, session_factory, "commune_officer", "KT-DH-DM", 9201)
    for stranger in (elsewhere, other_commune, head):
        await stranger.send("/help")
        forged = await stranger.press(data=f"rv:{row.id}:{row.version}:a", forge=True)
        assert "Anh/chị không thể thao tác" in forged.text
        forged = await stranger.press(data=f"rv:{row.id}:{row.version}:r", forge=True)
        assert "Anh/chị không thể thao tác" in forged.text
    assert (await nomination(session_factory)).state == "submitted"
    async with session_factory() as session:
        refused = await session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "review.refused")
        )
    assert refused == 6
    assert "Không có hồ sơ nào" in (await elsewhere.send("/review")).text
    assert "Không có hồ sơ này" in (await elsewhere.send(f"/history {row.id}")).text
    assert "Không có hồ sơ này" in (await other_commune.send(f"/history {row.id}")).text


async def test_two_reviewers_pressing_together_give_one_decision(
    sandbox: Sandbox,
    seeded: None,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await _activate(session_factory, "tiny-approve.toml")
    rounds = 12
    app, task = await start_bot(settings)  # one update at a time, to prepare
    async with SandboxClient(sandbox.base_url, timeout=15) as client:
        a = await proposer(client, session_factory, "commune_officer", "KT-KR-DRU", 9301)
        b = await proposer(client, session_factory, "commune_officer", "KT-KR-DRU-HND", 9302)
        head = await proposer(client, session_factory, "village_head", "KT-KR-DRU-T1", 9310)
        for _ in range(rounds):
            await quick(head, "tiny-approve.toml")
    await stop_bot(app, task)

    app = create_app(settings)  # now updates are handled concurrently, as in production
    task = asyncio.create_task(run_polling(app, handle_signals=False, handle_as_tasks=True))
    try:
        async with SandboxClient(sandbox.base_url, timeout=15) as client:
            a, b = await client.user(9301, "A"), await client.user(9302, "B")
            for nid in range(1, rounds + 1):
                row = await nomination(session_factory, nid)
                data = f"rv:{nid}:{row.version}:a"
                await asyncio.gather(
                    a.press(data=data, forge=True, wait=False),
                    b.press(data=data, forge=True, wait=False),
                )
            for nid in range(1, rounds + 1):
                for _ in range(100):
                    if (await nomination(session_factory, nid)).state == "approved":
                        break
                    await asyncio.sleep(0.05)
            await asyncio.sleep(0.5)  # the losing presses finish too
            said = [
                m["text"] for user in (a, b) for m in await user.messages() if m["from"] == "bot"
            ]
    finally:
        await stop_bot(app, task)
    for nid in range(1, rounds + 1):
        trail = await actions(session_factory, nid)
        assert trail.count("review.approve") == 1, (nid, trail)
        assert (await nomination(session_factory, nid)).state == "approved"
    assert sum("Đã phê duyệt." in text for text in said) == rounds
    assert sum(text.startswith("Đã được") for text in said) == rounds


async def test_cancel_drops_a_pending_reason(
    bot_app: App,
    people: dict[str, SimUser],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    officer = people["commune_officer"]
    card = await officer_card(people, "konray-2023-2025")
    await officer.press(text="2. Trả lại để sửa", message_id=card["message_id"])
    assert "Đã dừng" in (await officer.send("/cancel")).text
    assert "chưa hiểu" in (await officer.send("Lý do nào đó")).text
    assert (await nomination(session_factory)).state == "submitted"


async def test_review_queue_pages_oldest_first_and_filters(
    bot_app: App,
    client: SandboxClient,
    tiny: None,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    officer = await proposer(client, session_factory, "commune_officer", "KT-KR-DRU", 9400)
    near = await proposer(client, session_factory, "village_head", "KT-KR-DRU-T1", 9401)
    far = await proposer(client, session_factory, "village_head", "KT-KR-DRU-T2", 9402)
    for user in (near, near, near, far, far, far, far):
        await quick(user)
    first = await officer.send("/review")
    assert "7 hồ sơ" in first.text and "trang 1/2" in first.text
    listed = [line for line in first.text.splitlines() if line[:2] in ("1.", "2.", "3.")]
    assert [line.split()[1] for line in listed] == ["#1", "#2", "#3"]  # oldest first
    second = await officer.press(text="Tiếp ▶")
    assert "trang 2/2" in second.text and "#6" in second.text and "#1 " not in second.text
    only_far = await officer.send("/review unit=KT-KR-DRU-T2")
    assert "4 hồ sơ" in only_far.text and "#1 " not in only_far.text
    assert "4 hồ sơ" in (await officer.send("/review plan=tiny-2026 unit=KT-KR-DRU-T2")).text
    none = await officer.send("/review plan=kontum-44-2023")
    assert "Không có hồ sơ nào" in none.text
    by_field = await officer.send("/review field=nguoi-tot")
    assert "7 hồ sơ" in by_field.text
