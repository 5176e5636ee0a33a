"""Who reviews a nomination at each level of its chain, and who may see or act on it now.

A nomination climbs the plan's ``review_chain`` bottom up. At each level the reviewing unit is
the nearest unit above the proposer's of that level; its reviewers are the holders of the
level's role whose unit lies in it (the commune's officers, the district's reviewers in its
offices). Levels with no such unit above the proposer are skipped (a district agency's proposal
starts at the district). A proposer never decides on their own nomination.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.plans.schema import Plan
from bot.workflow import audit
from bot.workflow.actor import Actor
from bot.workflow.kinds import kind_matches
from bot.workflow.lifecycle import (
    IN_REVIEW,
)
from bot.workflow.nominations import plan_of, unit_path_of
from bot.workflow.roles import (
    ADMIN,
    COMMUNE_OFFICER,
    CONSULTEE,
    DISTRICT_REVIEWER,
    PROVINCE_REVIEWER,
)
from bot.workflow.units import admin_homes, ancestors_on_path
from storage.models import (
    AuditEntry,
    Consultation,
    Membership,
    Nomination,
    Unit,
    User,
)

LEVEL_ROLES: dict[str, str] = {
    "commune": COMMUNE_OFFICER,
    "district": DISTRICT_REVIEWER,
    "province": PROVINCE_REVIEWER,
}


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


async def deciders(session: AsyncSession, stop: Stop, nomination: Nomination) -> list[User]:
    """Who may decide at ``stop``: its reviewers, less the proposer (never on their own)."""
    return [u for u in await reviewers_at(session, stop) if u.id != nomination.proposer_id]


async def admins_over(session: AsyncSession, unit: Unit) -> list[User]:
    """The administrators of ``unit`` or a unit above it, the people who can add a reviewer."""
    above = [u.id for u in await ancestors_on_path(session, unit.path)]
    # IN rather than DISTINCT over a join: PostgreSQL cannot compare the JSON columns of a row.
    admins = select(Membership.user_id).where(
        Membership.role == ADMIN, Membership.unit_id.in_(above)
    )
    rows = await session.scalars(
        select(User).where(User.id.in_(admins), User.is_active.is_(True)).order_by(User.id)
    )
    return list(rows.all())


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


#: How much of a nomination a person sees: all of it, its sensitive fields (ethnic group, phone)
#: in the documents it yields included (CHAIN: its proposer, its reviewers); all of it but those
#: (WHOLE: an administrator above it); or what its plan shows the bodies consulted on it.
CHAIN, WHOLE, CONSULTED = "chain", "whole", "consulted"
SEES_WHOLE = frozenset({CHAIN, WHOLE})


async def view_of(session: AsyncSession, actor: Actor, nomination: Nomination) -> str | None:
    """CHAIN, WHOLE, CONSULTED, or None: a stranger sees nothing of it."""
    if nomination.proposer_id == actor.user_id:
        return CHAIN
    for stop in await stops(session, nomination, plan_of(nomination)):
        if any(u.id == actor.user_id for u in await reviewers_at(session, stop)):
            return CHAIN
    home = await session.get(Unit, nomination.unit_id)
    assert home is not None
    if actor.covers(home.path, ADMIN):
        return WHOLE
    consulted = await session.scalar(
        select(func.count(Consultation.id))
        .join(Membership, Membership.unit_id == Consultation.unit_id)
        .where(
            Consultation.nomination_id == nomination.id,
            Membership.user_id == actor.user_id,
            Membership.role == CONSULTEE,
        )
    )
    return CONSULTED if consulted else None


async def may_see(session: AsyncSession, actor: Actor, nomination: Nomination) -> bool:
    return await view_of(session, actor, nomination) is not None


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
            actor.user_id,
            "review.refused",
            nomination,
            from_state=nomination.state,
            details={"attempted": action, "level_index": nomination.level_index},
        )
        raise ReviewRefused("not_yours")
    return nomination


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
