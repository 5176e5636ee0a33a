"""Reviewers' cards: outbox rows written with the submission, drawn when sent, from what it saved.

Demo people: 1002 a village head of Đăk Ruồng; 1003 and 1004, officers of its commune (the first
level of the tiny plan's chain); 1005 the district reviewer of Kon Rẫy (the second).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.dialogs import review as dialog
from bot.dialogs.review_cards import REVIEW_CARD, locale_of, render_review_card
from bot.dialogs.screen import Screen
from bot.i18n import set_locale
from bot.workflow import nominations, review
from bot.workflow.activations import running_plans
from storage.db import create_snapshot_factory
from storage.models import Nomination, User
from tests.statements import statements_sent
from tests.workflow.seeded import TODAY, actor, seeded_database, unit

seeded_file, database_url = seeded_database(tiny_plans=True)

HEAD, OFFICER, FARMERS, DISTRICT = 1002, 1003, 1004, 1005


async def drawn(reader: AsyncSession, notice: dialog.ReviewCards) -> list[tuple[int, Screen]]:
    """What the sender would draw for each row of ``notice``: (telegram id, card)."""
    out: list[tuple[int, Screen]] = []
    for message in notice.messages():
        user = await reader.get(User, message.recipient_id)
        assert user is not None and message.kind == REVIEW_CARD
        screen = await render_review_card(reader, message.payload, locale_of(user))
        if screen is not None:
            out.append((user.telegram_id, screen))
    return out


async def telegram_ids(session: AsyncSession, notice: dialog.ReviewCards) -> list[int]:
    return [(await session.get(User, uid)).telegram_id for uid in notice.recipients]  # type: ignore[union-attr]


async def eligible_draft(session: AsyncSession) -> Nomination:
    """A complete draft of the village head's, submitted but not yet placed in the chain."""
    who = await actor(session, HEAD)
    role = who.roles[0]
    here = await unit(session, role.unit_code)
    running = next(r for r in await running_plans(session, here, TODAY) if r.plan.id == "tiny-2026")
    nomination = await nominations.start_draft(session, who, role, running)
    nomination.subject_kind, nomination.category_id = "individual", "nguoi-tot"
    nomination.nominee = {"name": "Nguyễn Văn An", "birth_year": 1980}
    nomination.nominee_key = nominations.nominee_key("Nguyễn Văn An", 1980)
    nomination.consent_at = datetime(2026, 5, 1, tzinfo=UTC)
    nomination.achievements = "Nhiều năm giúp đỡ bà con trong thôn"
    nomination.answers = {"guong-mau": {"value": True}}
    assert (await nominations.submit(session, who, nomination, TODAY)).submitted
    return nomination


async def test_a_submission_names_its_reviewers_and_reads_no_card(
    session_factory: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    async with session_factory() as session:
        nomination = await eligible_draft(session)
        with statements_sent(session) as statements:
            notice = await dialog.after_submit(session, nomination, TODAY)
            await session.commit()
    async with session_factory() as session:
        assert await telegram_ids(session, notice) == [OFFICER, FARMERS]
    # No card inside the transaction: no files counted, no quota, no consultations read.
    assert not [s for s in statements if "evidence" in s or "count(" in s or "consultations" in s]

    async with create_snapshot_factory(engine)() as reader:
        rendered = await drawn(reader, notice)
    assert [chat_id for chat_id, _screen in rendered] == [OFFICER, FARMERS]
    screen = rendered[0][1]
    assert rendered[1][1].text == screen.text  # the same card for readers of a language
    assert screen.text.startswith("📥") and "Nguyễn Văn An" in screen.text
    assert "Tiêu chí đạt" in screen.text  # the criteria, judged from what was committed
    actions = [choice.action for choice in screen.choices]
    assert f"rv:{nomination.id}:{nomination.version}:a" in actions


async def test_cards_are_written_in_each_reviewers_language_and_not_to_blocked_ones(
    session_factory: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    async with session_factory() as session:
        nomination = await eligible_draft(session)
        await dialog.after_submit(session, nomination, TODAY)
        await session.commit()
        officer = await session.scalar(select(User).where(User.telegram_id == OFFICER))
        district = await session.scalar(select(User).where(User.telegram_id == DISTRICT))
        assert officer is not None and district is not None
        district.locale = "en"
        lead = dialog.NEW_FOR_REVIEW
        notice = dialog.ReviewCards.to([officer, district], nomination, TODAY, lead)
        officer.blocked_at = datetime(2026, 5, 2, tzinfo=UTC)
        only_district = dialog.ReviewCards.to([officer, district], nomination, TODAY, lead)
        await session.commit()
    set_locale("vi")
    async with create_snapshot_factory(engine)() as reader:
        cards = dict(await drawn(reader, notice))
        assert await telegram_ids(reader, only_district) == [DISTRICT]
        assert list(dict(await drawn(reader, only_district))) == [DISTRICT]
    assert cards[OFFICER].text.startswith("📥") and "Tiêu chí đạt" in cards[OFFICER].text
    assert "waiting for your review" in cards[DISTRICT].text
    assert "Criteria met" in cards[DISTRICT].text


async def test_no_card_for_a_nomination_withdrawn_before_it_was_written(
    session_factory: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    async with session_factory() as session:
        nomination = await eligible_draft(session)
        notice = await dialog.after_submit(session, nomination, TODAY)
        await session.commit()
        head = await actor(session, HEAD)
        await review.withdraw(session, head, nomination.id, nomination.version)
        await session.commit()
    async with create_snapshot_factory(engine)() as reader:
        assert await drawn(reader, notice) == []


async def test_a_forward_tells_the_proposer_now_and_the_next_level_after_the_commit(
    session_factory: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    async with session_factory() as session:
        nomination = await eligible_draft(session)
        await review.enter_chain(session, nomination)
        await session.commit()
        reply = await dialog.decide(
            session,
            await actor(session, OFFICER),
            nomination.id,
            nomination.version,
            review.ENDORSE,
            None,
            TODAY,
        )
        await session.commit()
    assert [chat for chat, _screen in reply.outgoing] == [HEAD]  # the proposer's short note
    [notice] = reply.notices
    assert isinstance(notice, dialog.ReviewCards)
    async with create_snapshot_factory(engine)() as reader:
        [(chat_id, screen)] = await drawn(reader, notice)
    assert chat_id == DISTRICT and "Nguyễn Văn An" in screen.text
