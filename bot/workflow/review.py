"""The decisions of the review chain: entering it, endorsing, approving, returning, rejecting.

Every decision checks the version the reviewer was shown and moves the row with one conditional
UPDATE, so two reviewers pressing at once produce one decision; the other is told who decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.plans.schema import Plan
from bot.workflow import audit, consultations
from bot.workflow.actor import Actor
from bot.workflow.lifecycle import (
    APPROVED,
    REJECTED,
    RETURNED,
    UNDER_REVIEW,
    WITHDRAWN,
    can_move,
)
from bot.workflow.nominations import plan_of
from bot.workflow.review_chain import (
    ReviewRefused,
    Stop,
    deciders,
    last_decision,
    load_for_decision,
    now,
    stops,
)
from bot.workflow.units import ancestors_and_self, effective_levels
from storage.models import (
    Nomination,
    NominationVersion,
    Unit,
    User,
)

ENDORSE, APPROVE, RETURN, REJECT = "endorse", "approve", "return", "reject"
DECISIONS = (ENDORSE, APPROVE, RETURN, REJECT)


@dataclass
class Outcome:
    nomination: Nomination
    decision: str
    to_state: str
    next_stop: Stop | None = None
    notify: list[User] = field(default_factory=list)  # who may decide at the next level


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
        return first, await deciders(session, first, nomination)


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


async def decide(
    session: AsyncSession,
    actor: Actor,
    nomination_id: int,
    version: int,
    decision: str,
    reason: str | None = None,
    today: datetime | None = None,
    *,
    override: bool = False,
) -> Outcome:
    """Take a decision. ``override``: send it on over a consulted body's objection, with
    ``reason``, where the plan allows it."""
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
        held = await consultations.hold(session, nomination)
        passing_over = held == consultations.OBJECTION and override
        if passing_over and not consultations.may_override(nomination):
            raise ReviewRefused("no_override")
        if passing_over and not reason:
            raise ReviewRefused("reason_needed")
        if held and not passing_over:
            raise ReviewRefused(held, **await objection_details(session, nomination))
        await check_quota_room(session, nomination, plan, here, today or now())
        if passing_over:
            assert reason is not None
            await consultations.override_objections(session, actor, nomination, reason)
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
    notify = await deciders(session, next_stop, nomination) if next_stop is not None else []
    return Outcome(nomination, decision, to_state, next_stop, notify)


async def objection_details(session: AsyncSession, nomination: Nomination) -> dict[str, Any]:
    """Who objects and why, for the refusal a reviewer reads; empty when nobody does."""
    objections = consultations.unresolved_objections(
        await consultations.consultations_of(session, nomination)
    )
    return {
        "bodies": [(c.unit.name if c.unit else c.kind, c.note or "") for c in objections],
        "may_override": consultations.may_override(nomination),
    }


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
        actor.user_id,
        action,
        nomination,
        from_state=previous,
        to_state=to_state,
        reason=reason,
        details=details,
    )


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
