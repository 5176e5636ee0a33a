"""Quota progress on the demo tree: whose quota, which nominations count, levels and years."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.plans.loader import load_preset
from bot.plans.schema import Plan, Quota
from bot.workflow.plans import find_version
from bot.workflow.quotas import QuotaLine, count_for, progress
from bot.workflow.units import ancestors_and_self, effective_levels, unit_by_code
from storage.models import Nomination, Unit, User
from tests.workflow.seeded import TODAY, seeded_database

THIS_YEAR = datetime(2026, 3, 1, tzinfo=UTC)
LAST_YEAR = datetime(2025, 12, 31, 12, tzinfo=UTC)


seeded_file, database_url = seeded_database()


@pytest.fixture(scope="module")
def dakdoa() -> Plan:
    return load_preset("dakdoa-101-2021")


@pytest.fixture(scope="module")
def quanglac() -> Plan:
    return load_preset("quanglac-2023")


async def unit(session: AsyncSession, code: str) -> Unit:
    found = await unit_by_code(session, code)
    assert found is not None, code
    return found


async def add(
    session: AsyncSession,
    plan_id: str,
    unit_code: str,
    state: str = "submitted",
    *,
    category: str | None = None,
    subject: str = "individual",
    submitted_at: datetime | None = THIS_YEAR,
) -> Nomination:
    version = await find_version(session, plan_id)
    assert version is not None
    proposer = await session.scalar(select(User).where(User.telegram_id == 1003))
    assert proposer is not None
    nomination = Nomination(
        plan_version_id=version.id,
        plan_id=plan_id,
        proposer_id=proposer.id,
        unit_id=(await unit(session, unit_code)).id,
        state=state,
        subject_kind=subject,
        category_id=category,
        nominee={"name": "Người thử"},
        answers={},
        submitted_at=None if state == "draft" else submitted_at,
    )
    session.add(nomination)
    await session.flush()
    return nomination


def owners(lines: list[QuotaLine]) -> list[tuple[str, str, int, int | None]]:
    return [
        (line.unit.code, line.quota.unit_kind, line.quota.min, line.quota.max) for line in lines
    ]


# --- levels ----------------------------------------------------------------------------------


async def test_ancestors_nearest_first_and_effective_levels(session: AsyncSession) -> None:
    police = await unit(session, "KT-KR-DRU-CA")
    chain = await ancestors_and_self(session, police)
    assert [u.code for u in chain] == ["KT-KR-DRU-CA", "KT-KR-DRU", "KT-KR", "KT"]
    levels = effective_levels(chain)
    assert {u.code: levels[u.id] for u in chain} == {
        "KT-KR-DRU-CA": "commune",  # an organisation takes the level of the unit above it
        "KT-KR-DRU": "commune",
        "KT-KR": "district",
        "KT": "province",
    }
    for code, level in [
        ("KT-KR-NV", "district"),
        ("KT-BDT", "province"),
        ("KT-KR-DRU-T1", "village"),
        ("KT-DH-DM-HND", "commune"),
    ]:
        here = await unit(session, code)
        assert effective_levels(await ancestors_and_self(session, here))[here.id] == level, code


def test_effective_levels_of_nested_and_detached_organisations() -> None:
    chain = [  # nearest first: a school under a police unit under a ward under a province
        Unit(id=4, code="S", name="S", kind="school", path="/1/2/3/4/"),
        Unit(id=3, code="CA", name="CA", kind="police", path="/1/2/3/"),
        Unit(id=2, code="W", name="W", kind="ward", path="/1/2/"),
        Unit(id=1, code="P", name="P", kind="province", path="/1/"),
    ]
    assert effective_levels(chain) == {4: "commune", 3: "commune", 2: "commune", 1: "province"}
    orphan = [Unit(id=9, code="E", name="E", kind="enterprise", path="/9/")]
    assert effective_levels(orphan) == {9: None}


# --- whose quota -----------------------------------------------------------------------------


async def test_district_police_quota_does_not_reach_commune_police(
    session: AsyncSession, dakdoa: Plan
) -> None:
    commune_police = await progress(session, dakdoa, await unit(session, "KT-KR-DRU-CA"), TODAY)
    assert owners(commune_police) == [("KT-KR-DRU", "commune", 10, 15)]

    district_police = await progress(session, dakdoa, await unit(session, "KT-KR-CA"), TODAY)
    assert owners(district_police) == [("KT-KR-CA", "police", 5, 7)]

    village = await progress(session, dakdoa, await unit(session, "KT-KR-DRU-T1"), TODAY)
    assert owners(village) == [("KT-KR-DRU", "commune", 10, 15)]

    office = await progress(session, dakdoa, await unit(session, "KT-KR-NV"), TODAY)
    assert owners(office) == [("KT-KR-NV", "home_affairs_office", 1, None)]


async def test_commune_level_quota_with_category_reaches_only_commune_units(
    session: AsyncSession, quanglac: Plan
) -> None:
    commune_police = await unit(session, "KT-KR-DRU-CA")
    lines = await progress(session, quanglac, commune_police, TODAY)
    assert owners(lines) == [("KT-KR-DRU-CA", "police", 1, None)]
    assert lines[0].quota.category == "quoc-phong-an-ninh"
    assert await progress(session, quanglac, await unit(session, "KT-KR-CA"), TODAY) == []

    # asked about one category, only quotas a nomination in it would count toward
    same = await progress(session, quanglac, commune_police, TODAY, "quoc-phong-an-ninh")
    assert owners(same) == [("KT-KR-DRU-CA", "police", 1, None)]
    assert await progress(session, quanglac, commune_police, TODAY, "y-te-cham-soc-suc-khoe") == []


# --- what counts -----------------------------------------------------------------------------


async def test_progress_counts_proposed_nominations_in_the_subtree(
    session: AsyncSession, dakdoa: Plan
) -> None:
    plan_id = dakdoa.id
    await add(session, plan_id, "KT-KR-DRU-T1", "submitted")
    await add(session, plan_id, "KT-KR-DRU-CA", "under_review")
    await add(session, plan_id, "KT-KR-DRU", "approved")
    for state in ("draft", "returned", "rejected", "withdrawn"):
        await add(session, plan_id, "KT-KR-DRU-T2", state)
    await add(session, plan_id, "KT-KR-TL-T1", "submitted")  # another commune
    await add(session, "konray-2023-2025", "KT-KR-DRU-T1", "submitted")  # another plan
    await add(session, plan_id, "KT-KR-CA", "approved")  # the district's police

    [line] = await progress(session, dakdoa, await unit(session, "KT-KR-DRU-HND"), TODAY)
    assert line.unit.code == "KT-KR-DRU" and line.count == 3
    assert not line.reached and not line.full

    [other] = await progress(session, dakdoa, await unit(session, "KT-KR-TL"), TODAY)
    assert other.unit.code == "KT-KR-TL" and other.count == 1

    [police] = await progress(session, dakdoa, await unit(session, "KT-KR-CA"), TODAY)
    assert police.unit.code == "KT-KR-CA" and police.count == 1


async def test_progress_counts_per_category_and_subject(
    session: AsyncSession, quanglac: Plan
) -> None:
    plan_id, farming = quanglac.id, "mo-hinh-phat-trien-kinh-te"
    await add(session, plan_id, "KT-KR-DRU-HND", category=farming)
    await add(session, plan_id, "KT-KR-DRU-HND", category=farming)
    await add(session, plan_id, "KT-KR-DRU-HND", category=farming, subject="household")
    await add(session, plan_id, "KT-KR-DRU-HND", category="toan-dan-doan-ket")
    await add(session, plan_id, "KT-KR-DRU-CA", category="quoc-phong-an-ninh")

    farmers = await unit(session, "KT-KR-DRU-HND")
    [line] = await progress(session, quanglac, farmers, TODAY)
    assert (line.unit.code, line.quota.category, line.quota.subjects) == (
        "KT-KR-DRU-HND",
        farming,
        ["individual"],
    )
    assert line.count == 2 and line.reached  # min 2: the household and the other field not counted

    [police] = await progress(session, quanglac, await unit(session, "KT-KR-DRU-CA"), TODAY)
    assert police.count == 1 and police.reached


async def test_yearly_quota_counts_this_year_only(session: AsyncSession) -> None:
    konray, dakdoa = load_preset("konray-2023-2025"), load_preset("dakdoa-101-2021")
    for plan in (konray, dakdoa):
        await add(session, plan.id, "KT-KR-DRU-T1", submitted_at=THIS_YEAR)
        await add(session, plan.id, "KT-KR-DRU-T3", "approved", submitted_at=LAST_YEAR)
    commune = await unit(session, "KT-KR-DRU")

    [yearly] = await progress(session, konray, commune, TODAY)
    assert (yearly.quota.unit_kind, yearly.quota.per, yearly.quota.min) == ("commune", "year", 2)
    assert yearly.count == 1 and not yearly.reached
    assert await count_for(session, konray.id, commune, yearly.quota, date(2025, 12, 31)) == 2

    [whole_plan] = await progress(session, dakdoa, commune, TODAY)
    assert whole_plan.quota.per == "plan" and whole_plan.count == 2


def test_quota_line_reached_and_full() -> None:
    place = Unit(id=1, code="C", name="Xã", kind="commune", path="/1/")
    capped = Quota(unit_kind="commune", min=1, max=2, cite="Mục 1")
    assert [
        (QuotaLine(place, capped, n).reached, QuotaLine(place, capped, n).full)
        for n in (0, 1, 2, 3)
    ] == [(False, False), (True, False), (True, True), (True, True)]
    floor = Quota(unit_kind="commune", min=0, cite="Mục 1")
    assert QuotaLine(place, floor, 0).reached and not QuotaLine(place, floor, 99).full
