"""Drafts: starting, submitting, discarding, and recognising the same person proposed twice.

On the demo tree with the tiny test plans running in Kon Rẫy. 1001/1002 are village heads and
1003 a commune officer in Đăk Ruồng, 1004 an officer in its Farmers' Association; 2001 is a
village head in Tân Lập (another commune of Kon Rẫy).
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.workflow import nominations, plans, review
from bot.workflow.activations import RunningPlan, running_plans
from bot.workflow.criteria import Verdict
from bot.workflow.nominations import NotAllowed, nominee_key
from bot.workflow.users import Contact, identify
from storage.models import AuditEntry, Evidence, Nomination, User
from tests.statements import statements_sent
from tests.workflow.seeded import TODAY, actor, seeded_database, unit, user

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TINY, APPROVE = "tiny-2026", "tiny-approve-2026"


seeded_file, database_url = seeded_database(
    tiny_plans=True, people=((2001, "Trưởng thôn Tân Lập", "village_head", "KT-KR-TL-T1"),)
)


async def running(session: AsyncSession, code: str, plan_id: str = TINY) -> RunningPlan:
    plans = await running_plans(session, await unit(session, code), TODAY)
    return next(r for r in plans if r.plan.id == plan_id)


async def draft(
    session: AsyncSession,
    tid: int,
    *,
    plan_id: str = TINY,
    name: str | None = "Nguyễn Văn Đức",
    birth_year: int | None = 1970,
    home: str | None = None,
    **fields: Any,
) -> Nomination:
    """A draft started by this person, filled in directly (as the wizard would)."""
    who = await actor(session, tid)
    role = who.roles[0]
    nomination = await nominations.start_draft(
        session, who, role, await running(session, role.unit_code, plan_id)
    )
    nomination.subject_kind, nomination.category_id = "individual", "nguoi-tot"
    if name is not None:
        nomination.nominee = {"name": name, "birth_year": birth_year}
        nomination.nominee_key = nominee_key(name, birth_year)
    nomination.nominee_unit_id = (await unit(session, home)).id if home else None
    for key, value in fields.items():
        setattr(nomination, key, value)
    await session.flush()
    return nomination


async def committed_draft(
    session_factory: async_sessionmaker[AsyncSession], tid: int, **kwargs: Any
) -> Nomination:
    """A draft saved in a session of its own, so that the next session reads it afresh."""
    async with session_factory() as session:
        nomination = await draft(session, tid, **kwargs)
        await session.commit()
    return nomination


def complete(nomination: Nomination, attest: bool = True) -> Nomination:
    nomination.consent_at = datetime(2026, 5, 1, tzinfo=UTC)
    nomination.achievements = "Nhiều năm giúp đỡ bà con trong thôn"
    nomination.answers = {"guong-mau": {"value": attest}}
    return nomination


async def actions(session: AsyncSession, action: str) -> list[AuditEntry]:
    rows = await session.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    )
    return list(rows.all())


# --- the duplicate key -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "year"),
    [
        ("nguyen van duc", 1970),
        ("Nguyễn Văn Đức", 1970),
        ("NGUYỄN VĂN ĐỨC", 1970),
        ("  Nguyễn   Văn  Đức ", 1970),
        (unicodedata.normalize("NFD", "Nguyễn Văn Đức"), 1970),  # as some keyboards send it
        ("nguyễn văn đức", 1970),
    ],
)
def test_nominee_key_folds_diacritics_case_and_spaces(name: str, year: int) -> None:
    assert nominee_key(name, year) == nominee_key("Nguyễn Văn Đức", 1970) == "nguyen van duc|1970"


def test_nominee_key_tells_people_apart() -> None:
    base = nominee_key("Nguyễn Văn Đức", 1970)
    assert nominee_key("Nguyễn Văn Đức", 1971) != base
    assert nominee_key("Nguyễn Văn Dực", 1970) == base  # only the marks differ: same key
    assert nominee_key("Nguyễn Văn Được", 1970) != base
    assert nominee_key("Nguyễn Văn Đức", None) == "nguyen van duc|"


# --- possible duplicates ---------------------------------------------------------------------


async def test_possible_duplicates_within_the_commune_only(session: AsyncSession) -> None:
    village = await draft(session, 1002, home="KT-KR-DRU-T1")
    by_officer = await draft(session, 1003, name="nguyen van duc", home="KT-KR-DRU-T3")
    by_association = await draft(session, 1004, name="NGUYỄN VĂN ĐỨC")  # home: its own unit
    other_commune = await draft(session, 2001, home="KT-KR-TL-T1")
    await draft(session, 1001, birth_year=1971, home="KT-KR-DRU-T3")  # another person
    await draft(session, 1001, plan_id=APPROVE, home="KT-KR-DRU-T3")  # another plan
    gone = await draft(session, 1001, home="KT-KR-DRU-T3", state="withdrawn")

    async def found(nomination: Nomination) -> set[int]:
        return {n.id for n in await nominations.possible_duplicates(session, nomination)}

    assert await found(by_officer) == {village.id, by_association.id}
    assert await found(village) == {by_officer.id, by_association.id}
    assert await found(by_association) == {village.id, by_officer.id}
    assert await found(other_commune) == set()
    assert gone.id not in await found(village)


async def test_possible_duplicates_need_a_name(session: AsyncSession) -> None:
    await draft(session, 1002, home="KT-KR-DRU-T1")
    nameless = await draft(session, 1003, name=None)
    assert nameless.nominee_key is None
    assert await nominations.possible_duplicates(session, nameless) == []


# --- starting a draft ------------------------------------------------------------------------


async def test_start_draft(session: AsyncSession) -> None:
    head = await actor(session, 1002)
    plan = await running(session, "KT-KR-DRU-T1")
    nomination = await nominations.start_draft(session, head, head.roles[0], plan)
    assert (nomination.state, nomination.version, nomination.round) == ("draft", 1, 0)
    assert nomination.unit_id == (await unit(session, "KT-KR-DRU-T1")).id
    assert (nomination.plan_id, nomination.plan_version_id) == (TINY, plan.version.id)
    assert nomination.proposer_id == head.user_id
    [entry] = await actions(session, "nomination.create")
    assert (entry.object_id, entry.from_state, entry.to_state) == (
        str(nomination.id),
        None,
        "draft",
    )


async def test_start_draft_refusals(session: AsyncSession) -> None:
    reviewer = await actor(session, 1005)  # a district reviewer does not propose
    with pytest.raises(NotAllowed, match="not a proposer"):
        await nominations.start_draft(
            session, reviewer, reviewer.roles[0], await running(session, "KT-KR-NV")
        )
    head = await actor(session, 1002)
    borrowed = (await actor(session, 1003)).roles[0]  # a role this person does not hold
    with pytest.raises(NotAllowed, match="not a proposer"):
        await nominations.start_draft(session, head, borrowed, await running(session, "KT-KR"))
    # dakdoa runs in Đăk Hà only: not in the village head's Kon Rẫy
    elsewhere = await running(session, "KT-DH-DM", "dakdoa-101-2021")
    with pytest.raises(NotAllowed, match="does not run"):
        await nominations.start_draft(session, head, head.roles[0], elsewhere)
    assert await session.scalar(select(func.count(Nomination.id))) == 0


# --- submitting ------------------------------------------------------------------------------


async def test_submit_a_complete_eligible_draft(session: AsyncSession) -> None:
    nomination = complete(await draft(session, 1002, step="summary"))
    me = await user(session, 1002)
    me.active_nomination_id = nomination.id
    await session.flush()
    version = nomination.version

    outcome = await nominations.submit(session, await actor(session, 1002), nomination, TODAY)
    assert outcome.submitted and outcome.blocking == []
    assert nomination.state == "submitted" and nomination.step is None
    assert nomination.submitted_at is not None and nomination.version == version + 1
    await session.flush()  # the user's row is written with the update's next flush
    await session.refresh(me)
    assert me.active_nomination_id is None
    [entry] = await actions(session, "nomination.submit")
    assert (entry.from_state, entry.to_state, entry.actor_id) == ("draft", "submitted", me.id)

    with pytest.raises(NotAllowed):  # submitted once is enough
        await nominations.submit(session, await actor(session, 1002), nomination, TODAY)


async def test_submit_refuses_an_ineligible_draft(session: AsyncSession) -> None:
    nomination = complete(await draft(session, 1002), attest=False)
    version = nomination.version
    outcome = await nominations.submit(session, await actor(session, 1002), nomination, TODAY)
    assert not outcome.submitted
    assert [(f.criterion.id, f.verdict) for f in outcome.blocking] == [
        ("guong-mau", Verdict.NOT_MET)
    ]
    assert (nomination.state, nomination.version, nomination.submitted_at) == (
        "draft",
        version,
        None,
    )

    nomination.answers = {}
    outcome = await nominations.submit(session, await actor(session, 1002), nomination, TODAY)
    assert not outcome.submitted
    assert [f.verdict for f in outcome.blocking] == [Verdict.UNANSWERED]
    assert await actions(session, "nomination.submit") == []


async def test_submit_refuses_without_consent_or_category(session: AsyncSession) -> None:
    nomination = complete(await draft(session, 1002))
    nomination.consent_at = None
    outcome = await nominations.submit(session, await actor(session, 1002), nomination, TODAY)
    assert (outcome.submitted, outcome.blocking) == (False, [])
    assert nomination.state == "draft"

    nomination = complete(await draft(session, 1001))
    nomination.category_id = None
    outcome = await nominations.submit(session, await actor(session, 1001), nomination, TODAY)
    assert not outcome.submitted and nomination.state == "draft"
    assert await actions(session, "nomination.submit") == []


async def test_only_the_proposer_submits(session: AsyncSession) -> None:
    nomination = complete(await draft(session, 1002))
    with pytest.raises(NotAllowed):
        await nominations.submit(session, await actor(session, 1003), nomination, TODAY)
    assert nomination.state == "draft"


# --- discarding ------------------------------------------------------------------------------


def evidence(nomination: Nomination, n: int) -> Evidence:
    return Evidence(
        nomination_id=nomination.id,
        criterion_id="guong-mau",
        kind="photo",
        file_id=f"file-{nomination.id}-{n}",
        file_unique_id=f"u-{nomination.id}-{n}",
    )


async def test_discard_removes_the_draft_and_its_evidence(session: AsyncSession) -> None:
    nomination = await draft(session, 1002)
    kept = await draft(session, 1001, name="Y Hoa")
    session.add_all([evidence(nomination, 1), evidence(nomination, 2), evidence(kept, 1)])
    me = await user(session, 1002)
    me.active_nomination_id = nomination.id
    await session.flush()
    nid = nomination.id

    await nominations.discard(session, await actor(session, 1002), nomination)
    session.expunge_all()
    assert await session.get(Nomination, nid) is None
    left = (await session.scalars(select(Evidence.nomination_id))).all()
    assert left == [kept.id]
    assert (await user(session, 1002)).active_nomination_id is None
    [entry] = await actions(session, "nomination.discard")
    assert (entry.object_id, entry.from_state, entry.to_state) == (str(nid), "draft", None)
    assert entry.details == {"nominee": "Nguyễn Văn Đức"}


async def test_discard_only_own_unsubmitted_drafts(session: AsyncSession) -> None:
    mine = await draft(session, 1002)
    session.add(evidence(mine, 1))
    await session.flush()
    with pytest.raises(NotAllowed):
        await nominations.discard(session, await actor(session, 1003), mine)

    sent = complete(await draft(session, 1001, name="Y Hoa"))
    assert (await nominations.submit(session, await actor(session, 1001), sent, TODAY)).submitted
    with pytest.raises(NotAllowed):
        await nominations.discard(session, await actor(session, 1001), sent)

    returned = await draft(session, 1002, name="A Thút", state="returned")
    with pytest.raises(NotAllowed):  # once submitted, it stays on record: withdraw instead
        await nominations.discard(session, await actor(session, 1002), returned)

    assert await session.scalar(select(func.count(Nomination.id))) == 3
    assert await session.scalar(select(func.count(Evidence.id))) == 1
    assert await actions(session, "nomination.discard") == []


async def test_set_active_after_the_session_expired_the_user(session: AsyncSession) -> None:
    head = await actor(session, 1002)
    plan = await running(session, "KT-KR-DRU-T1")
    nomination = await nominations.start_draft(session, head, head.roles[0], plan)
    user = await session.get(User, head.user_id)
    assert user is not None
    session.expire(user)  # as a rollback would
    await nominations.set_active(session, head.user_id, nomination.id)
    assert user.active_nomination_id == nomination.id


async def test_editable_reads_the_draft_with_its_plan_and_unit_kind_in_one_statement(
    session_factory: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    officer = await committed_draft(session_factory, 1003)  # a commune officer's draft
    head = await committed_draft(session_factory, 1001, name="Y Văn Hoa")  # a village head's
    for tid, nomination_id, kind in ((1003, officer.id, "commune"), (1001, head.id, "village")):
        async with session_factory() as session:  # a new update: nothing read yet
            who = await actor(session, tid)
            with statements_sent(session) as statements:
                loaded = await nominations.editable(session, who, nomination_id)
                assert loaded is not None
                assert nominations.plan_of(loaded).id == TINY
                assert nominations.unit_kind_of(loaded) == kind
            assert len(statements) == 1
            # Neither related object was loaded, nor can be by accident in the async session.
            assert {"plan_version", "unit"}.isdisjoint(inspect(loaded).dict)

    # A process that has not parsed this plan version yet reads it once, here.
    monkeypatch.setattr(plans, "_PARSED", {})
    async with session_factory() as session:
        who = await actor(session, 1001)
        with statements_sent(session) as statements:
            loaded = await nominations.editable(session, who, head.id)
            assert loaded is not None and nominations.plan_of(loaded).id == TINY
        assert len(statements) == 2 and "plan_versions" in statements[1]


async def active_draft(
    session_factory: async_sessionmaker[AsyncSession], tid: int, name: str = "Y Văn Hoa"
) -> Nomination:
    """A committed draft that is this person's active one, as the wizard leaves it."""
    async with session_factory() as session:
        nomination = await draft(session, tid, name=name)
        await nominations.set_active(session, (await user(session, tid)).id, nomination.id)
        await session.commit()
    return nomination


async def test_the_person_and_their_active_draft_come_in_one_statement(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    nomination = await active_draft(session_factory, 1001)
    async with session_factory() as session:  # a new update
        with statements_sent(session) as statements:
            person, who = await identify(session, Contact(1001, "Trưởng thôn"))
            assert person.active_nomination_id == nomination.id
            loaded = await nominations.editable(session, who, nomination.id)
            assert loaded is not None and loaded.id == nomination.id
            assert loaded.nominee["name"] == "Y Văn Hoa"
            assert nominations.plan_of(loaded).id == TINY
            assert nominations.unit_kind_of(loaded) == "village"
        assert len(statements) == 1  # the step reads nothing more for its draft
        assert {"plan_version", "unit"}.isdisjoint(inspect(loaded).dict)

        # Another draft of theirs is read as before.
        other = await draft(session, 1001, name="Đinh Thị Nga")
        await session.commit()
        session.expunge(other)
        with statements_sent(session) as statements:
            assert (await nominations.editable(session, who, other.id)) is not None
        assert len(statements) == 1


async def test_an_active_draft_read_with_the_person_is_read_again_after_a_rollback(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    nomination = await active_draft(session_factory, 1001)
    async with session_factory() as session:
        _person, who = await identify(session, Contact(1001, "Trưởng thôn"))
        await session.rollback()  # what a failed update does before it answers
        with statements_sent(session) as statements:
            loaded = await nominations.editable(session, who, nomination.id)
            assert loaded is not None and loaded.version == nomination.version
        # Read again by editable's own query, not by reloading the expired object.
        assert len(statements) == 1 and "JOIN plan_versions" in statements[0]


async def test_an_active_draft_discarded_in_the_same_update_is_no_longer_editable(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    nomination = await active_draft(session_factory, 1001)
    async with session_factory() as session:
        _person, who = await identify(session, Contact(1001, "Trưởng thôn"))
        loaded = await nominations.editable(session, who, nomination.id)
        assert loaded is not None
        await nominations.discard(session, who, loaded)
        assert (await nominations.editable(session, who, nomination.id)) is None


async def test_an_active_draft_is_still_only_its_proposers(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    nomination = await active_draft(session_factory, 1001)
    async with session_factory() as session:
        await identify(session, Contact(1001, "Trưởng thôn"))
        other = await actor(session, 1002)
        assert (await nominations.editable(session, other, nomination.id)) is None


async def test_an_active_draft_of_a_plan_version_not_yet_parsed_is_parsed_by_editable(
    session_factory: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    nomination = await active_draft(session_factory, 1001)
    monkeypatch.setattr(plans, "_PARSED", {})  # a process that has not parsed it yet
    async with session_factory() as session:
        _person, who = await identify(session, Contact(1001, "Trưởng thôn"))
        with statements_sent(session) as statements:
            loaded = await nominations.editable(session, who, nomination.id)
            assert loaded is not None and nominations.plan_of(loaded).id == TINY
        assert "plan_versions" in statements[-1]


async def test_a_submission_writes_the_nomination_once(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    nomination = await active_draft(session_factory, 1002, name="Y Văn Hoa")
    async with session_factory() as session:
        _person, who = await identify(session, Contact(1002, "Y Hoa"))
        loaded = await nominations.editable(session, who, nomination.id)
        assert loaded is not None
        complete(loaded)
        await session.commit()
        with statements_sent(session) as statements:
            assert (await nominations.submit(session, who, loaded, TODAY)).submitted
            first, _reviewers = await review.enter_chain(session, loaded)
            await session.commit()
        assert first is not None
    async with session_factory() as session:
        me = await user(session, 1002)
        assert me.active_nomination_id is None  # written, though never flushed on its own
    writes = [s.split(" SET")[0] for s in statements if s.startswith("UPDATE")]
    assert writes == ["UPDATE nominations", "UPDATE users"]


async def test_plan_and_unit_kind_of_a_draft_read_otherwise(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    nomination = await committed_draft(session_factory, 1001)
    async with session_factory() as session:  # loaded from the database, with its relations
        again = await session.get(Nomination, nomination.id)
        assert again is not None
        assert nominations.plan_of(again).id == TINY
        assert nominations.unit_kind_of(again) == "village"


async def test_counting_evidence_leaves_the_drafts_answers_to_the_commit(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    nomination = await committed_draft(session_factory, 1001)
    async with session_factory() as session:
        who = await actor(session, 1001)
        loaded = await nominations.editable(session, who, nomination.id)
        assert loaded is not None
        with statements_sent(session) as statements:
            nominations.touch(loaded)
            loaded.answers = {"guong-mau": {"value": True}}
            assert await nominations.evidence_counts(session, loaded.id) == {}
            loaded.step = "summary"
            await session.commit()
        updates = [s for s in statements if s.startswith("UPDATE nominations")]
        assert len(updates) == 1  # one write of the row per step, not one per read
        assert len(statements) == 2


async def test_counting_evidence_counts_files_not_yet_flushed(session: AsyncSession) -> None:
    nomination = await draft(session, 1001)
    session.add(
        Evidence(
            nomination_id=nomination.id,
            criterion_id="guong-mau",
            kind="photo",
            file_id="f1",
            file_unique_id="u1",
        )
    )
    assert await nominations.evidence_counts(session, nomination.id) == {"guong-mau": 1}
