"""Broadcasts: who may tell whom, the audience a choice reaches, and stopping one.

An administrator or a reviewer (commune officers review at their commune) may broadcast within
the administrative unit they work at, and below it: a commune officer cannot broadcast to the
district. The audience is a unit of that subtree (all of it, or that unit alone) and one or more
groups of roles. Every broadcast is audited with its text and audience.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.workflow import audit
from bot.workflow.actor import Actor
from bot.workflow.collation import vi_key
from bot.workflow.plans import find_version
from bot.workflow.roles import (
    ADMIN,
    AUDIENCES,
    COMMUNE_OFFICER,
    DISTRICT_REVIEWER,
    PROVINCE_REVIEWER,
)
from bot.workflow.units import admin_homes, units_by_id
from storage.models import Broadcast, Membership, OutboxMessage, Unit, User

#: Who may broadcast.
SENDER_ROLES: Final = frozenset({ADMIN, COMMUNE_OFFICER, DISTRICT_REVIEWER, PROVINCE_REVIEWER})

SENDING: Final = "sending"
DONE: Final = "done"
STOPPED: Final = "stopped"

#: Telegram takes 4096 characters a message; the heading naming the sender takes the rest.
TEXT_LIMIT: Final = 3500


class BroadcastRefused(Exception):
    """Refused; ``reason`` is a stable key for the message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def cause_of(broadcast_id: int) -> str:
    """The outbox cause of a broadcast's messages."""
    return f"broadcast:{broadcast_id}"


async def home_units(session: AsyncSession, actor: Actor) -> list[Unit]:
    """The administrative units the actor may broadcast in (with everything below them),
    outermost first; a unit inside another of them is left out."""
    held = await units_by_id(session, [r.unit_id for r in actor.roles if r.role in SENDER_ROLES])
    homes = {home.id: home for home in (await admin_homes(session, held.values())).values()}
    found = sorted(homes.values(), key=lambda u: (u.path.count("/"), vi_key(u.name)))
    return [u for u in found if not any(u is not o and u.path.startswith(o.path) for o in found)]


async def may_reach(session: AsyncSession, actor: Actor, unit: Unit) -> bool:
    return any(unit.path.startswith(home.path) for home in await home_units(session, actor))


def roles_of(audiences: Iterable[str]) -> frozenset[str]:
    wanted = frozenset().union(*(AUDIENCES[a] for a in audiences))
    if not wanted:
        raise BroadcastRefused("no_audience")
    return wanted


async def audience(
    session: AsyncSession, unit: Unit, only_unit: bool, audiences: Iterable[str]
) -> list[User]:
    """The active people holding a chosen role in the unit's subtree, or in the unit alone
    (it and the organisations whose administrative home it is), each once."""
    roles = sorted(roles_of(audiences))
    rows = (
        await session.execute(
            select(User, Unit)
            .join(Membership, Membership.user_id == User.id)
            .join(Unit, Unit.id == Membership.unit_id)
            .where(
                Unit.path.startswith(unit.path),
                Membership.role.in_(roles),
                User.is_active.is_(True),
            )
            .order_by(User.id)
        )
    ).all()
    if only_unit:
        homes = await admin_homes(session, [u for _user, u in rows])
        rows = [(user, u) for user, u in rows if homes[u.id].id == unit.id]
    people: dict[int, User] = {}
    for user, _unit in rows:
        people.setdefault(user.id, user)
    return list(people.values())


def unreachable(people: Iterable[User]) -> int:
    """How many of them have blocked the bot (nothing will reach them)."""
    return sum(1 for user in people if user.blocked_at is not None)


def check_text(text: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise BroadcastRefused("empty")
    if len(cleaned) > TEXT_LIMIT:
        raise BroadcastRefused("too_long")
    return cleaned


async def create(
    session: AsyncSession,
    actor: Actor | None,
    unit: Unit,
    *,
    only_unit: bool,
    audiences: list[str],
    text: str,
    file: tuple[str, str] | None = None,
    plan_id: str | None = None,
    file_path: str | None = None,
) -> tuple[Broadcast, list[User]]:
    """The broadcast and its recipients, audited; the caller queues its messages. ``actor``
    None is the command line (an operator of the server). ``file`` is (kind, Telegram file id);
    ``file_path`` a file on this machine, whose kind is ``file[0]``."""
    home = None
    if actor is not None:
        home = next(
            (h for h in await home_units(session, actor) if unit.path.startswith(h.path)), None
        )
        if home is None:
            raise BroadcastRefused("outside")
    if plan_id is not None and await find_version(session, plan_id) is None:
        raise BroadcastRefused("unknown_plan")
    people = await audience(session, unit, only_unit, audiences)
    if not people:
        raise BroadcastRefused("nobody")
    broadcast = Broadcast(
        sender_id=actor.user_id if actor else None,
        sender_unit_id=home.id if home else None,
        unit_id=unit.id,
        only_unit=only_unit,
        roles=list(audiences),
        text=check_text(text),
        file_kind=file[0] if file else None,
        file_id=file[1] if file and not file_path else None,
        file_path=file_path,
        plan_id=plan_id,
        recipients=len(people),
        state=SENDING,
        progress_chat_id=actor.telegram_id if actor else None,
    )
    await audit.added(
        session,
        actor.user_id if actor else None,
        "broadcast.send",
        broadcast,
        details={
            "text": broadcast.text,
            "unit": unit.code,
            "only_unit": only_unit,
            "audiences": list(audiences),
            "recipients": len(people),
            "file": file[0] if file else None,
            "plan": plan_id,
        },
    )
    return broadcast, people


@dataclass(frozen=True, slots=True)
class Progress:
    sent: int
    failed: int
    blocked: int
    cancelled: int
    left: int  # pending or being sent

    @property
    def finished(self) -> bool:
        return self.left == 0


async def progress(session: AsyncSession, broadcast_id: int) -> Progress:
    rows = await session.execute(
        select(OutboxMessage.state, func.count(OutboxMessage.id))
        .where(OutboxMessage.cause == cause_of(broadcast_id))
        .group_by(OutboxMessage.state)
    )
    counts = {state: int(n) for state, n in rows.all()}
    return Progress(
        sent=counts.get("sent", 0),
        failed=counts.get("failed", 0),
        blocked=counts.get("blocked", 0),
        cancelled=counts.get("cancelled", 0),
        left=counts.get("pending", 0) + counts.get("sending", 0),
    )


def may_stop(actor: Actor, broadcast: Broadcast) -> bool:
    return broadcast.sender_id == actor.user_id or actor.covers(broadcast.unit.path, ADMIN)


async def stop(session: AsyncSession, actor: Actor | None, broadcast: Broadcast) -> int:
    """Stop what has not gone out yet; how many messages were held back."""
    if actor is not None and not may_stop(actor, broadcast):
        raise BroadcastRefused("not_yours")
    if broadcast.state != SENDING:
        return 0
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.cause == cause_of(broadcast.id), OutboxMessage.state == "pending")
        .values(state="cancelled", last_error="stopped by the sender")
    )
    broadcast.state = STOPPED
    broadcast.finished_at = datetime.now(UTC)
    audit.record(
        session,
        actor.user_id if actor else None,
        "broadcast.stop",
        broadcast,
        details={"held_back": result.rowcount},
    )
    await session.flush()
    return int(result.rowcount or 0)


async def finish_if_done(session: AsyncSession, broadcast: Broadcast) -> Progress:
    """Its progress; a broadcast with nothing left to send is marked done."""
    found = await progress(session, broadcast.id)
    if broadcast.state == SENDING and found.finished:
        broadcast.state = DONE
        broadcast.finished_at = datetime.now(UTC)
        await session.flush()
    return found
