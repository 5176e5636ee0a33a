"""A broadcast to 2,000 people through the real sender, on the emulator with flood limits on
(ten times Telegram's rates, as in test_sender): each gets it once, with no 429."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.dialogs.broadcast import queue
from bot.outbox import queue as outbox
from bot.workflow import broadcasts
from sandbox.client import SandboxClient
from sandbox.server import Sandbox
from storage.models import Membership, Unit
from tests.outbox.conftest import people, received, states
from tests.outbox.test_sender import run_sender


async def test_a_broadcast_to_2000_village_heads_reaches_each_once_without_a_429(
    limited: Sandbox,
    outbox_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with SandboxClient(limited.base_url) as client:
        everyone = await people(session_factory, client, 2000)
        async with session_factory() as session:
            commune = Unit(code="XT", name="Xã Thử", kind="commune", path="/")
            session.add(commune)
            await session.flush()
            commune.path = f"/{commune.id}/"
            session.add_all(
                Membership(user_id=u.id, unit_id=commune.id, role="village_head") for u in everyone
            )
            await session.flush()
            broadcast, recipients = await broadcasts.create(
                session,
                None,
                commune,
                only_unit=False,
                audiences=["village_heads"],
                text="Họp toàn xã sáng thứ Hai",
            )
            await queue(session, broadcast, recipients)
            await session.commit()
        assert len(recipients) == 2000
        await run_sender(outbox_settings, session_factory, rate=250.0, batch=50)
        assert await client.flood_refusals() == 0
    assert await states(session_factory) == {outbox.SENT: 2000}
    expected = ["📢 Thông báo tới Xã Thử:\n\nHọp toàn xã sáng thứ Hai"]
    assert all(received(limited, u.telegram_id) == expected for u in everyone)
    async with session_factory() as session:
        found = await broadcasts.progress(session, broadcast.id)
    assert (found.sent, found.left, found.failed, found.blocked) == (2000, 0, 0, 0)
