"""`python -m bot reminders preview | run` on the demo data, as an administrator runs them."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.demo import REMINDER_EXAMPLE_DAYS, seed, seed_reminder_example
from bot.handlers.wizard import today
from storage.models import OutboxMessage, Reminder
from tests.test_cli import cli, en, vi

PEOPLE = (
    "A Thút (già làng)",
    "Y Hoa (trưởng thôn)",
    "Nguyễn Thị Lan (VP-TK xã)",
    "Trần Văn Minh (Hội Nông dân)",
)


async def test_preview_prints_a_readable_table_and_run_queues_once(
    database_url: str, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    day = today().date()
    async with session_factory() as session:
        await seed(session, day)
        await seed_reminder_example(session, day)  # what `demo` adds: a deadline 3 days ahead
        await session.commit()
    due = day + timedelta(days=REMINDER_EXAMPLE_DAYS)
    typed = f"{day:%d/%m/%Y}"

    shown = await cli(database_url, "reminders", "preview", "--plan", "demo-nhac-han")
    assert shown.returncode == 0, shown
    assert shown.out[0] == vi("Reminders on {date} ({plan}): {count}").format(
        date=typed, plan="demo-nhac-han", count=4
    )
    header = shown.out[1]
    assert header.startswith(vi("Person")) and header.endswith(vi("Why"))
    assert header.index(vi("Unit")) < header.index(vi("Deadline")) < header.index(vi("When"))
    assert set(shown.out[2]) == {"-", " "}  # a rule under the header
    rows = shown.out[3:]
    assert [row.split("  ")[0] for row in rows] == list(PEOPLE)
    for row in rows:  # every column lines up under its heading
        assert "Xã Đăk Ruồng" in row and f"gui-de-xuat {due:%d/%m/%Y}" in row
        assert vi("{n} days before").format(n=3) in row
        assert row.endswith(
            vi("{count}/{min} sent, {missing} still missing").format(count=0, min=2, missing=2)
        )
        assert row.index("Xã Đăk Ruồng") == shown.out[1].index(vi("Unit"))

    english = await cli(database_url, "--lang", "en", "reminders", "preview", "--date", typed)
    assert english.returncode == 0, english
    assert english.out[0].startswith("Reminders on ")
    assert english.out[1].split()[:2] == ["Person", "Unit"]
    assert "0/2 sent, 2 still missing" in english.stdout

    later = f"{day - timedelta(days=30):%d/%m/%Y}"
    quiet = await cli(
        database_url, "reminders", "preview", "--plan", "demo-nhac-han", "--date", later
    )
    assert quiet.out == [
        vi("Nobody would be reminded on {date} ({plan}).").format(date=later, plan="demo-nhac-han")
    ]

    bad = await cli(database_url, "reminders", "preview", "--date", "31/02/2026")
    assert bad.returncode == 2 and vi("expected a date as dd/mm/yyyy") in bad.stderr
    assert "Traceback" not in bad.stderr

    first = await cli(database_url, "reminders", "run", QUIET_HOURS="off")
    again = await cli(database_url, "--lang", "en", "reminders", "run", QUIET_HOURS="off")
    assert first.returncode == 0 and again.returncode == 0, (first, again)
    due_today = int(re.findall(r"\d+", first.out[0])[0])  # "Hôm nay có N lời nhắc; …"
    assert due_today >= 4
    assert again.out[0] == en(
        "{due} reminders due today; {queued} queued now, {before} queued before."
    ).format(due=due_today, queued=0, before=due_today)
    async with session_factory() as session:
        assert await session.scalar(select(func.count(Reminder.id))) == due_today
        assert await session.scalar(select(func.count(OutboxMessage.id))) == due_today
