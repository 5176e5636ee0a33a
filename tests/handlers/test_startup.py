"""Start-up work that keeps latency flat: the long-lived heap is frozen once the bot is up."""

from __future__ import annotations

import gc

from bot.app import create_dispatcher, plan_warmer, settle_heap
from bot.config import Settings
from bot.plans.loader import preset_paths
from bot.workflow import plans
from storage.db import create_engine, create_session_factory


async def test_startup_freezes_the_heap(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    dispatcher = create_dispatcher(Settings(), create_session_factory(engine))
    callbacks = [handler.callback for handler in dispatcher.startup.handlers]
    assert callbacks[-1] is settle_heap  # last, so that what start-up loaded is frozen too
    gc.unfreeze()
    try:
        await settle_heap()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        await engine.dispose()


async def test_startup_reads_every_plan_before_anyone_asks(session_factory) -> None:  # type: ignore[no-untyped-def]

    async with session_factory() as session:
        for path in preset_paths():
            await plans.store_plan(session, path.read_text("utf-8"), path.name)
        await session.commit()
    plans._PARSED.clear()
    await plan_warmer(session_factory)()
    assert len(plans._PARSED) == len(list(preset_paths()))
