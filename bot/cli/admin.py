"""The administrator's commands: units, invitations and plans."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.common import cli_session, upgrade
from bot.cli.failures import Failure, reason, telegram_errors
from bot.config import Settings
from bot.i18n import _


def read_text(path: Path) -> str:
    """A file an operator named: one line saying which and why if it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise Failure(
            _("Cannot read {file}: {error}").format(file=path, error=reason(exc))
        ) from exc


def read_bytes(path: Path) -> bytes:
    """``read_text`` for a file of any kind (an attachment)."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise Failure(
            _("Cannot read {file}: {error}").format(file=path, error=reason(exc))
        ) from exc


async def units_load(args: argparse.Namespace, settings: Settings) -> int:
    from bot.workflow.units import UnitsFileError, load_units, parse_units_csv

    text = read_text(args.file)
    await upgrade(settings)
    try:
        rows = parse_units_csv(text)
        async with cli_session(settings) as session:
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


async def invite_create(args: argparse.Namespace, settings: Settings) -> int:
    from bot.dialogs.onboarding import INVITE_REFUSALS
    from bot.i18n import format_datetime
    from bot.workflow.invitations import InvitationRefused, create_invitation, deep_link

    username = args.bot_username or await bot_username(settings)
    await upgrade(settings)
    async with cli_session(settings) as session:
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


async def bot_username(settings: Settings) -> str:
    from bot.app import create_bot

    bot = create_bot(settings)
    try:
        async with telegram_errors(_api_base(settings)):
            me = await bot.get_me()
    finally:
        await bot.session.close()
    return me.username or ""


def _api_base(settings: Settings) -> str | None:
    return str(settings.telegram_api_base) if settings.telegram_api_base else None


async def plans_validate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.plans.loader import PlanError, load_plan_text

    failed = False
    for path in args.files:
        try:
            plan = load_plan_text(read_text(path), str(path))
        except Failure as exc:
            failed = True
            print(exc.line, file=sys.stderr)
            continue
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


async def plans_load(args: argparse.Namespace, settings: Settings) -> int:
    from bot.plans.loader import PlanError, preset_paths
    from bot.workflow.plans import store_plan

    paths: list[Path] = list(args.files) + (preset_paths() if args.presets else [])
    if not paths:
        print(_("Name plan files to load, or use --presets."), file=sys.stderr)
        return 2
    texts = [(path, read_text(path)) for path in paths]  # all readable, or nothing is loaded
    await upgrade(settings)
    async with cli_session(settings) as session:
        try:
            for path, text in texts:
                version, created = await store_plan(session, text, path.name)
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
        await session.commit()
    return 0


async def plans_list(args: argparse.Namespace, settings: Settings) -> int:
    from bot.i18n import format_datetime
    from bot.workflow.plans import latest_versions

    await upgrade(settings)
    async with cli_session(settings) as session:
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


async def plans_show(args: argparse.Namespace, settings: Settings) -> int:
    from bot.i18n import get_locale
    from bot.plans.summary import render_plan_summary
    from bot.workflow.plans import find_version, parsed

    await upgrade(settings)
    async with cli_session(settings) as session:
        version = await find_version(session, args.plan_id, args.version)
    if version is None:
        print(_("No loaded plan has the id {plan}.").format(plan=args.plan_id), file=sys.stderr)
        return 1
    print(render_plan_summary(parsed(version), get_locale()))
    return 0


async def plans_activate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.i18n import format_date
    from bot.workflow.activations import ActivationError, activate_plan

    await upgrade(settings)
    async with cli_session(settings) as session:
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
