"""Opinions of consulted bodies (the commune police, the Fatherland Front) on a nomination."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.plans.schema import Plan
from bot.workflow import audit
from bot.workflow.actor import Actor
from bot.workflow.lifecycle import IN_REVIEW
from bot.workflow.nominations import plan_of
from bot.workflow.review_chain import (
    ReviewRefused,
    current_stop,
    last_decision,
    load_for_decision,
    now,
)
from bot.workflow.roles import CONSULTEE
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


#: What holds a nomination at its level (ReviewRefused reasons).
PENDING = "consultation_pending"  # a body asked for its opinion has not given it yet
OBJECTION = "objection"  # a body objects, and nobody passed over its objection


def still_open(consultation: Consultation, nomination: Nomination) -> bool:
    """Whether the body may still answer (or change its answer): the nomination waits in the
    round it was asked in. The queries below say the same in SQL (_OPEN)."""
    return (
        consultation.status in ("pending", "answered")
        and nomination.state in IN_REVIEW
        and nomination.round == consultation.round
    )


#: still_open, for a query joining Consultation and Nomination.
_OPEN = (
    Consultation.status.in_(("pending", "answered")),
    Nomination.state.in_(IN_REVIEW),
    Nomination.round == Consultation.round,
)


def unresolved_objections(consultations: list[Consultation]) -> list[Consultation]:
    return [c for c in consultations if c.opinion == "disagree" and c.overridden_at is None]


async def hold(session: AsyncSession, nomination: Nomination) -> str | None:
    """Why the nomination may not go on from its level yet, or None.

    An objection holds it until the body changes its opinion, the reviewer returns or rejects
    it (a new round asks again), or, where the plan allows, passes over it with a reason.
    """
    kinds = needs_consultation(nomination, plan_of(nomination))
    if not kinds:
        return None
    asked = await consultations_of(session, nomination)
    if {c.kind for c in asked} < set(kinds) or any(c.status == "pending" for c in asked):
        return PENDING
    return OBJECTION if unresolved_objections(asked) else None


def may_override(nomination: Nomination) -> bool:
    """Whether the plan lets a reviewer send this nomination on over an objection."""
    if not nomination.category_id:
        return False
    return plan_of(nomination).category(nomination.category_id).objection_override


async def override_objections(
    session: AsyncSession, actor: Actor, nomination: Nomination, reason: str
) -> list[Consultation]:
    """Record that the deciding reviewer passes over the objections, and why (the caller has
    checked that they may decide and that the plan allows it)."""
    objections = unresolved_objections(await consultations_of(session, nomination))
    moment = now()
    for consultation in objections:
        consultation.overridden_by = actor.user_id
        consultation.overridden_at = moment
        consultation.override_reason = reason
        audit.record(
            session,
            actor.user_id,
            "consultation.override",
            nomination,
            reason=reason,
            details={"kind": consultation.kind, "consultation": consultation.id},
        )
    return objections


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
            actor.user_id,
            "consultation.request",
            nomination,
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
            users = await body_people(session, unit.id)
            if users:
                return unit, users
        if units:
            return units[0], []
    return None, []


async def body_people(session: AsyncSession, unit_id: int) -> list[User]:
    """The active people who answer for a consulted body: those asked, and those reminded."""
    return list(
        (
            await session.scalars(
                select(User)
                .join(Membership, Membership.user_id == User.id)
                .where(
                    Membership.unit_id == unit_id,
                    Membership.role == CONSULTEE,
                    User.is_active.is_(True),
                )
                .order_by(User.id)
            )
        ).all()
    )


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
        audit.record(session, actor.user_id, "consultation.refused", consultation)
        raise ReviewRefused("not_yours")
    nomination = await session.get(Nomination, consultation.nomination_id)
    assert nomination is not None
    if nomination.state not in IN_REVIEW or nomination.round != consultation.round:
        raise ReviewRefused("moved_on", **await last_decision(session, nomination))
    # An answered body may change its opinion while the nomination still waits: that is how
    # an objection is withdrawn once the proposer or the reviewer has cleared it up.
    changed = consultation.status == "answered"
    consultation.status = "answered"
    consultation.opinion = opinion
    consultation.note = note
    consultation.answered_by = actor.user_id
    consultation.answered_at = now()
    consultation.overridden_by = consultation.overridden_at = consultation.override_reason = None
    nomination.version += 1  # the card a reviewer holds is now out of date
    audit.record(
        session,
        actor.user_id,
        "consultation.answer",
        nomination,
        reason=note,
        details={"kind": consultation.kind, "opinion": opinion, "changed": changed},
    )
    return consultation, nomination


async def asked_of(session: AsyncSession, actor: Actor) -> list[tuple[Consultation, Nomination]]:
    """The questions this person's bodies may still answer (or change their answer to),
    unanswered first: what /opinions lists, for a channel without buttons."""
    units = [r.unit_id for r in actor.roles if r.role == CONSULTEE]
    if not units:
        return []
    rows = await session.execute(
        select(Consultation, Nomination)
        .join(Nomination, Nomination.id == Consultation.nomination_id)
        .where(
            Consultation.unit_id.in_(units),
            *_OPEN,
        )
        .order_by(case((Consultation.status == "pending", 0), else_=1), Consultation.id)
    )
    return [(consultation, nomination) for consultation, nomination in rows.all()]


#: A body that does not answer is reminded at most this many times; after that it is the
#: reviewer's to phone them, and the card shows the question still open.
MAX_REMINDERS = 3


async def awaiting_reminder(
    session: AsyncSession, moment: datetime
) -> list[tuple[Consultation, list[User]]]:
    """Open questions older than their plan's ``consult_remind_days`` (counted from the
    request, then from the last reminder), with the body's people to remind."""
    rows = await session.execute(
        select(Consultation, Nomination)
        .join(Nomination, Nomination.id == Consultation.nomination_id)
        .where(
            *_OPEN,
            Consultation.status == "pending",
            Consultation.unit_id.is_not(None),
            Consultation.reminders < MAX_REMINDERS,
        )
        .order_by(Consultation.id)
    )
    due: list[tuple[Consultation, list[User]]] = []
    for consultation, nomination in rows.all():
        if not nomination.category_id:
            continue
        days = plan_of(nomination).category(nomination.category_id).consult_remind_days
        since = consultation.reminded_at or consultation.requested_at
        if moment - since < timedelta(days=days):
            continue
        people = await body_people(session, consultation.unit_id)
        if people:
            due.append((consultation, people))
    return due


async def mark_reminded(
    session: AsyncSession, consultation_id: int, seen: int, moment: datetime
) -> bool:
    """Count one reminder over the ``seen`` count read before; False if another worker counted
    it first (then this one sends none)."""
    result = await session.execute(
        update(Consultation)
        .where(
            Consultation.id == consultation_id,
            Consultation.reminders == seen,
            Consultation.status == "pending",
        )
        .values(reminders=seen + 1, reminded_at=moment)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))
