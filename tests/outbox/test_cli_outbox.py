"""`python -m bot outbox status | retry`, as an administrator runs them (a real subprocess)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox import queue
from storage.models import OutboxMessage, User
from tests.outbox.conftest import note, states
from tests.test_cli import cli, en, vi


async def test_status_names_what_failed_and_why_and_retry_sends_it_again(
    database_url: str, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session:
        lan = User(telegram_id=501, full_name="Lan")
        minh = User(telegram_id=502, full_name="Minh")
        session.add_all([lan, minh])
        await session.flush()
        ids = await queue.enqueue(
            session,
            [note(lan, "a", "broadcast:7"), note(minh, "b", "broadcast:7"), note(lan, "c")],
            grace=timedelta(0),
        )
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == ids[1])
            .values(state="failed", attempts=5, last_error="Bad Request: chat not found")
        )
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.id == ids[0]).values(state="sent")
        )
        await session.commit()

    shown = await cli(database_url, "outbox", "status")
    assert shown.returncode == 0, shown
    assert shown.out[0] == vi("Outbox: {states}").format(
        states=f"{vi('waiting')} 1, {vi('sent')} 1, {vi('failed')} 1"
    )
    assert f"  broadcast:7: {vi('sent')} 1, {vi('failed')} 1" in shown.out
    assert (
        vi("  no. {id} to {who}, {cause}, {tries} tries: {error}").format(
            id=ids[1],
            who="Minh (502)",
            cause="broadcast:7",
            tries=5,
            error="Bad Request: chat not found",
        )
        in shown.out
    )

    again = await cli(database_url, "outbox", "retry", "--id", str(ids[1]), locale="en")
    assert again.returncode == 0, again
    assert again.out == [
        en("{count} failed messages will be sent again (the running bot picks them up).").format(
            count=1
        )
    ]
    assert await states(session_factory) == {"sent": 1, "pending": 2}
