"""Commands that run the bot (polling, webhook, demo) or look after its database."""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
from typing import TYPE_CHECKING

from bot.cli.common import cli_engine, upgrade
from bot.cli.failures import port_errors, telegram_errors
from bot.config import ConfigError, Settings
from bot.i18n import _

if TYPE_CHECKING:
    from aiogram import Bot


async def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import create_app, run_polling, webhook_application

    if args.webhook and settings.webhook_url is None:
        raise ConfigError("WEBHOOK_URL: missing (needed with --webhook)")
    # The database first: it says so in one line if it is away.
    code = await upgrade_in_child(args)
    if code:
        return code
    app = create_app(settings)
    try:
        await check_telegram(app.bot, settings)
    except BaseException:
        await app.close()
        raise
    if args.webhook:
        from aiohttp import web

        runner = web.AppRunner(webhook_application(app))
        await runner.setup()
        with port_errors(settings.webhook_host, settings.webhook_port, "WEBHOOK_PORT"):
            await web.TCPSite(runner, settings.webhook_host, settings.webhook_port).start()
        await asyncio.Event().wait()
        return 0
    await run_polling(app)
    return 0


async def upgrade_in_child(args: argparse.Namespace) -> int:
    """``db upgrade`` in a child process, whose exit code it returns.

    Alembic, Mako and the migrations' own work take ~35 MB that a long-running bot would keep
    for ever after needing them once; a child gives them back to the machine when it exits.
    It inherits the environment (so the same settings) and stderr (so a failure is still one
    line, printed once, by the child).
    """
    command = [sys.executable, "-m", "bot", "db", "upgrade"]
    if args.lang:
        command[3:3] = ["--lang", args.lang]
    if args.debug:
        command[3:3] = ["--debug"]
    child = await asyncio.create_subprocess_exec(*command, stdout=subprocess.DEVNULL)
    return await child.wait()


async def check_telegram(bot: Bot, settings: Settings) -> None:
    """Ask the Bot API who we are before anything else: a wrong token or a blocked network is
    told at start-up, in one line, instead of as retries in the log."""
    base = str(settings.telegram_api_base) if settings.telegram_api_base else None
    async with telegram_errors(base):
        await bot.get_me()


async def demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo import run_demo

    await run_demo(settings, host=args.host, port=args.port, flood_limits=not args.no_flood_limits)
    return 0


async def db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    await upgrade(settings)
    print(_("Database is up to date."))
    return 0


async def db_current(args: argparse.Namespace, settings: Settings) -> int:
    from storage.migrate import current_revision, head_revision

    async with cli_engine(settings.database_url) as engine:
        current = await current_revision(engine)
    print(
        _("Schema revision: {current} (newest: {head})").format(
            current=current or "-", head=head_revision() or "-"
        )
    )
    return 0
