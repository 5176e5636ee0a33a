"""The review chain's rules on the demo tree, with the tiny test plans running in Kon Rẫy.

Demo people used here: 1001 and 1002 village heads (Đăk Ruồng), 1003 commune officer (Đăk
Ruồng), 1004 commune officer in its Farmers' Association, 1005 district reviewer (Kon Rẫy's home
affairs office), 1006 province reviewer. Added for these tests: 2001 village head and 2002
commune officer in Tân Lập (another commune of Kon Rẫy), 2003 district reviewer in Đăk Hà.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.plans.loader import load_preset
from bot.workflow import nominations, review, review_chain, review_queue
from bot.workflow.activations import running_plans
from bot.workflow.plans import find_version
from bot.workflow.review import ReviewRefused, Stop
from storage.models import AuditEntry, Nomination, NominationVersion, User
from tests.workflow.seeded import TODAY, actor, seeded_database, unit, user

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TINY, APPROVE = "tiny-2026", "tiny-approve-2026"
EXTRA_PEOPLE = (
    (2001, "Người Tân Lập (trưởng thôn)", "village_head", "KT-KR-TL-T1"),
    (2002, "Cán bộ xã Tân Lập", "commune_officer", "KT-KR-TL"),
    (2003, "Phòng Nội vụ Đăk Hà", "district_reviewer", "KT-DH-NV"),
)
OFFICER_NAME = "Nguyễn Thị Lan (VP-TK xã)"  # 1003


seeded_file, database_url = seeded_database(tiny_plans=True, people=EXTRA_PEOPLE)


# --- helpers ---------------------------------------------------------------------------------


async def propose(
    session: AsyncSession, tid: int, plan_id: str = TINY, name: str = "Nguyễn Văn An"
) -> Nomination:
    """A complete, eligible draft by this person, submitted and placed in the chain."""
    who = await actor(session, tid)
    role = who.roles[0]
    here = await unit(session, role.unit_code)
    running = next(r for r in await running_plans(session, here, TODAY) if r.plan.id == plan_id)
    nomination = await nominations.start_draft(session, who, role, running)
    nomination.subject_kind, nomination.category_id = "individual", "nguoi-tot"
    nomination.nominee = {"name": name, "birth_year": 1980}
    nomination.nominee_key = nominations.nominee_key(name, 1980)
    nomination.consent_at = datetime(2026, 5, 1, tzinfo=UTC)
    nomination.achievements = "Nhiều năm giúp đỡ bà con trong thôn"
    nomination.answers = {"guong-mau": {"value": True}}
    outcome = await nominations.submit(session, who, nomination, TODAY)
    assert outcome.submitted
    await review.enter_chain(session, nomination)
    await session.flush()
    return nomination


async def decide(
    session: AsyncSession,
    tid: int,
    nomination: Nomination,
    decision: str,
    reason: str | None = None,
) -> review.Outcome:
    return await review.decide(
        session, await actor(session, tid), nomination.id, nomination.version, decision, reason
    )


async def refused(
    session: AsyncSession,
    tid: int,
    nomination: Nomination,
    decision: str,
    reason: str | None = None,
    version: int | None = None,
) -> ReviewRefused:
    version = nomination.version if version is None else version
    with pytest.raises(ReviewRefused) as info:
        await review.decide(
            session, await actor(session, tid), nomination.id, version, decision, reason
        )
    return info.value


def where(stops: list[Stop]) -> list[tuple[int, str, str]]:
    return [(s.index, s.level, s.unit.code) for s in stops]


async def trail(session: AsyncSession, nomination: Nomination) -> list[tuple[object, ...]]:
    rows = await session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == "nomination", AuditEntry.object_id == str(nomination.id))
        .order_by(AuditEntry.id)
    )
    return [(e.action, e.from_state, e.to_state, e.reason) for e in rows.all()]


def ids(users: list[User]) -> set[int]:
    return {u.telegram_id for u in users}


# --- the chain -------------------------------------------------------------------------------


async def test_stops_of_a_village_proposal_and_a_district_agency(session: AsyncSession) -> None:
    village = await propose(session, 1002)
    tiny = nominations.plan_of(village)
    assert where(await review.stops(session, village, tiny)) == [
        (0, "commune", "KT-KR-DRU"),
        (1, "district", "KT-KR"),
    ]
    body = await propose(session, 1004)  # the commune's Farmers' Association
    assert where(await review.stops(session, body, tiny)) == [
        (0, "commune", "KT-KR-DRU"),
        (1, "district", "KT-KR"),
    ]

    agency = Nomination(unit_id=(await unit(session, "KT-KR-NV")).id)
    assert where(await review.stops(session, agency, tiny)) == [(1, "district", "KT-KR")]
    kontum = load_preset("kontum-44-2023")
    assert where(await review.stops(session, agency, kontum)) == [
        (1, "district", "KT-KR"),
        (2, "province", "KT"),
    ]
    province_body = Nomination(unit_id=(await unit(session, "KT-BDT")).id)
    assert where(await review.stops(session, province_body, kontum)) == [(2, "province", "KT")]


async def test_a_district_agency_proposal_enters_at_the_district(session: AsyncSession) -> None:
    version = await find_version(session, TINY)
    assert version is not None
    nomination = Nomination(
        plan_version_id=version.id,
        plan_id=TINY,
        proposer_id=(await user(session, 1003)).id,
        unit_id=(await unit(session, "KT-KR-NV")).id,
        state="submitted",
        nominee={"name": "Phòng Nội vụ"},
        answers={},
    )
    session.add(nomination)
    await session.flush()
    first, reviewers = await review.enter_chain(session, nomination)
    assert first is not None and (first.index, first.unit.code) == (1, "KT-KR")
    assert (nomination.level_index, nomination.round) == (1, 1)
    assert nomination.review_unit_id == (await unit(session, "KT-KR")).id
    assert ids(reviewers) == {1005}
    snapshots = (await session.scalars(select(NominationVersion))).all()
    assert [(s.nomination_id, s.round) for s in snapshots] == [(nomination.id, 1)]


async def test_reviewers_at_each_level(session: AsyncSession) -> None:
    druong, tan_lap = await unit(session, "KT-KR-DRU"), await unit(session, "KT-KR-TL")
    kon_ray, kon_tum = await unit(session, "KT-KR"), await unit(session, "KT")
    # the commune's officers, including the one working in its Farmers' Association;
    # not Tân Lập's officer, not the district's reviewer
    assert ids(await review_chain.reviewers_at(session, Stop(0, "commune", druong))) == {
        1003,
        1004,
    }
    assert ids(await review_chain.reviewers_at(session, Stop(0, "commune", tan_lap))) == {2002}
    # the district's reviewers sit in its offices; Đăk Hà's reviewer is not Kon Rẫy's
    assert ids(await review_chain.reviewers_at(session, Stop(1, "district", kon_ray))) == {1005}
    assert ids(await review_chain.reviewers_at(session, Stop(2, "province", kon_tum))) == {1006}

    (await user(session, 1004)).is_active = False
    await session.flush()
    assert ids(await review_chain.reviewers_at(session, Stop(0, "commune", druong))) == {1003}


# --- who may decide --------------------------------------------------------------------------


async def test_a_proposer_who_reviews_cannot_decide_their_own(session: AsyncSession) -> None:
    own = await propose(session, 1003)  # the commune officer proposes at the commune
    stop = await review_chain.current_stop(session, own)
    assert stop is not None and stop.unit.code == "KT-KR-DRU"
    assert 1003 in ids(await review_chain.reviewers_at(session, stop))
    assert ids(await review_chain.deciders(session, stop, own)) == {1004}  # told; 1003 is not
    assert not await review_chain.may_review(session, await actor(session, 1003), own)
    assert await review_chain.may_review(session, await actor(session, 1004), own)
    assert own not in await review_queue.queue(session, await actor(session, 1003))
    assert own in await review_queue.queue(session, await actor(session, 1004))

    assert (await refused(session, 1003, own, review.ENDORSE)).reason == "not_yours"
    assert own.state == "submitted"
    entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "review.refused"))
    assert entry is not None and entry.actor_id == (await user(session, 1003)).id
    assert entry.details == {"attempted": "endorse", "level_index": 0}

    outcome = await decide(session, 1004, own, review.ENDORSE)
    assert outcome.to_state == "under_review"


async def test_strangers_cannot_decide(session: AsyncSession) -> None:
    nomination = await propose(session, 1002)
    for tid in (1002, 2002, 1005, 2003, 1006):  # proposer, other commune, higher levels
        assert (await refused(session, tid, nomination, review.ENDORSE)).reason == "not_yours"
    assert nomination.state == "submitted"
    refusals = await session.scalars(
        select(AuditEntry.actor_id).where(AuditEntry.action == "review.refused")
    )
    assert len(refusals.all()) == 5


# --- decisions -------------------------------------------------------------------------------


async def test_endorse_then_approve_moves_up_the_chain(session: AsyncSession) -> None:
    nomination = await propose(session, 1002)
    version = nomination.version
    # the commune may not approve (it is not the last level)
    assert (await refused(session, 1003, nomination, review.APPROVE)).reason == "stale"

    outcome = await decide(session, 1003, nomination, review.ENDORSE)
    assert outcome.to_state == "under_review" and nomination.state == "under_review"
    assert outcome.next_stop is not None and outcome.next_stop.unit.code == "KT-KR"
    assert ids(outcome.notify) == {1005}
    assert nomination.version == version + 1
    assert nomination.level_index == 1
    assert nomination.review_unit_id == (await unit(session, "KT-KR")).id
    assert nomination.decided_by == (await user(session, 1003)).id

    assert not await review_chain.may_review(session, await actor(session, 1003), nomination)
    # the district is the last level: it approves, it does not endorse
    assert (await refused(session, 1005, nomination, review.ENDORSE)).reason == "stale"
    done = await decide(session, 1005, nomination, review.APPROVE)
    assert (done.to_state, done.next_stop, done.notify) == ("approved", None, [])
    assert nomination.state == "approved"

    entries = (
        await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action.in_(("review.endorse", "review.approve")))
            .order_by(AuditEntry.id)
        )
    ).all()
    assert [(e.action, e.from_state, e.to_state, e.details) for e in entries] == [
        (
            "review.endorse",
            "submitted",
            "under_review",
            {"level": "commune", "unit": "KT-KR-DRU", "round": 1},
        ),
        (
            "review.approve",
            "under_review",
            "approved",
            {"level": "district", "unit": "KT-KR", "round": 1},
        ),
    ]


async def test_return_and_resubmit_start_round_two_at_the_first_level(
    session: AsyncSession,
) -> None:
    nomination = await propose(session, 1002)
    await decide(session, 1003, nomination, review.ENDORSE)
    for empty in (None, ""):
        assert (await refused(session, 1005, nomination, review.RETURN, empty)).reason == (
            "reason_needed"
        )
    outcome = await decide(session, 1005, nomination, review.RETURN, "Thiếu ảnh minh chứng")
    assert outcome.to_state == "returned" and outcome.notify == []
    assert (nomination.state, nomination.step) == ("returned", "summary")
    assert nomination.decision_reason == "Thiếu ảnh minh chứng"
    assert nomination.decided_by == (await user(session, 1005)).id

    proposer = await actor(session, 1002)
    assert await nominations.editable(session, proposer, nomination.id) is nomination
    assert await nominations.editable(session, await actor(session, 1003), nomination.id) is None
    nominations.touch(nomination)  # the proposer edits what was asked
    assert (await nominations.submit(session, proposer, nomination, TODAY)).submitted
    await review.enter_chain(session, nomination)
    await session.flush()
    assert nomination.state == "submitted"
    assert (nomination.round, nomination.level_index) == (2, 0)
    assert nomination.review_unit_id == (await unit(session, "KT-KR-DRU")).id
    assert (nomination.decided_by, nomination.decision_reason) == (None, None)
    rounds = await session.scalars(
        select(NominationVersion.round)
        .where(NominationVersion.nomination_id == nomination.id)
        .order_by(NominationVersion.round)
    )
    assert list(rounds.all()) == [1, 2]

    await decide(session, 1004, nomination, review.ENDORSE)
    await decide(session, 1005, nomination, review.APPROVE)
    assert await trail(session, nomination) == [
        ("nomination.create", None, "draft", None),
        ("nomination.submit", "draft", "submitted", None),
        ("review.endorse", "submitted", "under_review", None),
        ("review.return", "under_review", "returned", "Thiếu ảnh minh chứng"),
        ("nomination.submit", "returned", "submitted", None),
        ("review.endorse", "submitted", "under_review", None),
        ("review.approve", "under_review", "approved", None),
    ]
    rounds_logged = await session.scalars(
        select(AuditEntry.details).where(AuditEntry.action.like("review.%")).order_by(AuditEntry.id)
    )
    assert [d["round"] for d in rounds_logged.all()] == [1, 1, 2, 2]


async def test_reject_needs_a_reason_and_is_final(session: AsyncSession) -> None:
    nomination = await propose(session, 1002)
    assert (await refused(session, 1003, nomination, review.REJECT, "")).reason == "reason_needed"
    outcome = await decide(session, 1003, nomination, review.REJECT, "Không đủ tiêu chuẩn")
    assert outcome.to_state == "rejected" and nomination.state == "rejected"
    moved = await refused(session, 1004, nomination, review.ENDORSE)
    assert moved.reason == "moved_on"
    assert moved.details["by"] == OFFICER_NAME and moved.details["state"] == "rejected"
    with pytest.raises(ReviewRefused) as info:
        await review.withdraw(
            session, await actor(session, 1002), nomination.id, nomination.version
        )
    assert info.value.reason == "moved_on"
    assert (await trail(session, nomination))[-1] == (
        "review.reject",
        "submitted",
        "rejected",
        "Không đủ tiêu chuẩn",
    )


async def test_unknown_decision_and_unknown_nomination(session: AsyncSession) -> None:
    nomination = await propose(session, 1002)
    assert (await refused(session, 1003, nomination, "promote")).reason == "unknown"
    officer = await actor(session, 1003)
    with pytest.raises(ReviewRefused) as info:
        await review.decide(session, officer, 999_999, 1, review.ENDORSE)
    assert info.value.reason == "unknown"


async def test_two_decisions_on_the_same_version_only_the_first_counts(
    session: AsyncSession,
) -> None:
    nomination = await propose(session, 1002, plan_id=APPROVE)
    version = nomination.version
    first = await decide(session, 1003, nomination, review.APPROVE)
    assert first.to_state == "approved"
    second = await refused(session, 1004, nomination, review.APPROVE, version=version)
    assert second.reason == "moved_on"
    assert second.details["by"] == OFFICER_NAME and second.details["state"] == "approved"
    approvals = await session.scalars(
        select(AuditEntry.actor_id).where(AuditEntry.action == "review.approve")
    )
    assert approvals.all() == [(await user(session, 1003)).id]


async def test_stale_version_is_refused_naming_who_decided(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as setup:
        nomination = await propose(setup, 1002, plan_id=APPROVE)
        await setup.commit()
    nid, version = nomination.id, nomination.version

    late = session_factory()
    held = await late.get(Nomination, nid)  # the card the second reviewer is looking at
    assert held is not None and held.state == "submitted"
    await late.commit()  # release SQLite's write lock; the row stays loaded, unexpired

    async with session_factory() as quick:
        await review.decide(quick, await actor(quick, 1003), nid, version, review.APPROVE)
        await quick.commit()

    try:
        with pytest.raises(ReviewRefused) as info:
            await review.decide(late, await actor(late, 1004), nid, version, review.APPROVE)
        assert info.value.reason == "stale"
        assert info.value.details["by"] == OFFICER_NAME
        assert info.value.details["state"] == "approved"
        await late.rollback()
    finally:
        await late.close()

    async with session_factory() as check:
        row = await check.get(Nomination, nid)
        assert row is not None and row.state == "approved" and row.version == version + 1
        approvals = await check.scalars(
            select(AuditEntry.id).where(AuditEntry.action == "review.approve")
        )
        assert len(approvals.all()) == 1


async def test_stale_version_in_one_session(session: AsyncSession) -> None:
    nomination = await propose(session, 1002)
    stale = await refused(session, 1003, nomination, review.ENDORSE, version=nomination.version - 1)
    assert stale.reason == "stale" and stale.details["state"] == "submitted"
    assert nomination.state == "submitted" and nomination.decided_by is None


# --- quota -----------------------------------------------------------------------------------


async def test_quota_maximum_stops_an_endorse(session: AsyncSession) -> None:
    first = await propose(session, 1002, name="Người Một")
    second = await propose(session, 1001, name="Người Hai")
    elsewhere = await propose(session, 2001, name="Người Ba")  # Tân Lập has its own quota

    await decide(session, 2002, elsewhere, review.ENDORSE)
    await decide(session, 1003, first, review.ENDORSE)
    version = second.version
    full = await refused(session, 1004, second, review.ENDORSE)
    assert full.reason == "quota_full"
    assert full.details == {"unit": "Xã Đăk Ruồng", "max": 1, "count": 1, "cite": "Mục 1"}
    assert (second.state, second.version, second.level_index) == ("submitted", version, 0)
    assert not [t for t in await trail(session, second) if t[0] == "review.endorse"]

    # returning is still possible; and once the first comes back, there is room again
    await decide(session, 1005, first, review.RETURN, "Bổ sung hồ sơ")
    assert (await decide(session, 1004, second, review.ENDORSE)).to_state == "under_review"


# --- withdrawing -----------------------------------------------------------------------------


async def test_only_the_proposer_withdraws(session: AsyncSession) -> None:
    nomination = await propose(session, 1002)
    await decide(session, 1003, nomination, review.ENDORSE)
    for tid in (1003, 1005, 1001):
        with pytest.raises(ReviewRefused) as info:
            await review.withdraw(
                session, await actor(session, tid), nomination.id, nomination.version
            )
        assert info.value.reason == "not_yours"
    proposer = await actor(session, 1002)
    with pytest.raises(ReviewRefused) as info:
        await review.withdraw(session, proposer, nomination.id, nomination.version - 1)
    assert info.value.reason == "stale"
    assert nomination.state == "under_review"

    version = nomination.version
    done = await review.withdraw(session, proposer, nomination.id, version)
    assert done.state == "withdrawn" and done.version == version + 1
    assert (await trail(session, nomination))[-1] == (
        "nomination.withdraw",
        "under_review",
        "withdrawn",
        None,
    )
    with pytest.raises(ReviewRefused) as info:
        await review.withdraw(session, proposer, nomination.id, done.version)
    assert info.value.reason == "moved_on"
    assert (await refused(session, 1005, nomination, review.APPROVE)).reason == "moved_on"
