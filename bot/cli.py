"""`python -m bot …`: run the bot, migrate, load units and plans, issue invitations, demo.

Operators read this output, so it is translated like the chat (``--lang`` or DEFAULT_LOCALE).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import ConfigError, Settings, load_settings
from bot.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES, _, set_locale

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

Command = Callable[[argparse.Namespace, Settings], Awaitable[int]]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Exemplar bot: proposals and reviews of 'điển hình tiên tiến' in chat.",
    )
    parser.add_argument("--lang", choices=SUPPORTED_LOCALES, help="language of this output")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="run the bot against Telegram (needs BOT_TOKEN)",
        description="run the bot against Telegram (needs BOT_TOKEN)",
    )
    run.add_argument("--webhook", action="store_true", help="serve a webhook instead of polling")
    run.set_defaults(func=_run)

    demo = sub.add_parser(
        "demo",
        help="run offline against the sandbox emulator, with demo data",
        description="run offline against the sandbox emulator, with demo data",
    )
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8081)
    demo.add_argument("--no-flood-limits", action="store_true")
    demo.set_defaults(func=_demo)

    db = sub.add_parser("db", help="database schema", description="database schema").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser(
        "upgrade", help="apply all migrations", description="apply all migrations"
    ).set_defaults(func=_db_upgrade)
    db.add_parser(
        "current", help="show the schema revision", description="show the schema revision"
    ).set_defaults(func=_db_current)

    units = sub.add_parser(
        "units", help="the tree of units", description="the tree of units"
    ).add_subparsers(dest="units_command", required=True)
    load = units.add_parser(
        "load",
        help="load or update units from a CSV file",
        description="load or update units from a CSV file",
    )
    load.add_argument("file", type=Path, help="CSV with columns code,name,kind,parent_code")
    load.set_defaults(func=_units_load)

    invite = sub.add_parser("invite", help="invitations", description="invitations").add_subparsers(
        dest="invite_command", required=True
    )
    create = invite.add_parser(
        "create",
        help="create a one-time invitation link",
        description="create a one-time invitation link",
    )
    create.add_argument("--role", required=True)
    create.add_argument("--unit", required=True, help="unit code")
    create.add_argument("--days", type=_days, help="days until it expires (1 to 365)")
    create.add_argument("--bot-username", help="bot username for the link (else asked of getMe)")
    create.set_defaults(func=_invite_create)

    plans = sub.add_parser("plans", help="plan files", description="plan files").add_subparsers(
        dest="plans_command", required=True
    )
    validate = plans.add_parser(
        "validate",
        help="check plan files without loading them",
        description="check plan files without loading them",
    )
    validate.add_argument("files", nargs="+", type=Path)
    validate.set_defaults(func=_plans_validate)
    plans_load = plans.add_parser(
        "load",
        help="load plan files (a changed file: a new version)",
        description="load plan files (a changed file: a new version)",
    )
    plans_load.add_argument("files", nargs="*", type=Path)
    plans_load.add_argument("--presets", action="store_true", help="load the shipped presets")
    plans_load.set_defaults(func=_plans_load)
    plans.add_parser(
        "list", help="list loaded plans", description="list loaded plans"
    ).set_defaults(func=_plans_list)
    show = plans.add_parser(
        "show", help="a readable summary of a plan", description="a readable summary of a plan"
    )
    show.add_argument("plan_id")
    show.add_argument("--version", type=int)
    show.set_defaults(func=_plans_show)
    activate = plans.add_parser(
        "activate",
        help="run a loaded plan in a unit and everything below it",
        description="run a loaded plan in a unit and everything below it",
    )
    activate.add_argument("plan_id")
    activate.add_argument("--unit", required=True, help="unit code")
    activate.add_argument(
        "--from", dest="starts_on", type=_date, help="dd/mm/yyyy (default: the plan's)"
    )
    activate.add_argument(
        "--to", dest="ends_on", type=_date, help="dd/mm/yyyy (default: the plan's)"
    )
    activate.set_defaults(func=_plans_activate)
    return parser


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop where it is installed (Linux, macOS): the event loop is a quarter of a step's CPU."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def _days(text: str) -> int:
    if text.isdigit() and 1 <= int(text) <= 365:
        return int(text)
    raise argparse.ArgumentTypeError(_("expected a whole number of days from 1 to 365"))


def _date(text: str) -> date:
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        raise argparse.ArgumentTypeError(_("expected a date as dd/mm/yyyy")) from None


async def _plans_activate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.i18n import format_date
    from bot.workflow.activations import ActivationError, activate_plan

    await _upgrade(settings)
    async with _session(settings) as session:
        try:
            activation = await activate_plan(
                session, args.plan_id, args.unit, starts_on=args.starts_on, ends_on=args.ends_on
            )
        except ActivationError as exc:
            messages = {
                "unknown_plan": _("No loaded plan has the id {plan}."),
                "unknown_unit": _("There is no unit with that code."),
                "end_before_start": _("The end date is before the start date."),
            }
            print(messages[exc.reason].format(plan=args.plan_id), file=sys.stderr)
            return 1
        await session.commit()
    end = format_date(activation.ends_on) if activation.ends_on else "…"
    print(
        _("{plan} runs in {unit} from {start} to {end}.").format(
            plan=args.plan_id, unit=args.unit, start=format_date(activation.starts_on), end=end
        )
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    # The language comes first, so that even errors in the arguments or settings are in it.
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang", choices=SUPPORTED_LOCALES)
    known, _rest = early.parse_known_args(argv)
    set_locale(known.lang or os.environ.get("DEFAULT_LOCALE") or DEFAULT_LOCALE)
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(_("Configuration error: {problem}").format(problem=exc), file=sys.stderr)
        return 2
    set_locale(args.lang or settings.default_locale)
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)  # operators read the refusals
    quiet_per_update_lines()
    func: Command = args.func
    try:
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            return runner.run(func(args, settings))
    except ConfigError as exc:
        print(_("Configuration error: {problem}").format(problem=exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def quiet_per_update_lines() -> None:
    """aiogram logs a line for every update it handles; below DEBUG, keep only its failures.

    At the benchmark's load that is 20 lines a second saying nothing a person needs, written
    on the event loop: a fortieth of a step's CPU. aiogram.event still logs failed updates.
    """
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        logging.getLogger("aiogram.event").setLevel(logging.WARNING)


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import create_app, run_polling, webhook_application

    app = create_app(settings)
    await _upgrade(settings)
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


async def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo import run_demo

    await run_demo(settings, host=args.host, port=args.port, flood_limits=not args.no_flood_limits)
    return 0


async def _upgrade(settings: Settings) -> None:
    from storage.db import create_engine
    from storage.migrate import upgrade

    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


async def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    await _upgrade(settings)
    print(_("Database is up to date."))
    return 0


async def _db_current(args: argparse.Namespace, settings: Settings) -> int:
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


async def _units_load(args: argparse.Namespace, settings: Settings) -> int:
    from bot.workflow.units import UnitsFileError, load_units, parse_units_csv

    try:
        text = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(_("Cannot read {file}: {error}").format(file=args.file, error=exc), file=sys.stderr)
        return 1
    await _upgrade(settings)
    try:
        rows = parse_units_csv(text)
        async with _session(settings) as session:
            report = await load_units(session, rows)
            await session.commit()
    except UnitsFileError as exc:
        print(_("{file} was refused; nothing was loaded:").format(file=args.file), file=sys.stderr)
        for problem in exc.problems:
            print(f"  {args.file}: {problem}", file=sys.stderr)
        return 1
    print(
        _("Units loaded: {created} new, {updated} updated, {unchanged} unchanged.").format(
            created=report.created, updated=report.updated, unchanged=report.unchanged
        )
    )
    return 0


async def _invite_create(args: argparse.Namespace, settings: Settings) -> int:
    from bot.dialogs.onboarding import INVITE_REFUSALS
    from bot.i18n import format_datetime
    from bot.workflow.invitations import InvitationRefused, create_invitation, deep_link

    username = args.bot_username or await _bot_username(settings)
    await _upgrade(settings)
    async with _session(settings) as session:
        try:
            code, invitation = await create_invitation(
                session,
                role=args.role,
                unit_code=args.unit,
                issuer=None,
                days=args.days if args.days is not None else settings.invitation_days,
            )
        except InvitationRefused as exc:
            print(_(INVITE_REFUSALS.get(exc.reason, exc.reason)), file=sys.stderr)
            return 1
        await session.commit()
    print(deep_link(username, code))
    print(
        _("Works once; expires at {expires}.").format(
            expires=format_datetime(invitation.expires_at)
        )
    )
    return 0


async def _bot_username(settings: Settings) -> str:
    from aiogram.exceptions import TelegramAPIError

    from bot.app import create_bot

    bot = create_bot(settings)
    try:
        me = await bot.get_me()
    except (TelegramAPIError, OSError) as exc:
        raise ConfigError(f"BOT_TOKEN: getMe failed ({exc}); pass --bot-username") from None
    finally:
        await bot.session.close()
    return me.username or ""


async def _plans_validate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.plans.loader import PlanError, load_plan_file

    failed = False
    for path in args.files:
        try:
            plan = load_plan_file(path)
        except PlanError as exc:
            failed = True
            print(str(exc), file=sys.stderr)
            continue
        print(
            _("{file}: valid ({plan}, {categories} categories)").format(
                file=path, plan=plan.id, categories=len(plan.categories)
            )
        )
    return 1 if failed else 0


async def _plans_load(args: argparse.Namespace, settings: Settings) -> int:
    from bot.plans.loader import PlanError, preset_paths
    from bot.workflow.plans import store_plan

    paths: list[Path] = list(args.files) + (preset_paths() if args.presets else [])
    if not paths:
        print(_("Name plan files to load, or use --presets."), file=sys.stderr)
        return 2
    await _upgrade(settings)
    async with _session(settings) as session:
        try:
            for path in paths:
                version, created = await store_plan(
                    session, path.read_text(encoding="utf-8"), path.name
                )
                message = (
                    _("{plan}: version {version} loaded")
                    if created
                    else _("{plan}: unchanged (version {version})")
                )
                print(message.format(plan=version.plan_id, version=version.version))
        except PlanError as exc:
            await session.rollback()
            print(str(exc), file=sys.stderr)
            print(_("Nothing was loaded."), file=sys.stderr)
            return 1
        except OSError as exc:
            await session.rollback()
            print(_("Cannot read {file}: {error}").format(file=path, error=exc), file=sys.stderr)
            return 1
        await session.commit()
    return 0


async def _plans_list(args: argparse.Namespace, settings: Settings) -> int:
    from bot.i18n import format_datetime
    from bot.workflow.plans import latest_versions

    await _upgrade(settings)
    async with _session(settings) as session:
        versions = await latest_versions(session)
    if not versions:
        print(_("No plan is loaded. Load one with: python -m bot plans load --presets"))
    for v in versions:
        print(
            _("{plan} v{version} — {title} (loaded {at})").format(
                plan=v.plan_id, version=v.version, title=v.title, at=format_datetime(v.loaded_at)
            )
        )
    return 0


async def _plans_show(args: argparse.Namespace, settings: Settings) -> int:
    from bot.i18n import get_locale
    from bot.plans.summary import render_plan_summary
    from bot.workflow.plans import find_version, parsed

    await _upgrade(settings)
    async with _session(settings) as session:
        version = await find_version(session, args.plan_id, args.version)
    if version is None:
        print(_("No loaded plan has the id {plan}.").format(plan=args.plan_id), file=sys.stderr)
        return 1
    print(render_plan_summary(parsed(version), get_locale()))
    return 0


@contextlib.asynccontextmanager
async def _session(settings: Settings) -> AsyncIterator[AsyncSession]:
    """A session on a short-lived engine, for one CLI command."""
    from storage.db import create_engine, create_session_factory

    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            yield session
    finally:
        await engine.dispose()
