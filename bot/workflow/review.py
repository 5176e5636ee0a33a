"""The review chain: who reviews a nomination at each level, and the decisions they may take.

A nomination climbs the plan's ``review_chain`` bottom up. At each level the reviewing unit is
the nearest unit above the proposer's of that level; its reviewers are the holders of the
level's role whose unit lies in it (the commune's officers, the district's reviewers in its
offices). Levels with no such unit above the proposer are skipped (a district agency's proposal
starts at the district). A proposer never decides on their own nomination.

Every decision checks the version the reviewer was shown and moves the row with one conditional
UPDATE, so two reviewers pressing at once produce one decision; the other is told who decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.plans.schema import Plan
from bot.workflow import audit
from bot.workflow.actor import Actor
from bot.workflow.kinds import kind_matches
from bot.workflow.lifecycle import (
    APPROVED,
    IN_REVIEW,
    REJECTED,
    RETURNED,
    SUBMITTED,
    UNDER_REVIEW,
    WITHDRAWN,
    can_move,
)
from bot.workflow.nominations import plan_of, unit_path_of
from bot.workflow.roles import (
    ADMIN,
    COMMUNE_OFFICER,
    CONSULTEE,
    DISTRICT_REVIEWER,
    PROVINCE_REVIEWER,
)
from bot.workflow.units import admin_homes, ancestors_and_self, ancestors_on_path, effective_levels
from storage.models import (
    AuditEntry,
    Consultation,
    Membership,
    Nomination,
    NominationVersion,
    Unit,
    User,
)

LEVEL_ROLES: dict[str, str] = {
    "commune": COMMUNE_OFFICER,
    "district": DISTRICT_REVIEWER,
    "province": PROVINCE_REVIEWER,
}

ENDORSE, APPROVE, RETURN, REJECT = "endorse", "approve", "return", "reject"
DECISIONS = (ENDORSE, APPROVE, RETURN, REJECT)


class ReviewRefused(Exception):
    """A decision that cannot be taken; ``reason`` is a stable key, ``details`` fill the text."""

    def __init__(self, reason: str, **details: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


@dataclass(frozen=True, slots=True)
class Stop:
    """One level of a nomination's chain: the level and the unit reviewing there."""

    index: int
    level: str
    unit: Unit


@dataclass
class Outcome:
    nomination: Nomination
    decision: str
    to_state: str
    next_stop: Stop | None = None
    notify: list[User] = field(default_factory=list)  # next level's reviewers


def now() -> datetime:
    return datetime.now(UTC)


async def stops(session: AsyncSession, nomination: Nomination, plan: Plan) -> list[Stop]:
    """The levels this nomination passes, with their reviewing units (missing ones skipped)."""
    chain = await ancestors_on_path(session, await unit_path_of(session, nomination))
    found: list[Stop] = []
    for index, level in enumerate(plan.plan.review_chain):
        unit = next((u for u in chain if kind_matches(u.kind, level)), None)
        if unit is not None:
            found.append(Stop(index, level, unit))
    return found


def role_for(level: str) -> str | None:
    return LEVEL_ROLES.get(level)


def _reviewers_query(any_level_role: bool) -> Select[tuple[User, Unit]]:
    query = (
        select(User, Unit)
        .join(Membership, Membership.user_id == User.id)
        .join(Unit, Unit.id == Membership.unit_id)
        .where(Unit.path.startswith(bindparam("path")), User.is_active.is_(True))
    )
    if any_level_role:
        return query.where(Membership.role.in_(tuple(LEVEL_ROLES.values())))
    return query.where(Membership.role == bindparam("role"))


#: Built once (with the role, and for a level without one): a submission and every review
#: decision look reviewers up, and building the select cost more than running it.
_REVIEWERS = {False: _reviewers_query(False), True: _reviewers_query(True)}


async def reviewers_at(session: AsyncSession, stop: Stop) -> list[User]:
    """Holders of the level's role in the reviewing unit or an organisation under it."""
    role = role_for(stop.level)
    params = {"path": stop.unit.path} if role is None else {"path": stop.unit.path, "role": role}
    rows = (await session.execute(_REVIEWERS[role is None], params)).all()
    homes = await admin_homes(session, [unit for _user, unit in rows])
    users: dict[int, User] = {}
    for user, unit in rows:
        if homes[unit.id].id == stop.unit.id:
            users[user.id] = user
    return list(users.values())


async def current_stop(session: AsyncSession, nomination: Nomination) -> Stop | None:
    if nomination.state not in IN_REVIEW:
        return None
    for stop in await stops(session, nomination, plan_of(nomination)):
        if stop.index == nomination.level_index:
            return stop
    return None


async def may_review(session: AsyncSession, actor: Actor, nomination: Nomination) -> bool:
    stop = await current_stop(session, nomination)
    if stop is None or nomination.proposer_id == actor.user_id:
        return False
    return any(u.id == actor.user_id for u in await reviewers_at(session, stop))


async def may_see(session: AsyncSession, actor: Actor, nomination: Nomination) -> bool:
    """The proposer, anyone reviewing at a level of its chain, or an admin above it."""
    if nomination.proposer_id == actor.user_id:
        return True
    home = await session.get(Unit, nomination.unit_id)
    assert home is not None
    if actor.covers(home.path, ADMIN):
        return True
    for stop in await stops(session, nomination, plan_of(nomination)):
        if any(u.id == actor.user_id for u in await reviewers_at(session, stop)):
            return True
    consulted = await session.scalar(
        select(func.count(Consultation.id))
        .join(Membership, Membership.unit_id == Consultation.unit_id)
        .where(
            Consultation.nomination_id == nomination.id,
            Membership.user_id == actor.user_id,
            Membership.role == CONSULTEE,
        )
    )
    return bool(consulted)


# --- entering the chain ----------------------------------------------------------------------


async def enter_chain(
    session: AsyncSession, nomination: Nomination
) -> tuple[Stop | None, list[User]]:
    """Called on submission: snapshot this round, place it at the first level, find reviewers."""
    plan = plan_of(nomination)
    nomination.round += 1
    session.add(
        NominationVersion(
            nomination_id=nomination.id,
            round=nomination.round,
            plan_version_id=nomination.plan_version_id,
            snapshot=snapshot(nomination),
        )
    )
    # What is read here does not depend on the submission's pending changes: they are left
    # to one flush rather than one per query.
    with session.no_autoflush:
        chain = await stops(session, nomination, plan)
        nomination.decided_by = None
        nomination.decision_reason = None
        if not chain:
            nomination.review_unit_id = None
            return None, []
        first = chain[0]
        nomination.level_index = first.index
        nomination.review_unit_id = first.unit.id
        return first, await reviewers_at(session, first)


def snapshot(nomination: Nomination) -> dict[str, Any]:
    return {
        "version": nomination.version,
        "subject_kind": nomination.subject_kind,
        "category_id": nomination.category_id,
        "nominee": nomination.nominee,
        "nominee_unit_id": nomination.nominee_unit_id,
        "achievements": nomination.achievements,
        "answers": nomination.answers,
    }


# --- decisions ----------------------------------------------------------------------------------


async def load_for_decision(
    session: AsyncSession, actor: Actor, nomination_id: int, action: str
) -> Nomination:
    """The nomination, if this actor may act on it now; refusals of strangers are audited."""
    nomination = await session.get(Nomination, nomination_id)
    if nomination is None:
        raise ReviewRefused("unknown")
    if nomination.state not in IN_REVIEW:
        raise ReviewRefused("moved_on", **await last_decision(session, nomination))
    if not await may_review(session, actor, nomination):
        audit.record(
            session,
            actor_id=actor.user_id,
            action="review.refused",
            object_type="nomination",
            object_id=nomination.id,
            from_state=nomination.state,
            details={"attempted": action, "level_index": nomination.level_index},
        )
        raise ReviewRefused("not_yours")
    return nomination


async def decide(
    session: AsyncSession,
    actor: Actor,
    nomination_id: int,
    version: int,
    decision: str,
    reason: str | None = None,
    today: datetime | None = None,
) -> Outcome:
    if decision not in DECISIONS:
        raise ReviewRefused("unknown")
    nomination = await load_for_decision(session, actor, nomination_id, decision)
    if nomination.version != version:
        raise ReviewRefused("stale", **await last_decision(session, nomination))
    if decision in (RETURN, REJECT) and not reason:
        raise ReviewRefused("reason_needed")
    plan = plan_of(nomination)
    chain = await stops(session, nomination, plan)
    position = next(i for i, stop in enumerate(chain) if stop.index == nomination.level_index)
    here = chain[position]
    is_last = position == len(chain) - 1
    next_stop: Stop | None = None
    if decision in (ENDORSE, APPROVE):
        if (decision == APPROVE) != is_last:
            raise ReviewRefused("stale", **await last_decision(session, nomination))
        if await consultation_pending(session, nomination):
            raise ReviewRefused("consultation_pending")
        await check_quota_room(session, nomination, plan, here, today or now())
        to_state = APPROVED if is_last else UNDER_REVIEW
        next_stop = None if is_last else chain[position + 1]
    else:
        to_state = RETURNED if decision == RETURN else REJECTED
    values: dict[str, Any] = {"decided_by": actor.user_id, "decision_reason": reason}
    if next_stop is not None:
        values.update(level_index=next_stop.index, review_unit_id=next_stop.unit.id)
    if to_state == RETURNED:
        values.update(step="summary")
    await _move(
        session,
        actor,
        nomination,
        version,
        to_state,
        f"review.{decision}",
        reason=reason,
        details={"level": here.level, "unit": here.unit.code, "round": nomination.round},
        values=values,
    )
    notify = await reviewers_at(session, next_stop) if next_stop is not None else []
    return Outcome(nomination, decision, to_state, next_stop, notify)


async def withdraw(
    session: AsyncSession, actor: Actor, nomination_id: int, version: int
) -> Nomination:
    nomination = await session.get(Nomination, nomination_id)
    if nomination is None or nomination.proposer_id != actor.user_id:
        raise ReviewRefused("not_yours")
    await _move(session, actor, nomination, version, WITHDRAWN, "nomination.withdraw")
    return nomination


async def _move(
    session: AsyncSession,
    actor: Actor,
    nomination: Nomination,
    version: int,
    to_state: str,
    action: str,
    *,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    values: dict[str, Any] | None = None,
) -> None:
    """The one way a nomination in review changes state: checked, conditional, on the record.

    The UPDATE matches only the version the actor was shown, so of two concurrent moves one
    wins and the other is told who decided.
    """
    if not can_move(nomination.state, to_state):
        raise ReviewRefused("moved_on", **await last_decision(session, nomination))
    moved = await session.execute(
        update(Nomination)
        .where(Nomination.id == nomination.id, Nomination.version == version)
        .values(state=to_state, version=Nomination.version + 1, updated_at=now(), **(values or {}))
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        await session.refresh(nomination)
        raise ReviewRefused("stale", **await last_decision(session, nomination))
    previous = nomination.state
    await session.refresh(nomination)
    audit.record(
        session,
        actor_id=actor.user_id,
        action=action,
        object_type="nomination",
        object_id=nomination.id,
        from_state=previous,
        to_state=to_state,
        reason=reason,
        details=details,
    )


async def last_decision(session: AsyncSession, nomination: Nomination) -> dict[str, Any]:
    """Who last moved the nomination and when, for "already decided by …"."""
    row = (
        await session.execute(
            select(AuditEntry, User)
            .outerjoin(User, User.id == AuditEntry.actor_id)
            .where(
                AuditEntry.object_type == "nomination",
                AuditEntry.object_id == str(nomination.id),
                AuditEntry.to_state.is_not(None),
            )
            .order_by(AuditEntry.id.desc())
            .limit(1)
        )
    ).first()
    if row is None:
        return {"by": "", "at": None, "state": nomination.state}
    entry, user = row
    return {"by": user.full_name if user else "", "at": entry.at, "state": nomination.state}


async def check_quota_room(
    session: AsyncSession, nomination: Nomination, plan: Plan, here: Stop, today: datetime
) -> None:
    """A level may not send on more than its unit's quota maximum."""
    chain = await ancestors_and_self(session, here.unit)
    level = effective_levels(chain)[here.unit.id]
    for quota in plan.quotas:
        if quota.max is None or not quota.applies_at(here.unit.kind, level):
            continue
        if quota.category not in (None, nomination.category_id):
            continue
        if quota.subjects is not None and nomination.subject_kind not in quota.subjects:
            continue
        beyond = or_(
            Nomination.state == APPROVED,
            and_(Nomination.state == UNDER_REVIEW, Nomination.level_index > here.index),
        )
        query = (
            select(func.count(Nomination.id))
            .join(Unit, Unit.id == Nomination.unit_id)
            .where(
                Nomination.plan_id == nomination.plan_id,
                Nomination.id != nomination.id,
                Unit.path.startswith(here.unit.path),
                beyond,
            )
        )
        if quota.category is not None:
            query = query.where(Nomination.category_id == quota.category)
        if quota.subjects is not None:
            query = query.where(Nomination.subject_kind.in_(quota.subjects))
        if quota.per == "year":
            query = query.where(Nomination.submitted_at >= datetime(today.year, 1, 1, tzinfo=UTC))
        sent = int(await session.scalar(query) or 0)
        if sent + 1 > quota.max:
            raise ReviewRefused(
                "quota_full", unit=here.unit.name, max=quota.max, count=sent, cite=quota.cite
            )


# --- consultations -------------------------------------------------------------------------------


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


# --- queue and history ------------------------------------------------------------------------


async def queue(
    session: AsyncSession,
    actor: Actor,
    *,
    plan_id: str | None = None,
    category_id: str | None = None,
    unit_code: str | None = None,
) -> list[Nomination]:
    """Nominations waiting for this actor's decision, oldest first."""
    query = select(Nomination).where(Nomination.state.in_((SUBMITTED, UNDER_REVIEW)))
    if plan_id:
        query = query.where(Nomination.plan_id == plan_id)
    if category_id:
        query = query.where(Nomination.category_id == category_id)
    if unit_code:
        unit = await session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            return []
        query = query.join(Unit, Unit.id == Nomination.unit_id).where(
            Unit.path.startswith(unit.path)
        )
    reviewing = [
        await session.get(Unit, role.unit_id)
        for role in actor.roles
        if role.role in LEVEL_ROLES.values()
    ]
    homes = {home.id for home in (await admin_homes(session, filter(None, reviewing))).values()}
    if not homes:
        return []
    query = query.where(
        Nomination.review_unit_id.in_(homes), Nomination.proposer_id != actor.user_id
    )
    rows = (await session.scalars(query.order_by(Nomination.submitted_at, Nomination.id))).all()
    return [n for n in rows if await may_review(session, actor, n)]


async def history(
    session: AsyncSession, nomination: Nomination
) -> list[tuple[AuditEntry, User | None]]:
    rows = await session.execute(
        select(AuditEntry, User)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.object_type == "nomination", AuditEntry.object_id == str(nomination.id))
        .order_by(AuditEntry.id)
    )
    return [(entry, user) for entry, user in rows.all()]
