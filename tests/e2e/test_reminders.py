"""Deadline reminders end to end: the bot's own pass, the outbox, the chat, buttons and typing.

A plan written for the test has a deadline three days from today, run in Kon Rẫy over the demo
tree; its communes owe one proposal each. The bot, started as `run` starts it, plans and sends
the reminders itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from bot.config import Settings
from bot.handlers.wizard import today
from bot.workflow.activations import activate_plan
from bot.workflow.plans import store_plan
from sandbox.client import SandboxClient, SimUser
from sandbox.server import Sandbox
from storage.models import Reminder
from tests.e2e.conftest import sandbox_settings, start_bot, stop_bot

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TITLE = "Gửi danh sách đề xuất gương điển hình về huyện"
PLAN_TITLE = "Kế hoạch thử nghiệm điển hình tiên tiến năm 2026"


def plan_due_in(days: int, start: date) -> str:
    """The tiny test plan, renamed, with one proposal deadline ``days`` after ``start``."""
    due = start + timedelta(days=days)
    text = (FIXTURES / "tiny-plan.toml").read_text("utf-8")
    text = text.replace('id = "tiny-2026"', 'id = "nhac-han-e2e"')
    text = text.replace("issued_on = 2026-01-01", f"issued_on = {start.replace(day=1)}")
    text = text.replace(
        "period = { start = 2026-01-01, end = 2026-12-31 }",
        f"period = {{ start = {start.replace(day=1)}, end = {due + timedelta(days=30)} }}",
    )
    deadline = (
        f'[[deadline]]\nid = "gui-de-xuat"\ntitle = "{TITLE}"\ndate = {due}\n'
        'owed_by = "commune"\nstage = "propose"\ncite = "Mục 3"\n\n'
    )
    return text.replace("[[quota]]", deadline + "[[quota]]", 1)


@pytest.fixture
def settings(database_url: str, sandbox: Sandbox, tmp_path: Path) -> Settings:
    # Whatever the hour the test runs at, the reminders go out now.
    return sandbox_settings(database_url, sandbox, tmp_path).model_copy(
        update={"quiet_hours": "off"}
    )


@pytest.fixture
async def due_in_three_days(
    seeded: None, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session:
        text = plan_due_in(3, today().date())
        await store_plan(session, text, "nhac-han-e2e.toml")
        await activate_plan(session, "nhac-han-e2e", "KT-KR")
        await session.commit()


@pytest.fixture
async def reminding_bot(
    due_in_three_days: None, people: dict[str, SimUser], settings: Settings
) -> AsyncIterator[App]:
    app, task = await start_bot(settings)
    yield app
    await stop_bot(app, task)


async def test_the_proposers_of_a_commune_behind_are_reminded_once(
    reminding_bot: App,
    people: dict[str, SimUser],
    client: SandboxClient,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    head = people["village_head"]
    reminder = await head.wait_for(TITLE, timeout=15)
    text = reminder["text"]
    due = today().date() + timedelta(days=3)
    assert "⏰ Nhắc hạn" in text
    assert f"{due:%d/%m/%Y} (còn 3 ngày)" in text
    assert "Xã Đăk Ruồng: 0/1 đã gửi, còn thiếu 1" in text
    assert "gõ /propose" in text
    assert [b["text"] for row in reminder["buttons"] for b in row] == ["Đề xuất người mới"]
    # Each proposer of Đăk Ruồng (two village heads, two commune officers) got it, once; the
    # reviewers and the people elsewhere did not.
    for key in ("village_head_1002", "commune_officer", "commune_officer_1004"):
        await people[key].wait_for(TITLE, timeout=15)
    for key in ("district_reviewer", "province_reviewer", "admin", "guest", "consultee"):
        assert not [m for m in await people[key].messages() if TITLE in (m.get("text") or "")]
    # Another pass (as after a restart) plans nothing again.
    assert await reminding_bot.dispatcher["reminders"].once() == 0
    async with session_factory() as session:
        assert await session.scalar(select(func.count(Reminder.id))) == 4
    sent = [r for r in await client.requests("sendMessage") if TITLE in str(r["params"])]
    assert len(sent) == 4

    # The button starts a proposal in the plan the reminder is about; typing /propose (on a
    # channel without buttons) offers it among the running plans.
    pressed = await head.press(text="Đề xuất người mới", message_id=reminder["message_id"])
    assert PLAN_TITLE in pressed.text.splitlines()[0], pressed.text
    assert "Bước 1/" in pressed.text
    typed = await people["village_head_1002"].send("/propose")
    assert PLAN_TITLE in typed.text and "1/" not in typed.text.splitlines()[0]
