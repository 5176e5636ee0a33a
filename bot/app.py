"""The app factory and its two thin runners: long polling (embedded) and webhook (scale-out)."""

from __future__ import annotations

import gc
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import orjson
from aiogram import Bot, Dispatcher
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.utils.backoff import BackoffConfig
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.api_session import JsonBodySession
from bot.broadcasts.progress import BroadcastProgress
from bot.config import Settings
from bot.handlers import build_routers
from bot.handlers.commands import set_default_commands
from bot.middlewares.leave_wizard import LeaveWizardMiddleware
from bot.middlewares.outage import DatabaseOutage
from bot.middlewares.requests import (
    BlockedUserMiddleware,
    KeepResponseTypes,
    RetryAfterMiddleware,
    UpdatesFirst,
    UpdatesInHand,
)
from bot.middlewares.update_context import UpdateContextMiddleware
from bot.outbox.sender import OutboxSender
from bot.periodic import Periodic
from bot.reminders.runner import ReminderRounds
from bot.workflow.plans import latest_versions, parsed
from storage.checkpoints import WalCheckpointer
from storage.db import create_engine, create_session_factory, write_lock
from storage.updates import prune_processed

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
#: Telegram unreachable: try again after 1, 2, 4, 8, then every 15 s (with 10% jitter), so a
#: night without network is a few hundred log lines, and a return is noticed within 15 s.
POLLING_BACKOFF = BackoffConfig(min_delay=1.0, max_delay=15.0, factor=2.0, jitter=0.1)


@dataclass
class App:
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    bot: Bot
    dispatcher: Dispatcher

    async def close(self) -> None:
        await self.bot.session.close()
        await self.engine.dispose()


def _dumps(value: object) -> str:
    return orjson.dumps(value).decode()


def create_bot(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession] | None = None,
    in_hand: UpdatesInHand | None = None,
) -> Bot:
    api = (
        TelegramAPIServer.from_base(str(settings.telegram_api_base).rstrip("/"))
        if settings.telegram_api_base
        else PRODUCTION
    )
    session = JsonBodySession(
        api=api, proxy=settings.telegram_proxy, json_loads=orjson.loads, json_dumps=_dumps
    )
    bot = Bot(settings.require_token(), session=session)
    bot.session.middleware(UpdatesFirst(in_hand))
    bot.session.middleware(KeepResponseTypes())
    bot.session.middleware(RetryAfterMiddleware())
    if session_factory is not None:
        bot.session.middleware(BlockedUserMiddleware(session_factory))
    return bot


def create_dispatcher(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    storage: BaseStorage | None = None,
    in_hand: UpdatesInHand | None = None,
) -> Dispatcher:
    dispatcher = Dispatcher(storage=storage or MemoryStorage())
    outage = DatabaseOutage(session_factory.kw["bind"])
    dispatcher.update.outer_middleware(
        UpdateContextMiddleware(session_factory, settings, in_hand, outage)
    )
    dispatcher.shutdown.register(outage.stop)
    dispatcher.message.middleware(LeaveWizardMiddleware())
    dispatcher.include_routers(*build_routers())
    dispatcher.startup.register(set_default_commands)
    dispatcher.startup.register(plan_warmer(session_factory))
    checkpointer = WalCheckpointer(session_factory.kw["bind"])
    dispatcher.startup.register(checkpointer.start)
    dispatcher.shutdown.register(checkpointer.stop)
    pruner = UpdatePruner(session_factory)
    dispatcher.startup.register(pruner.start)
    dispatcher.shutdown.register(pruner.stop)
    dispatcher.startup.register(settle_heap)  # last: what the others loaded is frozen too
    return dispatcher


class UpdatePruner(Periodic):
    """Forget handled update ids once no redelivery can come: at start-up, then every hour."""

    what = "pruning handled update ids"

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], interval: float = 3600.0
    ) -> None:
        super().__init__(interval)
        self.session_factory = session_factory

    async def once(self) -> int:
        engine = self.session_factory.kw["bind"]
        async with write_lock(engine), self.session_factory() as session:
            removed = await prune_processed(session)
            await session.commit()
        log.debug("forgot %s handled update ids", removed)
        return removed


def plan_warmer(
    session_factory: async_sessionmaker[AsyncSession],
) -> Callable[[], Awaitable[None]]:
    async def warm_plans() -> None:
        """Parse each plan's newest version now, not in the first proposer's step.

        A plan file takes 50-100 ms to read and check; without this, the first person after
        a restart to touch each plan waited that long.
        """
        async with write_lock(session_factory.kw["bind"]), session_factory() as session:
            for version in await latest_versions(session):
                parsed(version)

    return warm_plans


async def settle_heap() -> None:
    """Move everything alive at start-up out of the garbage collector's sight.

    aiogram's and pydantic's types, the catalogs and the plans are a quarter of a million
    objects that live as long as the process. A full collection walks them all, about 140 ms
    on our 2-core benchmark machine, and stalls every update waiting behind it: that was the
    benchmark's worst latency. Frozen, they are never walked again; what updates allocate is
    collected as before.
    """
    gc.collect()
    gc.freeze()


def create_app(settings: Settings, storage: BaseStorage | None = None) -> App:
    # No commit of the bot's pays for a WAL checkpoint: see storage/checkpoints.py.
    engine = create_engine(settings.database_url, wal_autocheckpoint=False)
    session_factory = create_session_factory(engine)
    # One tracker for both: polling asks for more once the updates in hand have committed.
    # Only SQLite queues every update for one write lock; PostgreSQL has nothing to pace.
    in_hand = UpdatesInHand() if engine.dialect.name == "sqlite" else None
    bot = create_bot(settings, session_factory, in_hand)
    dispatcher = create_dispatcher(settings, session_factory, storage, in_hand)
    sender = OutboxSender(
        bot,
        session_factory,
        rate=settings.send_rate,
        lease=timedelta(seconds=settings.outbox_lease),
    )
    dispatcher["outbox"] = sender  # handed to every update (see UpdateContextMiddleware)
    dispatcher.startup.register(sender.start)
    dispatcher.shutdown.register(sender.stop)
    progress = BroadcastProgress(bot, session_factory, rate=settings.send_rate)
    dispatcher["broadcast_progress"] = progress
    dispatcher.startup.register(progress.start)
    dispatcher.shutdown.register(progress.stop)
    reminders = ReminderRounds(session_factory, settings)
    dispatcher["reminders"] = reminders
    dispatcher.startup.register(reminders.start)
    dispatcher.shutdown.register(reminders.stop)
    return App(settings, engine, session_factory, bot, dispatcher)


async def run_polling(
    app: App, *, handle_signals: bool = True, handle_as_tasks: bool = True
) -> None:
    """Embedded mode: one process asks Telegram for updates."""
    await app.bot.delete_webhook(drop_pending_updates=False)
    try:
        await app.dispatcher.start_polling(
            app.bot,
            backoff_config=POLLING_BACKOFF,
            handle_signals=handle_signals,
            handle_as_tasks=handle_as_tasks,
            allowed_updates=app.dispatcher.resolve_used_update_types(),
            close_bot_session=False,
        )
    finally:
        await app.close()


def webhook_application(app: App) -> web.Application:
    """Scale-out mode: several workers behind one URL, each serving this application."""
    settings = app.settings
    web_app = web.Application()
    SimpleRequestHandler(
        dispatcher=app.dispatcher, bot=app.bot, secret_token=settings.webhook_secret
    ).register(web_app, path=WEBHOOK_PATH)
    setup_application(web_app, app.dispatcher, bot=app.bot)

    async def on_startup(_: web.Application) -> None:
        url = str(settings.webhook_url).rstrip("/") + WEBHOOK_PATH
        await app.bot.set_webhook(
            url,
            secret_token=settings.webhook_secret,
            allowed_updates=app.dispatcher.resolve_used_update_types(),
        )

    async def on_cleanup(_: web.Application) -> None:
        await app.engine.dispose()

    web_app.on_startup.append(on_startup)
    web_app.on_cleanup.append(on_cleanup)
    return web_app


def run_webhook(app: App) -> None:
    web.run_app(
        webhook_application(app), host=app.settings.webhook_host, port=app.settings.webhook_port
    )
