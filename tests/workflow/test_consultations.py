"""Consulted bodies' opinions: an objection holds a nomination, who sees it, reminders.

Demo people: 1002 village head (Đăk Ruồng), 1003 commune officer (Đăk Ruồng), 1008 the
commune police of Đăk Ruồng (consultee). Added: 2101 the police of Tân Lập, another commune.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.workflow import consultations, nominations, review, review_chain
from bot.workflow.activations import running_plans
from bot.workflow.review import ReviewRefused
from storage.models import AuditEntry, Consultation, Nomination
from tests.workflow.seeded import TODAY, actor, seeded_database, unit, user

PLAN = "tiny-consult-2026"
seeded_file, database_url = seeded_database(
    plans=("tiny-consult.toml",),
    people=((2101, "Công an xã Tân Lập", "consultee", "KT-KR-TL-CA"),),
)


async def propose(session: AsyncSession, category: str = "nguoi-tot") -> Nomination:
    """Village head 1002's submitted nomination, waiting at the commune (officer 1003)."""
    who = await actor(session, 1002)
    here = await unit(session, who.roles[0].unit_code)
    running = next(r for r in await running_plans(session, here, TODAY) if r.plan.id == PLAN)
    nomination = await nominations.start_draft(session, who, who.roles[0], running)
    nomination.subject_kind, nomination.category_id = "individual", category
    nomination.nominee = {"name": "A Hùng", "birth_year": 1975}
    nomination.nominee_key = nominations.nominee_key("A Hùng", 1975)
    nomination.consent_at = datetime(2026, 5, 1, tzinfo=UTC)
    nomination.achievements = "Vận động bà con bỏ tập tục lạc hậu"
    criterion = "guong-mau" if category == "nguoi-tot" else "guong-mau-mo"
    nomination.answers = {criterion: {"value": True}}
    assert (await nominations.submit(session, who, nomination, TODAY)).submitted
    await review.enter_chain(session, nomination)
    await session.flush()
    return nomination


async def asked(session: AsyncSession, nomination: Nomination) -> Consultation:
    _, created = await consultations.request_consultations(
        session, await actor(session, 1003), nomination.id
    )
    [(consultation, people)] = created
    assert [p.telegram_id for p in people] == [1008]
    return consultation


async def officer_decides(
    session: AsyncSession, nomination: Nomination, decision: str, **kwargs: object
) -> None:
    """Commune officer 1003 decides on the nomination as it stands."""
    await review.decide(
        session,
        await actor(session, 1003),
        nomination.id,
        nomination.version,
        decision,
        **kwargs,  # type: ignore[arg-type]
    )


async def forward(session: AsyncSession, nomination: Nomination, **kwargs: object) -> None:
    await officer_decides(session, nomination, review.ENDORSE, **kwargs)


async def refusal(session: AsyncSession, nomination: Nomination, **kwargs: object) -> str:
    with pytest.raises(ReviewRefused) as info:
        await forward(session, nomination, **kwargs)
    return info.value.reason


async def test_an_objection_holds_until_the_body_changes_its_opinion(
    session: AsyncSession,
) -> None:
    nomination = await propose(session)
    assert await consultations.hold(session, nomination) == consultations.PENDING
    consultation = await asked(session, nomination)
    police = await actor(session, 1008)
    await consultations.answer_consultation(
        session, police, consultation.id, "disagree", "Đang bị xử lý vi phạm hành chính"
    )
    assert await consultations.hold(session, nomination) == consultations.OBJECTION
    with pytest.raises(ReviewRefused) as info:
        await forward(session, nomination)
    assert info.value.reason == "objection"
    assert info.value.details == {
        "bodies": [("Công an xã Đăk Ruồng", "Đang bị xử lý vi phạm hành chính")],
        "may_override": False,
    }
    # Kon Tum's rule: no passing over it, with or without a reason.
    assert await refusal(session, nomination, reason="Tôi chịu trách nhiệm", override=True) == (
        "no_override"
    )
    # The police look again and withdraw the objection: the nomination may go on.
    await consultations.answer_consultation(session, police, consultation.id, "agree", None)
    assert await consultations.hold(session, nomination) is None
    await forward(session, nomination)
    assert nomination.state == "under_review"
    answers = await session.scalars(
        select(AuditEntry.details).where(AuditEntry.action == "consultation.answer")
    )
    assert [(d["opinion"], d["changed"]) for d in answers] == [
        ("disagree", False),
        ("agree", True),
    ]


async def test_a_return_clears_the_objection_and_the_next_round_asks_again(
    session: AsyncSession,
) -> None:
    nomination = await propose(session)
    consultation = await asked(session, nomination)
    await consultations.answer_consultation(
        session, await actor(session, 1008), consultation.id, "disagree", "Chưa đúng đối tượng"
    )
    await officer_decides(session, nomination, review.RETURN, reason="Công an xã phản đối, xem lại")
    # The old round's question can no longer be answered.
    with pytest.raises(ReviewRefused) as info:
        await consultations.answer_consultation(
            session, await actor(session, 1008), consultation.id, "agree", None
        )
    assert info.value.reason == "moved_on"
    who = await actor(session, 1002)
    assert (await nominations.submit(session, who, nomination, TODAY)).submitted
    await review.enter_chain(session, nomination)
    assert nomination.round == 2
    assert await consultations.hold(session, nomination) == consultations.PENDING


async def test_where_the_plan_allows_it_a_reviewer_passes_over_with_a_reason(
    session: AsyncSession,
) -> None:
    nomination = await propose(session, "nguoi-tot-mo")
    consultation = await asked(session, nomination)
    await consultations.answer_consultation(
        session, await actor(session, 1008), consultation.id, "disagree", "Không rõ"
    )
    assert await refusal(session, nomination) == "objection"
    assert await refusal(session, nomination, override=True) == "reason_needed"
    await forward(session, nomination, reason="Đã xác minh với thôn: đủ điều kiện", override=True)
    assert nomination.state == "under_review"
    assert consultation.override_reason == "Đã xác minh với thôn: đủ điều kiện"
    assert consultation.overridden_by == (await actor(session, 1003)).user_id
    overrides = await session.scalars(
        select(AuditEntry.reason).where(AuditEntry.action == "consultation.override")
    )
    assert list(overrides) == ["Đã xác minh với thôn: đủ điều kiện"]


async def test_only_the_consulted_body_sees_it_and_only_its_part(session: AsyncSession) -> None:
    nomination = await propose(session)
    other_police = await actor(session, 2101)
    police = await actor(session, 1008)
    assert await review_chain.view_of(session, police, nomination) is None  # not asked yet
    consultation = await asked(session, nomination)
    assert await review_chain.view_of(session, police, nomination) == review_chain.CONSULTED
    assert await review_chain.view_of(session, other_police, nomination) is None
    assert (
        await review_chain.view_of(session, await actor(session, 1003), nomination)
        == review_chain.CHAIN  # a reviewer: the whole, sensitive fields too
    )
    with pytest.raises(ReviewRefused) as info:
        await consultations.answer_consultation(
            session, other_police, consultation.id, "agree", None
        )
    assert info.value.reason == "not_yours"


async def test_a_body_that_does_not_answer_is_reminded_every_few_days_at_most_three_times(
    session: AsyncSession,
) -> None:
    nomination = await propose(session)
    consultation = await asked(session, nomination)
    start = consultation.requested_at
    assert await consultations.awaiting_reminder(session, start + timedelta(days=1)) == []
    moment = start + timedelta(days=2)
    for nth in range(1, 4):
        [(due, people)] = await consultations.awaiting_reminder(session, moment)
        assert due.id == consultation.id and [p.telegram_id for p in people] == [1008]
        seen = due.reminders
        assert await consultations.mark_reminded(session, due.id, seen, moment)
        # Another worker that read the same count: its reminder is not counted, nor sent.
        assert not await consultations.mark_reminded(session, due.id, seen, moment)
        await session.refresh(due)
        assert due.reminders == nth
        assert await consultations.awaiting_reminder(session, moment + timedelta(days=1)) == []
        moment += timedelta(days=2)
    assert await consultations.awaiting_reminder(session, moment + timedelta(days=30)) == []
    # Answered, nothing is due whatever the count.
    consultation.reminders = 0
    await consultations.answer_consultation(
        session, await actor(session, 1008), consultation.id, "agree", None
    )
    assert await consultations.awaiting_reminder(session, moment + timedelta(days=30)) == []


async def test_opinions_lists_what_the_body_may_still_answer_unanswered_first(
    session: AsyncSession,
) -> None:
    first, second = await propose(session), await propose(session, "nguoi-tot-mo")
    one, two = await asked(session, first), await asked(session, second)
    police = await actor(session, 1008)
    await consultations.answer_consultation(session, police, one.id, "disagree", "Chưa rõ")
    listed = await consultations.asked_of(session, police)
    assert [(c.id, n.id) for c, n in listed] == [(two.id, second.id), (one.id, first.id)]
    assert await consultations.asked_of(session, await actor(session, 2101)) == []
    assert await consultations.asked_of(session, await actor(session, 1003)) == []
    await officer_decides(session, first, review.REJECT, reason="Không đạt")
    assert [c.id for c, _ in await consultations.asked_of(session, police)] == [two.id]


async def test_a_body_whose_only_person_left_is_not_asked_and_says_so(
    session: AsyncSession,
) -> None:
    """The people asked are the people reminded: the active ones of the body."""
    police = await user(session, 1008)
    police.is_active = False
    nomination = await propose(session)
    _, created = await consultations.request_consultations(
        session, await actor(session, 1003), nomination.id
    )
    [(consultation, people)] = created
    assert people == [] and consultation.status == "unavailable"
