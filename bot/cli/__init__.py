"""`python -m bot …`: run the bot, migrate, load units and plans, issue invitations, demo.

Operators read this output, so it is translated like the chat (``--lang`` or DEFAULT_LOCALE).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import traceback
from collections.abc import Awaitable, Callable, Sequence

from bot.cli.argparse_words import speak_argparse
from bot.cli.failures import Failure, reason
from bot.cli.parser import build_parser
from bot.config import ConfigError, Settings, load_settings
from bot.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES, _, set_locale
from bot.logs import one_line_per_retry, quiet_per_update_lines

__all__ = ["build_parser", "main", "quiet_per_update_lines"]

Command = Callable[[argparse.Namespace, Settings], Awaitable[int]]


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop where it is installed (Linux, macOS): the event loop is a quarter of a step's CPU."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def main(argv: Sequence[str] | None = None) -> int:
    # The language comes first, so that even errors in the arguments or settings are in it.
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang", choices=SUPPORTED_LOCALES)
    known, _rest = early.parse_known_args(argv)
    set_locale(known.lang or os.environ.get("DEFAULT_LOCALE") or DEFAULT_LOCALE)
    speak_argparse()
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(_("Configuration error: {problem}").format(problem=exc), file=sys.stderr)
        return 2
    set_locale(args.lang or settings.default_locale)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)  # operators read the refusals
    quiet_per_update_lines()
    one_line_per_retry()
    func: Command = args.func
    # A person's mistake is one line; the traceback is for whoever asks for it.
    debug = logging.getLogger().getEffectiveLevel() <= logging.DEBUG
    try:
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            return runner.run(func(args, settings))
    except Failure as exc:
        _tell(exc, exc.line, debug)
        return exc.exit_code
    except ConfigError as exc:
        _tell(exc, _("Configuration error: {problem}").format(problem=exc), debug)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        line = _(
            "Unexpected error ({kind}): {reason}. Run again with --debug to see the details."
        ).format(kind=type(exc).__name__, reason=reason(exc))
        _tell(exc, line, debug)
        return 1


def _tell(exc: BaseException, line: str, debug: bool) -> None:
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    print(line, file=sys.stderr)
