"""Deadline reminders on the demo tree, with a controlled clock: who, on which days, and once.

Each preset runs here over its own period (activated on the demo unit the demo gives it), so
its deadlines fall where the document puts them. Demo people: 1001/1002 village heads and 1003
commune officer of Đăk Ruồng, 1004 commune officer in its Farmers' Association (all in Kon
Rẫy), 1005 Kon Rẫy's district reviewer, 1006 the province reviewer. Added here: Đăk Mar (in
Đăk Hà) gets a village head (2101) and a commune officer (2102), Đăk Hà a district reviewer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.dialogs.reminders import OPEN_DRAFTS, OPEN_QUEUE, PROPOSE, render_reminder
from bot.outbox.queue import PENDING
from bot.reminders.quiet import QuietHours
from bot.reminders.rounds import run_pass
from bot.workflow.activations import activate_plan
from bot.workflow.deadlines import (
    BEFORE,
    BELOW_QUOTA,
    DRAFTS,
    OVERDUE,
    QUEUE,
    Planned,
    reminder_due,
    reminders_for_day,
)
from bot.workflow.plans import find_version
from storage.models import Nomination, OutboxMessage, Reminder, User
from tests.conftest import PG_URL
from tests.workflow.seeded import seeded_database, unit, user

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NIGHT = QuietHours(time(21), time(7))
EXTRA_PEOPLE = (
    (2101, "Trưởng thôn Đăk Mar", "village_head", "KT-DH-DM-T1"),
    (2102, "Cán bộ xã Đăk Mar", "commune_officer", "KT-DH-DM"),
    (2103, "Phòng Nội vụ Đăk Hà", "district_reviewer", "KT-DH-NV"),
)

seeded_file, database_url = seeded_database(people=EXTRA_PEOPLE)

#: Where the demo runs each preset.
HOME = {
    "kontum-44-2023": "KT",
    "konray-2023-2025": "KT-KR",
    "quanglac-2023": "KT-KR-DRU",
    "dakdoa-101-2021": "KT-DH",
    "dalat-2023": "KT-DH",
}


async def over_its_period(session: AsyncSession, plan_id: str) -> None:
    """Run the preset over the period its document gives (the demo runs it this year only)."""
    await activate_plan(session, plan_id, HOME[plan_id])
    await session.flush()


async def nominate(
    session: AsyncSession,
    plan_id: str,
    proposer: int,
    unit_code: str,
    state: str = "submitted",
    *,
    reviewing: str | None = None,
    submitted: datetime | None = None,
) -> Nomination:
    version = await find_version(session, plan_id)
    assert version is not None
    nomination = Nomination(
        plan_version_id=version.id,
        plan_id=plan_id,
        proposer_id=(await user(session, proposer)).id,
        unit_id=(await unit(session, unit_code)).id,
        state=state,
        subject_kind="individual",
        nominee={"name": "Người thử"},
        answers={},
        submitted_at=submitted,
        review_unit_id=(await unit(session, reviewing)).id if reviewing else None,
    )
    session.add(nomination)
    await session.flush()
    return nomination


def who(planned: list[Planned], plan_id: str | None = None) -> set[tuple[object, ...]]:
    """(telegram id, unit code, kind, days before, reasons) of each reminder."""
    return {
        (p.user.telegram_id, p.unit.code, p.kind, p.offset, p.reasons)
        for p in planned
        if plan_id is None or p.occurrence.plan.id == plan_id
    }


async def on(session: AsyncSession, day: date, plan_id: str) -> set[tuple[object, ...]]:
    return who(await reminders_for_day(session, day), plan_id)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


# --- the rules without a database ----------------------------------------------------------------


def test_the_reminder_a_day_falls_under() -> None:
    days = (7, 3, 1)
    assert [reminder_due(left, days) for left in (9, 8, 7, 6, 4, 3, 2, 1, 0, -1)] == [
        None,
        None,
        7,
        7,  # a pass that came late still sends the 7-day reminder (once: its key is taken)
        7,
        3,
        3,
        1,
        1,  # the day itself: the last reminder, if the day before was missed
        None,
    ]


def test_quiet_hours() -> None:
    assert QuietHours.parse("21:00-07:00") == NIGHT
    assert str(QuietHours.parse(" off ")) == "off"
    with pytest.raises(ValueError):
        QuietHours.parse("9pm")
    day = date(2026, 12, 6)
    assert NIGHT.next_allowed(at(day, 20, 59), ZONE) == at(day, 20, 59)
    assert NIGHT.next_allowed(at(day, 21), ZONE) == at(day + timedelta(days=1), 7)
    assert NIGHT.next_allowed(at(day, 23, 30), ZONE) == at(day + timedelta(days=1), 7)
    assert NIGHT.next_allowed(at(day, 3), ZONE) == at(day, 7)
    assert NIGHT.next_allowed(at(day, 7), ZONE) == at(day, 7)
    lunch = QuietHours.parse("11:30-13:30")
    assert lunch.next_allowed(at(day, 12), ZONE) == at(day, 13, 30)
    assert QuietHours.parse("off").next_allowed(at(day, 23), ZONE) == at(day, 23)
    # An instant in UTC comes back in UTC, the same moment.
    utc = at(day, 23).astimezone(UTC)
    assert NIGHT.next_allowed(utc, ZONE) == at(day + timedelta(days=1), 7)


# --- each preset's deadlines ---------------------------------------------------------------------


async def test_kontum_registration_reminds_the_proposers_of_each_district_below_quota(
    session: AsyncSession,
) -> None:
    await over_its_period(session, "kontum-44-2023")
    end = date(2024, 12, 31)  # "dang-ky-mo-hinh", yearly on 31/12, owed by each district
    assert await on(session, end - timedelta(days=8), "kontum-44-2023") == set()
    kon_ray = {(tid, "KT-KR") for tid in (1001, 1002, 1003, 1004)}
    dak_ha = {(tid, "KT-DH") for tid in (2101, 2102)}
    for left, offset in ((7, 7), (5, 7), (3, 3), (1, 1), (0, 1)):
        found = await on(session, end - timedelta(days=left), "kontum-44-2023")
        assert {(t, u) for t, u, *_ in found} == kon_ray | dak_ha, left
        assert {(k, o, r) for _t, _u, k, o, r in found} == {(BEFORE, offset, (BELOW_QUOTA,))}


async def test_a_unit_at_its_quota_gets_nothing_but_a_draft_holder_is_reminded(
    session: AsyncSession,
) -> None:
    await over_its_period(session, "kontum-44-2023")
    this_year = datetime(2024, 3, 1, tzinfo=UTC)
    for _ in range(20):  # Kon Rẫy reaches its 20 individuals of the year
        await nominate(session, "kontum-44-2023", 1003, "KT-KR-DRU", submitted=this_year)
    found = await on(session, date(2024, 12, 28), "kontum-44-2023")
    assert {t for t, u, *_ in found if u == "KT-KR"} == set()
    assert {t for t, u, *_ in found if u == "KT-DH"} == {2101, 2102}
    # Last year's nominations do not count toward this year's quota.
    assert {t for t, u, *_ in await on(session, date(2025, 12, 28), "kontum-44-2023")} >= {1001}
    # A draft not yet sent: its holder alone is reminded, of the draft.
    await nominate(session, "kontum-44-2023", 1001, "KT-KR-DRU-T3", "draft")
    found = await on(session, date(2024, 12, 28), "kontum-44-2023")
    assert {(t, r) for t, u, _k, _o, r in found if u == "KT-KR"} == {(1001, (DRAFTS,))}


async def test_konray_honouring_reminds_reviewers_with_a_queue_only(
    session: AsyncSession,
) -> None:
    await over_its_period(session, "konray-2023-2025")
    day = date(2024, 12, 28)  # "bieu-duong-khen-thuong", 31/12, stage honour
    assert await on(session, day, "konray-2023-2025") == set()  # empty queues: nobody
    await nominate(session, "konray-2023-2025", 1003, "KT-KR-DRU", reviewing="KT-KR-DRU")
    # 1003 proposed it and does not review their own; 1004 (Farmers' Association) does.
    assert await on(session, day, "konray-2023-2025") == {(1004, "KT-KR-DRU", BEFORE, 3, (QUEUE,))}
    await nominate(session, "konray-2023-2025", 1001, "KT-KR-DRU-T3", reviewing="KT-KR")
    assert await on(session, day, "konray-2023-2025") == {
        (1004, "KT-KR-DRU", BEFORE, 3, (QUEUE,)),
        (1005, "KT-KR", BEFORE, 3, (QUEUE,)),
    }


async def test_quanglac_reports_remind_nobody(session: AsyncSession) -> None:
    await over_its_period(session, "quanglac-2023")
    # Its two deadlines are reports ("so-ket-6-thang" 30/6, "tong-ket-nam" 31/12/2023): the bot
    # keeps no reports yet, so nobody can be told behind on one.
    for day in (date(2023, 6, 29), date(2023, 12, 30), date(2024, 1, 2)):
        assert await on(session, day, "quanglac-2023") == set()


async def test_dakdoa_registration_reminds_communes_below_ten(session: AsyncSession) -> None:
    await over_its_period(session, "dakdoa-101-2021")
    day = date(2021, 8, 21)  # "dang-ky-mo-hinh" on 24/8/2021, owed by communes and offices
    assert await on(session, day, "dakdoa-101-2021") == {
        (2101, "KT-DH-DM", BEFORE, 3, (BELOW_QUOTA,)),
        (2102, "KT-DH-DM", BEFORE, 3, (BELOW_QUOTA,)),
    }
    # The district's offices owe it too (one model each), but nobody holds a role in them.
    when = datetime(2021, 8, 1, tzinfo=UTC)
    for _ in range(10):
        await nominate(session, "dakdoa-101-2021", 2102, "KT-DH-DM", submitted=when)
    assert await on(session, day, "dakdoa-101-2021") == set()


async def test_dalat_commune_review_reminds_the_commune_reviewer(session: AsyncSession) -> None:
    await over_its_period(session, "dalat-2023")
    day = date(2023, 4, 23)  # "so-ket-phuong-xa-thang-4" by 30/4, a commune's own review
    assert await on(session, day, "dalat-2023") == set()
    await nominate(session, "dalat-2023", 2101, "KT-DH-DM-T1", reviewing="KT-DH-DM")
    assert await on(session, day, "dalat-2023") == {(2102, "KT-DH-DM", BEFORE, 7, (QUEUE,))}


# --- a pass: planned once, quiet at night, reported above once ---------------------------------


async def queued(session: AsyncSession) -> list[tuple[int, str, int, datetime]]:
    rows = await session.execute(
        select(User.telegram_id, Reminder.kind, Reminder.offset_days, OutboxMessage.next_attempt_at)
        .join(User, User.id == Reminder.user_id)
        .join(OutboxMessage, OutboxMessage.id == Reminder.outbox_id)
        .order_by(Reminder.id)
    )
    return [tuple(row) for row in rows.all()]  # type: ignore[misc]


async def test_a_pass_plans_each_reminder_once_even_across_a_restart(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        await over_its_period(session, "kontum-44-2023")
        await session.commit()
    days = [date(2024, 12, d) for d in (24, 24, 25, 28, 29, 30, 31)]
    counts = []
    for day in days:  # a new session each time, as after a restart
        async with session_factory() as session:
            result = await run_pass(session, at(day, 9), ZONE, NIGHT)
            await session.commit()
            counts.append(len(result.queued))
    # 24/12: the 7-day reminders for six people; again on 24 and 25/12: nothing new;
    # 28/12: the 3-day ones; 29/12 is still under "3 days": nothing; 30/12: the 1-day ones;
    # 31/12, the day itself, falls under "1 day": nothing new.
    assert counts == [6, 0, 0, 6, 0, 6, 0]
    async with session_factory() as session:
        rows = await queued(session)
        assert len(rows) == 18
        assert {offset for _t, _k, offset, _at in rows} == {7, 3, 1}
        states = await session.scalars(select(OutboxMessage.state))
        assert set(states) == {PENDING}


async def test_nothing_goes_out_in_quiet_hours_all_in_the_morning(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    day = date(2024, 12, 28)
    async with session_factory() as session:
        await over_its_period(session, "kontum-44-2023")
        result = await run_pass(session, at(day, 22, 30), ZONE, NIGHT)
        await session.commit()
    assert len(result.queued) == 6
    morning = at(day + timedelta(days=1), 7)
    assert result.send_at == morning
    async with session_factory() as session:
        assert {when for _t, _k, _o, when in await queued(session)} == {morning}
        # Still the 3-day reminders: planned for the day the pass ran.
        assert {offset for _t, _k, offset, _w in await queued(session)} == {3}
    async with session_factory() as session:  # by day, they go out at once
        await session.execute(Reminder.__table__.delete())
        await session.execute(OutboxMessage.__table__.delete())
        result = await run_pass(session, at(day, 9, 15), ZONE, NIGHT)
        await session.commit()
    assert result.send_at == at(day, 9, 15)


async def test_after_the_deadline_the_level_above_is_told_once(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        await over_its_period(session, "kontum-44-2023")
        await session.commit()
    results = []
    for day in (date(2025, 1, 1), date(2025, 1, 2), date(2025, 1, 7), date(2025, 1, 9)):
        async with session_factory() as session:
            results.append(await run_pass(session, at(day, 9), ZONE, NIGHT))
            await session.commit()
    first = results[0].queued
    assert who(first) == {(1006, "KT", OVERDUE, 0, ("units_behind",))}
    assert [s.unit.code for s in first[0].behind] == ["KT-KR", "KT-DH"]
    assert [len(r.queued) for r in results] == [1, 0, 0, 0]
    assert [len(r.due) for r in results] == [1, 1, 1, 0]  # a week after, no longer due


# --- what the reader sees ----------------------------------------------------------------------


async def test_a_reminder_is_drawn_as_things_stand_when_it_goes_out(
    session: AsyncSession,
) -> None:
    await over_its_period(session, "kontum-44-2023")
    await nominate(session, "kontum-44-2023", 1001, "KT-KR-DRU-T3", "draft")
    when = datetime(2024, 6, 1, tzinfo=UTC)
    for _ in range(3):
        await nominate(session, "kontum-44-2023", 1003, "KT-KR-DRU", submitted=when)
    result = await run_pass(session, at(date(2024, 12, 28), 9), ZONE, NIGHT)
    by_tid = {p.user.telegram_id: p for p in result.queued}
    row = await session.get(
        OutboxMessage,
        (
            await session.scalars(
                select(Reminder.outbox_id).where(Reminder.user_id == by_tid[1001].user.id)
            )
        ).one(),
    )
    assert row is not None
    reader = by_tid[1001].user
    screen = await render_reminder(session, row.payload, reader, "vi", date(2024, 12, 29))
    assert screen is not None
    assert "31/12/2024" in screen.text
    assert "2 ngày" in screen.text  # drawn on the 29th: two days left, not three
    assert "3/20" in screen.text and "17" in screen.text
    assert "còn 1 bản nháp chưa gửi" in screen.text
    assert [c.action for c in screen.choices] == [OPEN_DRAFTS, f"{PROPOSE}:kontum-44-2023"]
    assert "/drafts" in screen.text and "/propose" in screen.text
    english = await render_reminder(session, row.payload, reader, "en", date(2024, 12, 29))
    assert english is not None and "2 days" in english.text and "3/20 sent" in english.text
    # Kon Rẫy reaches its quota and 1001's draft goes: nothing is left to remind 1001 of.
    for _ in range(17):
        await nominate(session, "kontum-44-2023", 1003, "KT-KR-DRU", submitted=when)
    draft = await session.scalar(
        select(Nomination).where(Nomination.state == "draft", Nomination.proposer_id == reader.id)
    )
    assert draft is not None
    draft.state, draft.submitted_at = "submitted", when
    await session.flush()
    assert await render_reminder(session, row.payload, reader, "vi", date(2024, 12, 29)) is None
    count = await session.scalar(select(func.count(Reminder.id)))
    assert count == len(result.queued)


async def test_a_reviewer_reminder_opens_the_queue(session: AsyncSession) -> None:
    await over_its_period(session, "konray-2023-2025")
    await nominate(session, "konray-2023-2025", 1001, "KT-KR-DRU-T3", reviewing="KT-KR-DRU")
    result = await run_pass(session, at(date(2024, 12, 30), 10), ZONE, NIGHT)
    planned = {p.user.telegram_id: p for p in result.queued}
    assert set(planned) == {1003, 1004}
    row = await session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient_id == planned[1003].user.id)
    )
    assert row is not None
    screen = await render_reminder(
        session, row.payload, planned[1003].user, "vi", date(2024, 12, 30)
    )
    assert screen is not None
    assert [c.action for c in screen.choices] == [OPEN_QUEUE]
    assert "/review" in screen.text


async def test_on_postgresql_one_pass_at_a_time(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    if not PG_URL:
        pytest.skip("the advisory lock is PostgreSQL's; SQLite runs one process")
    async with session_factory() as session:
        await over_its_period(session, "kontum-44-2023")
        await session.commit()
    moment = at(date(2024, 12, 28), 9)
    async with session_factory() as first, session_factory() as second:
        holding = await run_pass(first, moment, ZONE, NIGHT)  # its transaction stays open
        waiting = await run_pass(second, moment, ZONE, NIGHT)
        assert len(holding.queued) == 6 and not holding.skipped
        assert waiting.skipped and waiting.queued == []
        await first.commit()
        await second.rollback()
    async with session_factory() as third:
        after = await run_pass(third, moment, ZONE, NIGHT)
        assert not after.skipped and after.queued == [] and len(after.due) == 6
