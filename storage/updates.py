"""De-duplication of Telegram updates by update_id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ProcessedUpdate

#: The claim runs for every update: built once, and executed below the ORM.
_CLAIM = {
    "sqlite": sqlite_insert(ProcessedUpdate.__table__).on_conflict_do_nothing(
        index_elements=["update_id"]
    ),
    "postgresql": pg_insert(ProcessedUpdate.__table__).on_conflict_do_nothing(
        index_elements=["update_id"]
    ),
}


async def claim_update(session: AsyncSession, update_id: int) -> bool:
    """Record ``update_id`` in the caller's transaction; False if it was handled already.

    The row commits together with whatever the handler writes, so an update whose handling
    failed before its commit is not marked as done. A concurrent twin waits on the primary key
    and then finds the row.
    """
    connection = await session.connection()
    result = await connection.execute(
        _CLAIM[connection.dialect.name],
        {"update_id": update_id, "processed_at": datetime.now(UTC)},
    )
    return result.rowcount == 1


async def prune_processed(session: AsyncSession, older_than: timedelta = timedelta(days=7)) -> int:
    """Telegram keeps undelivered updates for 24 hours; a week of ids is plenty."""
    result = await session.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < datetime.now(UTC) - older_than)
    )
    return result.rowcount  # type: ignore[attr-defined]
