"""Start-up work that keeps latency flat: the long-lived heap is frozen once the bot is up."""

from __future__ import annotations

import gc

from bot.app import create_dispatcher, settle_heap
from bot.config import Settings
from storage.db import create_engine, create_session_factory


async def test_startup_freezes_the_heap(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    dispatcher = create_dispatcher(Settings(), create_session_factory(engine))
    assert settle_heap in [handler.callback for handler in dispatcher.startup.handlers]
    gc.unfreeze()
    try:
        await settle_heap()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        await engine.dispose()
