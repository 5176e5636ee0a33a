"""Broadcasts end to end, on the emulator with Telegram's flood limits on.

Demo people: 1001/1002 village heads and 1003 commune officer of Đăk Ruồng, 1004 commune
officer in its Farmers' Association, 1005 Kon Rẫy's district reviewer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from bot.config import Settings
from bot.workflow.units import unit_by_code
from sandbox.client import SandboxClient, SimUser
from sandbox.flood import FloodLimits
from sandbox.server import DEFAULT_TOKEN, Sandbox, run_sandbox
from storage.models import AuditEntry, Broadcast, Membership, OutboxMessage, User
from tests.e2e.conftest import sandbox_settings, start_bot, stop_bot
from tests.test_cli import Result, cli, vi

NOTICE = "Họp thôn lúc 8 giờ sáng thứ Bảy tại nhà văn hóa"


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with run_sandbox(DEFAULT_TOKEN, flood=FloodLimits()) as running:  # Telegram's limits
        yield running


@pytest.fixture
def settings(database_url: str, sandbox: Sandbox, tmp_path: Path) -> Settings:
    return sandbox_settings(database_url, sandbox, tmp_path).model_copy(
        update={"quiet_hours": "off"}
    )


@pytest.fixture
async def bot_app(settings: Settings, people: dict[str, SimUser]) -> AsyncIterator[App]:
    app, task = await start_bot(settings)
    app.dispatcher["broadcast_progress"].interval = 0.3
    yield app
    await stop_bot(app, task)


def texts(messages: list[dict[str, object]]) -> list[str]:
    return [str(m.get("text") or "") for m in messages if m["from"] == "bot"]


async def got_notice(user: SimUser) -> int:
    return sum(1 for t in texts(await user.messages()) if NOTICE in t)


async def test_a_commune_officer_tells_the_village_heads_and_only_them(
    bot_app: App,
    people: dict[str, SimUser],
    client: SandboxClient,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    officer = people["commune_officer"]
    first = await officer.send("/broadcast")
    assert "Viết nội dung thông báo" in first.text
    units = await officer.send(NOTICE)
    assert "Xã Đăk Ruồng (KT-KR-DRU)" in units.buttons[0]
    scope = await officer.press(text=units.buttons[0])
    assert "Xã Đăk Ruồng" in scope.text
    roles = await officer.press(text=scope.buttons[0])  # all of it
    picked = await officer.press(text=roles.buttons[0])  # village heads
    assert picked.buttons[0].endswith("✓ Trưởng thôn")
    preview = await officer.press(text="Tiếp tục ▶")
    assert NOTICE in preview.text and "Người nhận: 2" in preview.text
    sent = await officer.press(text=preview.buttons[0])
    assert "đang được gửi tới 2 người" in sent.text
    done = await officer.wait_for("✅ Xong", timeout=20)
    assert "Đã gửi 2" in done["text"] and "còn lại 0" in done["text"]

    for key in ("village_head", "village_head_1002"):
        await people[key].wait_for(NOTICE, timeout=10)
        assert await got_notice(people[key]) == 1
        heading = next(t for t in texts(await people[key].messages()) if NOTICE in t)
        assert heading.startswith("📢 Thông báo của Nguyễn Thị Lan (VP-TK xã) (Xã Đăk Ruồng)")
    for key in ("commune_officer_1004", "district_reviewer", "consultee", "guest"):
        assert await got_notice(people[key]) == 0
    # No 429 to any recipient. (The officer's own chat may meet one: this test presses a
    # button several times a second and watches the progress at 0.3 s, faster than a person.)
    refused = [r for r in await client.requests() if r["status"] == 429]
    assert [r for r in refused if str(r["params"].get("chat_id")) != "1003"] == []
    async with session_factory() as session:
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "broadcast.send")
        )
        assert entry is not None and entry.details is not None
        assert entry.details["text"] == NOTICE and entry.details["unit"] == "KT-KR-DRU"
        assert entry.details["audiences"] == ["village_heads"]


async def test_outside_their_subtree_is_refused(bot_app: App, people: dict[str, SimUser]) -> None:
    officer = people["commune_officer"]
    await officer.send("/broadcast")
    await officer.send(NOTICE)
    refused = await officer.send("KT-KR")  # the district, above the commune
    assert "ngoài phạm vi" in refused.text
    village = await people["village_head"].send("/broadcast")
    assert "Chỉ quản trị viên và người xét duyệt" in village.text


async def test_a_walk_typed_from_end_to_end_without_a_button(
    bot_app: App, people: dict[str, SimUser], session_factory: async_sessionmaker[AsyncSession]
) -> None:
    district = people["district_reviewer"]
    for text in ("/broadcast", NOTICE, "KT-KR-DRU", "2"):
        reply = await district.send(text)
        assert reply.text, text
    assert "Gửi cho ai" in reply.text
    preview = await district.send("2, 1")  # commune officers and village heads
    # Đăk Ruồng alone: its officers (1003, and 1004 in its Farmers' Association); the heads
    # of its villages are not in the commune alone.
    assert "Người nhận: 2" in preview.text
    done = await district.send("gửi")
    assert "đang được gửi tới" in done.text
    await people["commune_officer"].wait_for(NOTICE, timeout=10)
    await people["commune_officer_1004"].wait_for(NOTICE, timeout=10)
    assert await got_notice(people["village_head"]) == 0
    async with session_factory() as session:
        broadcast = await session.scalar(select(Broadcast))
        assert broadcast is not None and broadcast.only_unit and broadcast.recipients == 2


async def test_stop_holds_back_what_has_not_gone_out(
    bot_app: App,
    people: dict[str, SimUser],
    client: SandboxClient,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:  # 300 more village heads in Đăk Ruồng's villages
        village = await unit_by_code(session, "KT-KR-DRU-T2")
        assert village is not None
        for n in range(300):
            user = User(telegram_id=900_000 + n, full_name=f"Trưởng thôn {n}")
            session.add(user)
            await session.flush()
            session.add(Membership(user_id=user.id, unit_id=village.id, role="village_head"))
        await session.commit()
    for n in range(300):
        await client.user(900_000 + n, f"Trưởng thôn {n}", started=True)
    officer = people["commune_officer"]
    for text in ("/broadcast", NOTICE, "1", "1", "1"):
        await officer.send(text)
    await officer.send("gửi")
    progress = await officer.wait_for("· còn lại", timeout=10)
    assert [b["text"] for row in progress["buttons"] for b in row] == ["Dừng"]
    stopped = await officer.press(text="Dừng", message_id=progress["message_id"])
    assert any("Đã dừng" in str(a.get("text")) for a in stopped.callback_answers), stopped
    final = await officer.wait_for("Đã dừng", timeout=10)
    async with session_factory() as session:
        rows = dict(
            (
                await session.execute(
                    select(OutboxMessage.state, func.count(OutboxMessage.id)).group_by(
                        OutboxMessage.state
                    )
                )
            ).all()
        )
    assert rows.get("cancelled", 0) > 200, rows
    assert rows.get("pending", 0) == 0 and rows.get("sending", 0) == 0
    assert f"{rows['cancelled']}" in final["text"]


async def send_from_cli(
    database_url: str, *roles: str, options: tuple[str, ...] = (), **env: str
) -> Result:
    """``python -m bot broadcast send`` of NOTICE to Đăk Ruồng's ``roles``, with ``options``."""
    role_options = [word for role in roles for word in ("--role", role)]
    return await cli(
        database_url,
        "broadcast",
        "send",
        "--unit",
        "KT-KR-DRU",
        *role_options,
        "--text",
        NOTICE,
        *options,
        **env,
    )


async def test_from_the_command_line_with_a_progress_bar_list_and_show(
    bot_app: App,
    people: dict[str, SimUser],
    database_url: str,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await people["village_head_1002"].block()
    sent = await send_from_cli(database_url, "village_heads", "commune_officers")
    assert sent.returncode == 0, sent
    assert sent.out[0] == vi(
        "Broadcast no. {id}: {count} messages queued; the running bot sends them."
    ).format(id=1, count=4)
    assert sent.out[-1] == vi(
        "Sent {sent} · failed {failed} · blocked {blocked} · left {left}"
    ).format(sent=3, failed=0, blocked=1, left=0)
    assert "4/4" in sent.stderr  # tqdm's bar, at its end
    await people["village_head"].wait_for(NOTICE, timeout=10)
    heading = next(t for t in texts(await people["village_head"].messages()) if NOTICE in t)
    assert heading.startswith("📢 Thông báo tới Xã Đăk Ruồng:")

    async with session_factory() as session:  # the running bot marks it done once all went
        for _ in range(50):
            row = await session.get(Broadcast, 1)
            assert row is not None
            if row.state == "done":
                break
            await asyncio.sleep(0.1)
            await session.refresh(row)
        assert row.state == "done" and row.finished_at is not None
    listed = await cli(database_url, "broadcast", "list")
    assert listed.returncode == 0, listed
    assert listed.out[0].startswith(
        vi("no. {id}  {when}  {unit}  {groups}  {count} people: {counts}").split("{id}")[0] + "1  "
    )
    assert "KT-KR-DRU" in listed.out[0] and "village_heads,commune_officers" in listed.out[0]
    shown = await cli(database_url, "--lang", "en", "broadcast", "show", "1")
    assert shown.returncode == 0, shown
    assert NOTICE in shown.out
    assert "  blocked: Y Hoa (trưởng thôn) (1002)" in shown.stdout
    missing = await cli(database_url, "broadcast", "show", "99")
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    outside = await cli(
        database_url, "broadcast", "send", "--unit", "NOPE", "--role", "everyone", "--text", "x"
    )
    assert outside.returncode == 1 and "NOPE" in outside.stderr


async def test_a_file_from_the_command_line_is_uploaded_once(
    bot_app: App,
    people: dict[str, SimUser],
    client: SandboxClient,
    database_url: str,
    settings: Settings,
    tmp_path: Path,
) -> None:
    leaflet = tmp_path / "to-roi.pdf"
    leaflet.write_bytes(b"%PDF-1.4\n% leaflet of the conference\n")
    sent = await send_from_cli(
        database_url,
        "commune_officers",
        options=("--file", str(leaflet)),
        EVIDENCE_DIR=str(settings.evidence_dir),
    )
    assert sent.returncode == 0, sent
    for key in ("commune_officer", "commune_officer_1004"):
        await people[key].wait_for(NOTICE, timeout=10)
        kinds = [m["kind"] for m in await people[key].messages() if m["from"] == "bot"]
        assert kinds[-2:] == ["text", "document"], kinds
    documents = [r for r in await client.requests("sendDocument") if r["ok"]]
    uploads = [r for r in documents if isinstance(r["params"].get("document"), dict)]
    assert len(documents) == 2 and len(uploads) == 1  # the second went by Telegram's file id
    missing = await send_from_cli(
        database_url, "commune_officers", options=("--file", str(tmp_path / "nope.pdf"))
    )
    assert missing.returncode == 1 and "nope.pdf" in missing.stderr
    assert "Traceback" not in missing.stderr


async def test_a_notice_about_a_plan_lets_its_proposers_start_one(
    bot_app: App, people: dict[str, SimUser]
) -> None:
    officer = people["commune_officer"]
    for text in ("/broadcast", NOTICE, "1", "1", "1"):
        await officer.send(text)
    plans = await officer.send("2")  # link a plan
    konray = next(b for b in plans.buttons if "UBND huyện Kon Rẫy" in b)
    preview = await officer.send(konray.split(".")[0])  # typed: its number
    assert "Về kế hoạch: Kế hoạch xây dựng tiêu chuẩn" in preview.text
    await officer.send("gửi")
    head = people["village_head"]
    notice = await head.wait_for(NOTICE, timeout=10)
    assert "gõ /propose" in notice["text"]
    assert [b["text"] for row in notice["buttons"] for b in row] == ["Đề xuất theo kế hoạch này"]
    started = await head.press(text="Đề xuất theo kế hoạch này", message_id=notice["message_id"])
    assert "Đề xuất mới theo: Kế hoạch xây dựng tiêu chuẩn" in started.text


async def test_a_photo_goes_with_the_notice_and_cancel_ends_the_dialog(
    bot_app: App, people: dict[str, SimUser], session_factory: async_sessionmaker[AsyncSession]
) -> None:
    district = people["district_reviewer"]
    await district.send("/broadcast")
    refused = await district.send(NOTICE)
    elsewhere = await district.send("KT-DH")  # another district: not theirs
    assert "ngoài phạm vi" in elsewhere.text and refused.text
    cancelled = await district.send("/cancel")
    assert cancelled.text
    after = await district.send("KT-KR-DRU")  # no longer an answer to the dialog
    assert "Gửi tới" not in after.text
    async with session_factory() as session:
        user = await session.scalar(select(User).where(User.telegram_id == 1005))
        assert user is not None and user.pending_action is None

    await district.send("/broadcast")
    await district.photo(caption=NOTICE)
    for text in ("KT-KR-DRU", "1", "1"):
        await district.send(text)
    preview = await district.send("gửi")
    assert "đang được gửi tới 2 người" in preview.text
    head = people["village_head"]
    await head.wait_for(NOTICE, timeout=10)
    received = [m for m in await head.messages() if m["from"] == "bot"]
    assert [m["kind"] for m in received[-2:]] == ["text", "photo"], received[-2:]
