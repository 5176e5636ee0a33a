"""Opinions of consulted bodies (the commune police, the Fatherland Front) on a nomination."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.plans.schema import Plan
from bot.workflow import audit
from bot.workflow.actor import Actor
from bot.workflow.nominations import plan_of
from bot.workflow.review_chain import ReviewRefused, current_stop, load_for_decision, now
from bot.workflow.roles import (
    CONSULTEE,
)
from bot.workflow.units import ancestors_and_self
from storage.models import (
    Consultation,
    Membership,
    Nomination,
    Unit,
    User,
)


def needs_consultation(nomination: Nomination, plan: Plan) -> list[str]:
    """The kinds of body whose opinion this nomination needs (empty: none)."""
    if not nomination.category_id:
        return []
    category = plan.category(nomination.category_id)
    return list(category.consultees) if category.needs_consultation(nomination.answers) else []


_CONSULTATIONS = (
    select(Consultation)
    .where(
        Consultation.nomination_id == bindparam("nomination_id"),
        Consultation.round == bindparam("round"),
    )
    .order_by(Consultation.id)
)


async def consultations_of(session: AsyncSession, nomination: Nomination) -> list[Consultation]:
    rows = await session.scalars(
        _CONSULTATIONS, {"nomination_id": nomination.id, "round": nomination.round}
    )
    return list(rows.all())


async def consultation_pending(session: AsyncSession, nomination: Nomination) -> bool:
    """Needed and not asked yet, or asked and not yet answered."""
    kinds = needs_consultation(nomination, plan_of(nomination))
    if not kinds:
        return False
    asked = await consultations_of(session, nomination)
    if {c.kind for c in asked} < set(kinds):
        return True
    return any(c.status == "pending" for c in asked)


async def request_consultations(
    session: AsyncSession, actor: Actor, nomination_id: int
) -> tuple[Nomination, list[tuple[Consultation, list[User]]]]:
    """Ask each consulted body at the reviewing level; bodies with nobody registered say so."""
    nomination = await load_for_decision(session, actor, nomination_id, "consult")
    stop = await current_stop(session, nomination)
    assert stop is not None
    asked = {c.kind for c in await consultations_of(session, nomination)}
    created: list[tuple[Consultation, list[User]]] = []
    for kind in needs_consultation(nomination, plan_of(nomination)):
        if kind in asked:
            continue
        unit, users = await _consultee(session, stop.unit, kind)
        consultation = Consultation(
            nomination_id=nomination.id,
            round=nomination.round,
            unit=unit,
            kind=kind,
            requested_by=actor.user_id,
            status="pending" if users else "unavailable",
        )
        session.add(consultation)
        await session.flush()
        audit.record(
            session,
            actor_id=actor.user_id,
            action="consultation.request",
            object_type="nomination",
            object_id=nomination.id,
            details={"kind": kind, "unit": unit.code if unit else None, "available": bool(users)},
        )
        created.append((consultation, users))
    return nomination, created


async def _consultee(
    session: AsyncSession, near: Unit, kind: str
) -> tuple[Unit | None, list[User]]:
    """The body of ``kind`` at the reviewing unit (or the nearest above it), and its people."""
    for admin in await ancestors_and_self(session, near):
        units = (
            await session.scalars(
                select(Unit).where(Unit.parent_id == admin.id, Unit.kind == kind).order_by(Unit.id)
            )
        ).all()
        for unit in units:
            users = (
                await session.scalars(
                    select(User)
                    .join(Membership, Membership.user_id == User.id)
                    .where(Membership.unit_id == unit.id, Membership.role == CONSULTEE)
                )
            ).all()
            if users:
                return unit, list(users)
        if units:
            return units[0], []
    return None, []


def may_answer(actor: Actor, consultation: Consultation) -> bool:
    """Only a person of the consulted body gives its opinion."""
    return any(r.role == CONSULTEE and r.unit_id == consultation.unit_id for r in actor.roles)


async def answer_consultation(
    session: AsyncSession, actor: Actor, consultation_id: int, opinion: str, note: str | None
) -> tuple[Consultation, Nomination]:
    consultation = await session.get(Consultation, consultation_id)
    if consultation is None or consultation.unit_id is None:
        raise ReviewRefused("unknown")
    if not may_answer(actor, consultation):
        audit.record(
            session,
            actor_id=actor.user_id,
            action="consultation.refused",
            object_type="consultation",
            object_id=consultation.id,
        )
        raise ReviewRefused("not_yours")
    if consultation.status != "pending":
        raise ReviewRefused("already_answered")
    consultation.status = "answered"
    consultation.opinion = opinion
    consultation.note = note
    consultation.answered_by = actor.user_id
    consultation.answered_at = now()
    nomination = await session.get(Nomination, consultation.nomination_id)
    assert nomination is not None
    nomination.version += 1  # the card a reviewer holds is now out of date
    audit.record(
        session,
        actor_id=actor.user_id,
        action="consultation.answer",
        object_type="nomination",
        object_id=nomination.id,
        reason=note,
        details={"kind": consultation.kind, "opinion": opinion},
    )
    return consultation, nomination
