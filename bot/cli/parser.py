"""The command line's shape: every command, its arguments and its help."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.cli import admin, serving
from bot.cli import broadcast as broadcast_commands
from bot.cli import export as export_commands
from bot.cli import outbox as outbox_commands
from bot.cli import reminders as reminder_commands
from bot.i18n import SUPPORTED_LOCALES, _
from bot.workflow.roles import AUDIENCES

#: What ``add_subparsers`` returns: where a command's own commands are added.
Commands = argparse._SubParsersAction


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

    run = _command(sub, "run", "run the bot against Telegram (needs BOT_TOKEN)", serving.run)
    run.add_argument("--webhook", action="store_true", help="serve a webhook instead of polling")
    demo = _command(
        sub, "demo", "run offline against the sandbox emulator, with demo data", serving.demo
    )
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8081)
    demo.add_argument("--no-flood-limits", action="store_true")

    db = _group(sub, "db", "database schema")
    _command(db, "upgrade", "apply all migrations", serving.db_upgrade)
    _command(db, "current", "show the schema revision", serving.db_current)

    units = _group(sub, "units", "the tree of units")
    load = _command(units, "load", "load or update units from a CSV file", admin.units_load)
    load.add_argument("file", type=Path, help="CSV with columns code,name,kind,parent_code")

    invite = _group(sub, "invite", "invitations")
    create = _command(invite, "create", "create a one-time invitation link", admin.invite_create)
    create.add_argument("--role", required=True)
    create.add_argument("--unit", required=True, help="unit code")
    create.add_argument("--days", type=_days, help="days until it expires (1 to 365)")
    create.add_argument("--bot-username", help="bot username for the link (else asked of getMe)")

    _plans(_group(sub, "plans", "plan files"))
    _outbox(_group(sub, "outbox", "what the bot sends on its own: status, retry"))
    _broadcast(_group(sub, "broadcast", "a notice to a part of the unit tree: send, list, show"))

    reminders = _group(sub, "reminders", "deadline reminders: preview a day, run a pass")
    preview = _command(
        reminders,
        "preview",
        "who would be reminded on a day, and why (nothing is sent)",
        reminder_commands.preview,
    )
    preview.add_argument("--plan", help="only this plan (default: every running plan)")
    preview.add_argument("--date", type=_date, help="dd/mm/yyyy (default: today)")
    _command(
        reminders,
        "run",
        "plan today's reminders once and queue them (the running bot sends them)",
        reminder_commands.run,
    )

    export = _group(sub, "export", "documents for the level above")
    for name, what, year, func in (
        ("list", "a unit's registration list for a plan and a year, as .xlsx",
         "the year sent", export_commands.export_list),
        ("report", "a unit's yearly report on a plan, as .docx",
         "the year reported", export_commands.export_report),
    ):  # fmt: skip
        command = _command(export, name, what, func)
        command.add_argument("--plan", required=True, help="plan id")
        command.add_argument("--unit", required=True, help="unit code")
        command.add_argument("--year", type=_year, help=f"{year} (default: this year)")
        command.add_argument("--out", type=Path, help="file to write (default: a name in .)")
    return parser


def _plans(plans: Commands) -> None:
    validate = _command(
        plans, "validate", "check plan files without loading them", admin.plans_validate
    )
    validate.add_argument("files", nargs="+", type=Path)
    load = _command(
        plans, "load", "load plan files (a changed file: a new version)", admin.plans_load
    )
    load.add_argument("files", nargs="*", type=Path)
    load.add_argument("--presets", action="store_true", help="load the shipped presets")
    _command(plans, "list", "list loaded plans", admin.plans_list)
    show = _command(plans, "show", "a readable summary of a plan", admin.plans_show)
    show.add_argument("plan_id")
    show.add_argument("--version", type=int)
    activate = _command(
        plans,
        "activate",
        "run a loaded plan in a unit and everything below it",
        admin.plans_activate,
    )
    activate.add_argument("plan_id")
    activate.add_argument("--unit", required=True, help="unit code")
    activate.add_argument(
        "--from", dest="starts_on", type=_date, help="dd/mm/yyyy (default: the plan's)"
    )
    activate.add_argument(
        "--to", dest="ends_on", type=_date, help="dd/mm/yyyy (default: the plan's)"
    )


def _outbox(outbox: Commands) -> None:
    status = _command(
        outbox,
        "status",
        "counts by state and cause, and what failed with the reason",
        outbox_commands.status,
    )
    status.add_argument("--limit", type=int, default=20, help="failed messages to list")
    retry = _command(outbox, "retry", "send failed messages again", outbox_commands.retry)
    retry.add_argument(
        "--id", dest="ids", type=int, action="append", help="only this message (repeatable)"
    )


def _broadcast(broadcast: Commands) -> None:
    send = _command(
        broadcast,
        "send",
        "queue a notice and watch it go out (the running bot sends it)",
        broadcast_commands.send,
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
    listing = _command(
        broadcast, "list", "the latest broadcasts with their counts", broadcast_commands.list_
    )
    listing.add_argument("--limit", type=int, default=20)
    shown = _command(
        broadcast,
        "show",
        "one broadcast: its text, counts, and who failed or blocked",
        broadcast_commands.show,
    )
    shown.add_argument("id", type=int)


def _group(sub: Commands, name: str, what: str) -> Commands:
    """A command made of commands (``plans validate``, ``outbox retry``, …)."""
    return sub.add_parser(name, help=what, description=what).add_subparsers(
        dest=f"{name}_command", required=True
    )


def _command(
    sub: Commands, name: str, what: str, func: Callable[..., Any]
) -> argparse.ArgumentParser:
    """A command that runs ``func``; ``--help`` lists it by ``what`` and opens with it."""
    command = sub.add_parser(name, help=what, description=what)
    command.set_defaults(func=func)
    return command


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
