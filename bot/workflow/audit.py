"""The append-only audit log: every change says who, what, when, from which state, and why."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AuditEntry,
    Broadcast,
    Consultation,
    Invitation,
    Nomination,
    PlanActivation,
    PlanVersion,
)

#: The rows the log speaks of, by the name its ``object_type`` column gives them.
Audited = Nomination | Consultation | Broadcast | Invitation | PlanVersion | PlanActivation
OBJECT_TYPES: dict[type, str] = {
    Nomination: "nomination",
    Consultation: "consultation",
    Broadcast: "broadcast",
    Invitation: "invitation",
    PlanVersion: "plan_version",
    PlanActivation: "plan_activation",
}


def record(
    session: AsyncSession,
    actor_id: int | None,
    action: str,
    about: Audited,
    *,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an entry to the caller's transaction: it commits, or rolls back, with the change.

    ``actor_id`` is None for what the system does on its own (a command-line broadcast).
    """
    entry = AuditEntry(
        actor_id=actor_id,
        action=action,
        object_type=OBJECT_TYPES[type(about)],
        object_id=str(about.id),
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        details=details,
    )
    session.add(entry)
    return entry


async def added(
    session: AsyncSession,
    actor_id: int | None,
    action: str,
    row: Audited,
    *,
    details: dict[str, Any] | None = None,
) -> None:
    """Insert a new row and log its making in the same transaction (the entry needs its id)."""
    session.add(row)
    await session.flush()
    record(session, actor_id, action, row, details=details)
