"""The command line's shape: every command, its arguments and its help."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path

from bot.cli import admin, serving
from bot.cli import broadcast as broadcast_commands
from bot.cli import export as export_commands
from bot.cli import outbox as outbox_commands
from bot.cli import reminders as reminder_commands
from bot.i18n import SUPPORTED_LOCALES, _
from bot.workflow.roles import AUDIENCES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Exemplar bot: proposals and reviews of 'điển hình tiên tiến' in chat.",
    )
    parser.add_argument("--lang", choices=SUPPORTED_LOCALES, help="language of this output")
    parser.add_argument(
        "--debug",
        action="store_true",
        help="log everything, and show the whole traceback of a failure",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="run the bot against Telegram (needs BOT_TOKEN)",
        description="run the bot against Telegram (needs BOT_TOKEN)",
    )
    run.add_argument("--webhook", action="store_true", help="serve a webhook instead of polling")
    run.set_defaults(func=serving.run)

    demo = sub.add_parser(
        "demo",
        help="run offline against the sandbox emulator, with demo data",
        description="run offline against the sandbox emulator, with demo data",
    )
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8081)
    demo.add_argument("--no-flood-limits", action="store_true")
    demo.set_defaults(func=serving.demo)

    db = sub.add_parser("db", help="database schema", description="database schema").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser(
        "upgrade", help="apply all migrations", description="apply all migrations"
    ).set_defaults(func=serving.db_upgrade)
    db.add_parser(
        "current", help="show the schema revision", description="show the schema revision"
    ).set_defaults(func=serving.db_current)

    units = sub.add_parser(
        "units", help="the tree of units", description="the tree of units"
    ).add_subparsers(dest="units_command", required=True)
    load = units.add_parser(
        "load",
        help="load or update units from a CSV file",
        description="load or update units from a CSV file",
    )
    load.add_argument("file", type=Path, help="CSV with columns code,name,kind,parent_code")
    load.set_defaults(func=admin.units_load)

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
    create.set_defaults(func=admin.invite_create)

    plans = sub.add_parser("plans", help="plan files", description="plan files").add_subparsers(
        dest="plans_command", required=True
    )
    validate = plans.add_parser(
        "validate",
        help="check plan files without loading them",
        description="check plan files without loading them",
    )
    validate.add_argument("files", nargs="+", type=Path)
    validate.set_defaults(func=admin.plans_validate)
    plans_load = plans.add_parser(
        "load",
        help="load plan files (a changed file: a new version)",
        description="load plan files (a changed file: a new version)",
    )
    plans_load.add_argument("files", nargs="*", type=Path)
    plans_load.add_argument("--presets", action="store_true", help="load the shipped presets")
    plans_load.set_defaults(func=admin.plans_load)
    plans.add_parser(
        "list", help="list loaded plans", description="list loaded plans"
    ).set_defaults(func=admin.plans_list)
    show = plans.add_parser(
        "show", help="a readable summary of a plan", description="a readable summary of a plan"
    )
    show.add_argument("plan_id")
    show.add_argument("--version", type=int)
    show.set_defaults(func=admin.plans_show)
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
    activate.set_defaults(func=admin.plans_activate)
    outbox = sub.add_parser(
        "outbox",
        help="what the bot sends on its own: status, retry",
        description="what the bot sends on its own: status, retry",
    ).add_subparsers(dest="outbox_command", required=True)
    outbox_status = outbox.add_parser(
        "status",
        help="counts by state and cause, and what failed with the reason",
        description="counts by state and cause, and what failed with the reason",
    )
    outbox_status.add_argument("--limit", type=int, default=20, help="failed messages to list")
    outbox_status.set_defaults(func=outbox_commands.status)
    outbox_retry = outbox.add_parser(
        "retry",
        help="send failed messages again",
        description="send failed messages again",
    )
    outbox_retry.add_argument(
        "--id", dest="ids", type=int, action="append", help="only this message (repeatable)"
    )
    outbox_retry.set_defaults(func=outbox_commands.retry)
    broadcast = sub.add_parser(
        "broadcast",
        help="a notice to a part of the unit tree: send, list, show",
        description="a notice to a part of the unit tree: send, list, show",
    ).add_subparsers(dest="broadcast_command", required=True)
    send = broadcast.add_parser(
        "send",
        help="queue a notice and watch it go out (the running bot sends it)",
        description="queue a notice and watch it go out (the running bot sends it)",
    )
    send.add_argument("--unit", required=True, help="unit code: it and the units under it")
    send.add_argument("--only-unit", action="store_true", help="that unit alone")
    send.add_argument(
        "--role",
        dest="roles",
        action="append",
        required=True,
        choices=tuple(AUDIENCES),
        help="who receives it (repeatable)",
    )
    send.add_argument("--text", required=True)
    send.add_argument("--plan", help="about this plan: its proposers get a button to propose")
    send.add_argument(
        "--file", type=Path, help="a photo (.jpg, .png) or document sent with the text"
    )
    send.add_argument("--no-wait", action="store_true", help="queue it and return at once")
    send.set_defaults(func=broadcast_commands.send)
    listing = broadcast.add_parser(
        "list",
        help="the latest broadcasts with their counts",
        description="the latest broadcasts with their counts",
    )
    listing.add_argument("--limit", type=int, default=20)
    listing.set_defaults(func=broadcast_commands.list_)
    shown = broadcast.add_parser(
        "show",
        help="one broadcast: its text, counts, and who failed or blocked",
        description="one broadcast: its text, counts, and who failed or blocked",
    )
    shown.add_argument("id", type=int)
    shown.set_defaults(func=broadcast_commands.show)
    reminders = sub.add_parser(
        "reminders",
        help="deadline reminders: preview a day, run a pass",
        description="deadline reminders: preview a day, run a pass",
    ).add_subparsers(dest="reminders_command", required=True)
    preview = reminders.add_parser(
        "preview",
        help="who would be reminded on a day, and why (nothing is sent)",
        description="who would be reminded on a day, and why (nothing is sent)",
    )
    preview.add_argument("--plan", help="only this plan (default: every running plan)")
    preview.add_argument("--date", type=_date, help="dd/mm/yyyy (default: today)")
    preview.set_defaults(func=reminder_commands.preview)
    reminders.add_parser(
        "run",
        help="plan today's reminders once and queue them (the running bot sends them)",
        description="plan today's reminders once and queue them (the running bot sends them)",
    ).set_defaults(func=reminder_commands.run)
    export = sub.add_parser(
        "export", help="documents for the level above", description="documents for the level above"
    ).add_subparsers(dest="export_command", required=True)
    for name, what, year, func in (
        ("list", "a unit's registration list for a plan and a year, as .xlsx",
         "the year sent", export_commands.export_list),
        ("report", "a unit's yearly report on a plan, as .docx",
         "the year reported", export_commands.export_report),
    ):  # fmt: skip
        command = export.add_parser(name, help=what, description=what)
        command.add_argument("--plan", required=True, help="plan id")
        command.add_argument("--unit", required=True, help="unit code")
        command.add_argument("--year", type=_year, help=f"{year} (default: this year)")
        command.add_argument("--out", type=Path, help="file to write (default: a name in .)")
        command.set_defaults(func=func)
    return parser


def _year(text: str) -> int:
    if text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    raise argparse.ArgumentTypeError(_("expected a year such as 2026"))


def _days(text: str) -> int:
    if text.isdigit() and 1 <= int(text) <= 365:
        return int(text)
    raise argparse.ArgumentTypeError(_("expected a whole number of days from 1 to 365"))


def _date(text: str) -> date:
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        raise argparse.ArgumentTypeError(_("expected a date as dd/mm/yyyy")) from None
