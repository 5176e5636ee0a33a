"""Commands that run the bot (polling, webhook, demo) or look after its database."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.common import upgrade
from bot.config import ConfigError, Settings
from bot.i18n import _


async def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import create_app, run_polling, webhook_application

    app = create_app(settings)
    await upgrade(settings)
    if args.webhook:
        if settings.webhook_url is None:
            raise ConfigError("WEBHOOK_URL: missing (needed with --webhook)")
        from aiohttp import web

        runner = web.AppRunner(webhook_application(app))
        await runner.setup()
        await web.TCPSite(runner, settings.webhook_host, settings.webhook_port).start()
        await asyncio.Event().wait()
        return 0
    await run_polling(app)
    return 0


async def demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo import run_demo

    await run_demo(settings, host=args.host, port=args.port, flood_limits=not args.no_flood_limits)
    return 0


async def db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    await upgrade(settings)
    print(_("Database is up to date."))
    return 0


async def db_current(args: argparse.Namespace, settings: Settings) -> int:
    from storage.db import create_engine
    from storage.migrate import current_revision, head_revision

    engine = create_engine(settings.database_url)
    try:
        current = await current_revision(engine)
    finally:
        await engine.dispose()
    print(
        _("Schema revision: {current} (newest: {head})").format(
            current=current or "-", head=head_revision() or "-"
        )
    )
    return 0
