"""De-duplication of Telegram updates, by what Telegram promises and no more.

Telegram's contract: update ids grow, and an update the bot has not confirmed (by the next
``getUpdates`` offset, or a webhook's 200) comes again, for up to 24 hours. It does not promise
that an id is never used again: a new token, a reset webhook, a self-hosted Bot API server or
the emulator started anew may count again from a lower number. A table of bare ids therefore
silenced every new update whose id it had seen before.

So an update is known by its source (bot id and API host: another bot or server is another
window), its id, and a fingerprint of what stays the same when it is delivered again. The same
source, id and fingerprint within the redelivery window is a repeat and does nothing; an id seen
with another fingerprint, or seen longer ago than any redelivery can come, is a new update, and
its row is taken over.
"""

from __future__ import annotations

import importlib
import logging
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ProcessedUpdate

log = logging.getLogger(__name__)

#: Telegram keeps an undelivered update for 24 hours; an hour more for clocks and slow restarts.
REDELIVERY_WINDOW = timedelta(hours=25)
#: Rows older than this cannot tell anything; ``prune_processed`` removes them.
KEEP_FOR = timedelta(days=2)

_TABLE = ProcessedUpdate.__table__
_KEY = ["source", "update_id"]


@cache
def _claim(dialect: str) -> Any:
    """The claim runs for every update: built once per dialect, and executed below the ORM.

    Only the dialect in use is imported: PostgreSQL's is a few MB a SQLite bot never needs.
    """
    insert = importlib.import_module(f"sqlalchemy.dialects.{dialect}").insert
    return insert(_TABLE).on_conflict_do_nothing(index_elements=_KEY)


class UpdateKey(NamedTuple):
    """What names one update: where it came from, its id, and what a redelivery repeats."""

    source: str
    update_id: int
    fingerprint: str


async def claim_update(session: AsyncSession, key: UpdateKey) -> bool:
    """Record the update in the caller's transaction; False if it is a repeat.

    The row commits together with whatever the handler writes, so an update whose handling
    failed before its commit is not marked as done. A concurrent twin waits on the primary key
    and then finds the row.
    """
    connection = await session.connection()
    now = datetime.now(UTC)
    row = {**key._asdict(), "processed_at": now}
    result = await connection.execute(_claim(connection.dialect.name), row)
    if result.rowcount == 1:
        return True
    where = (ProcessedUpdate.source == key.source) & (ProcessedUpdate.update_id == key.update_id)
    seen = (
        await connection.execute(
            select(ProcessedUpdate.fingerprint, ProcessedUpdate.processed_at).where(where)
        )
    ).one_or_none()
    if seen is None:  # pruned in between: claim it afresh
        return await claim_update(session, key)
    if seen.fingerprint == key.fingerprint:
        if seen.processed_at > now - REDELIVERY_WINDOW:
            return False
    else:
        log.info(
            "update id %s came again for another update (the server's counter started "
            "again?); handled as new",
            key.update_id,
        )
    await connection.execute(
        update(_TABLE).where(where).values(fingerprint=key.fingerprint, processed_at=now)
    )
    return True


async def prune_processed(session: AsyncSession, older_than: timedelta = KEEP_FOR) -> int:
    """Forget updates older than any redelivery: the table holds about a day of traffic."""
    result = await session.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < datetime.now(UTC) - older_than)
    )
    return result.rowcount  # type: ignore[attr-defined]
