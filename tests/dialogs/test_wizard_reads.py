"""What one wizard step reads from the database: a step costs its statements on every phone.

On the demo data (a village head of Kon Tum proposing under the province's plan).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.dialogs.nomination import wizard
from bot.dialogs.nomination.cards import quota_text
from bot.i18n import set_locale
from bot.plans.schema import Criterion
from bot.workflow.nominations import editable, now, plan_of
from bot.workflow.review import stops
from bot.workflow.users import Contact, identify
from storage.models import Evidence, Nomination
from tests.statements import statements_sent
from tests.workflow.seeded import TODAY, seeded_database

seeded_file, database_url = seeded_database()

HEAD = 1002  # a village head in the demo data


async def draft_at_criteria(
    session_factory: async_sessionmaker[AsyncSession],
) -> tuple[int, Criterion, Criterion]:
    """A draft filled up to its criteria; its first attest and evidence criteria."""
    async with session_factory() as session:
        user, actor = await identify(session, Contact(HEAD, "Y Hoa"))
        set_locale("vi")
        ctx = wizard.Ctx(session, actor, TODAY)
        reply = await wizard.propose(ctx)
        if user.active_nomination_id is None:  # several plans run here: take the first
            _, activation, index = reply.screens[-1].rows[0][0].action.split(":")
            await wizard.choose_plan(ctx, int(activation), int(index))
        nomination = await session.get(Nomination, user.active_nomination_id)
        assert nomination is not None
        plan = plan_of(nomination)
        nomination.subject_kind = "individual"
        category = next(
            c
            for c in plan.categories_for("individual")
            if {"attest", "evidence"} <= {k.kind for k in c.criteria}
        )
        nomination.category_id = category.id
        nomination.consent_at = now()
        nomination.nominee = {"name": "Y Văn Hoa", "sex": "male", "birth_year": 1975}
        nomination.achievements = "Vận động bà con làm nhà văn hóa"
        attest = next(c for c in category.criteria if c.kind == "attest")
        evidence = next(c for c in category.criteria if c.kind == "evidence")
        nomination.step = f"c:{attest.id}"
        await session.commit()
        return nomination.id, attest, evidence


async def test_an_attested_criterion_is_judged_without_counting_files(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    nomination_id, attest, _evidence = await draft_at_criteria(session_factory)
    async with session_factory() as session:
        with statements_sent(session) as statements:
            user, actor = await identify(session, Contact(HEAD, "Y Hoa"))
            reply = await wizard.typed(wizard.Ctx(session, actor, TODAY), user, "1")  # "Có"
            await session.commit()
        assert reply is not None
        nomination = await session.get(Nomination, nomination_id)
        assert nomination is not None
        assert nomination.answers[attest.id] == {"value": True}
        assert nomination.step != f"c:{attest.id}"  # it moved on
    assert not [s for s in statements if "FROM evidence" in s]
    # The person and the draft, then the draft's one UPDATE.
    assert [s.split()[0] for s in statements] == ["SELECT", "UPDATE"]


async def test_an_evidence_criterion_counts_its_files_when_judged(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    nomination_id, _attest, evidence = await draft_at_criteria(session_factory)
    async with session_factory() as session:
        nomination = await session.get(Nomination, nomination_id)
        assert nomination is not None
        nomination.answers = {evidence.id: {"value": True}}
        nomination.step = f"e:{evidence.id}"
        for number in range(evidence.min_files_required):
            session.add(
                Evidence(
                    nomination_id=nomination_id,
                    criterion_id=evidence.id,
                    kind="photo",
                    file_id=f"photo-{number}",
                    file_unique_id=f"unique-{number}",
                )
            )
        await session.commit()
        version = nomination.version
    async with session_factory() as session:
        _user, actor = await identify(session, Contact(HEAD, "Y Hoa"))
        reply = await wizard.press(
            wizard.Ctx(session, actor, TODAY), nomination_id, version, "d", ""
        )
    # Judged with the files that were sent: met, not waiting for proof.
    assert reply.screens[-1].text.startswith("✅")


async def test_a_new_draft_is_written_once_and_its_unit_not_read_again(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        user, actor = await identify(session, Contact(HEAD, "Y Hoa"))
        set_locale("vi")
        ctx = wizard.Ctx(session, actor, TODAY)
        reply = await wizard.propose(ctx)
        assert user.active_nomination_id is None  # several plans run here: a choice first
        _, activation, index = reply.screens[-1].rows[0][0].action.split(":")
        with statements_sent(session) as statements:
            reply = await wizard.choose_plan(ctx, int(activation), int(index))
            await session.commit()
        assert reply.screens and user.active_nomination_id is not None
        nomination = await session.get(Nomination, user.active_nomination_id)
        assert nomination is not None and nomination.step == "kind"
        assert nomination.nominee_unit_id == actor.roles[0].unit_id  # the head's own village
    writes = [s for s in statements if not s.startswith("SELECT")]
    assert [" ".join(s.split()[:3]) for s in writes] == [
        "INSERT INTO nominations",
        "INSERT INTO audit_log",
        "UPDATE nominations SET",
        "UPDATE users SET",
    ]
    assert "step=" in writes[2] and "nominee_unit_id=" in writes[2]  # the draft, written once
    assert not [s for s in statements if s.startswith("SELECT units.")]


async def test_quota_and_review_chain_read_the_units_in_one_query(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    nomination_id, _attest, _evidence = await draft_at_criteria(session_factory)
    async with session_factory() as session:
        _user, actor = await identify(session, Contact(HEAD, "Y Hoa"))
        nomination = await editable(session, actor, nomination_id)
        assert nomination is not None
        plan = plan_of(nomination)
        with statements_sent(session) as statements:
            text = await quota_text(session, nomination, plan, TODAY)
        assert text  # the Kon Tum plan has quotas for the commune
        units = [s for s in statements if "FROM units" in s]
        assert len(units) == 1 and "IN" in units[0]  # the chain with the unit, once
    async with session_factory() as session:
        _user, actor = await identify(session, Contact(HEAD, "Y Hoa"))
        nomination = await editable(session, actor, nomination_id)
        assert nomination is not None
        with statements_sent(session) as statements:
            chain = await stops(session, nomination, plan_of(nomination))
        assert chain and chain[0].unit.kind == "commune"
        assert len(statements) == 1
