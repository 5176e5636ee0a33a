"""The seed the report tests share: the tiny plan running in Kon Rẫy, and drafts made in it.

Demo people: 1001 and 1002 village heads of Đăk Ruồng, 1003 its commune officer, 1005 the
district reviewer (in the district's home affairs office); 2001 a village head of Tân Lập and
2002 a commune officer there, added by ``TAN_LAP``.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs import progress as dialog
from bot.workflow import nominations
from bot.workflow.activations import running_plans
from storage.models import Nomination
from tests.workflow.seeded import TODAY, actor, unit

TINY = "tiny-2026"
TAN_LAP = (
    (2001, "Trưởng thôn Tân Lập", "village_head", "KT-KR-TL-T1"),
    (2002, "Cán bộ xã Tân Lập", "commune_officer", "KT-KR-TL"),
)


async def tiny_draft(session: AsyncSession, tid: int) -> Nomination:
    """A draft under the tiny plan, started by this person at their first role's unit."""
    who = await actor(session, tid)
    here = await unit(session, who.roles[0].unit_code)
    running = next(r for r in await running_plans(session, here, TODAY) if r.plan.id == TINY)
    return await nominations.start_draft(session, who, who.roles[0], running)


async def tiny_at(session: AsyncSession, tid: int) -> int:
    """Where the tiny plan is among the plans running at this person's unit."""
    root = await dialog.root_of(session, await actor(session, tid))
    assert root is not None
    running = await running_plans(session, root, TODAY)
    return next(i for i, r in enumerate(running) if r.plan.id == TINY)
