"""Failures a person can cause and fix, each told in one translated line.

An operator who mistyped DATABASE_URL, whose network blocks Telegram, or whose demo port is
taken needs to read what failed and what to check, not a hundred lines of traceback. Each
place that touches the outside world (the database, the Bot API, a port) turns what it meets
into a ``Failure`` with that line; ``bot.cli.main`` prints it and exits non-zero. The whole
traceback is still there with ``--debug`` or LOG_LEVEL=DEBUG.
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import AsyncIterator, Iterator

from bot.i18n import _


class Failure(Exception):
    """What failed and what to check, in one line of the operator's language."""

    def __init__(self, line: str, exit_code: int = 1) -> None:
        super().__init__(line)
        self.line = line
        self.exit_code = exit_code


def reason(exc: BaseException) -> str:
    """The shortest true account of ``exc``: its innermost cause's first line, without a prefix."""
    while True:
        inner = getattr(exc, "orig", None) or exc.__cause__
        if inner is None or inner is exc:
            break
        exc = inner
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return text or type(exc).__name__


def shown_url(url: str) -> str:
    """A database URL as it may be printed: without its password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a URL SQLAlchemy cannot parse is shown as given, minus nothing secret
        return url.split("@")[-1]


@contextlib.asynccontextmanager
async def database_errors(url: str) -> AsyncIterator[None]:
    """Turn a database that cannot be reached or opened into one line naming DATABASE_URL."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        yield
    except Exception as exc:
        if not isinstance(exc, SQLAlchemyError | OSError | TimeoutError) and not _is_driver_error(
            exc
        ):
            raise
        raise Failure(
            _(
                "Cannot use the database {url}: {reason}. Check DATABASE_URL, and that the "
                "database server is running and reachable (or the file's folder is writable)."
            ).format(url=shown_url(url), reason=reason(exc))
        ) from exc


def _is_driver_error(exc: BaseException) -> bool:
    """asyncpg refuses a login or a missing database with its own exceptions, not SQLAlchemy's."""
    return type(exc).__module__.startswith(("asyncpg", "sqlite3", "aiosqlite"))


@contextlib.asynccontextmanager
async def telegram_errors(api_base: str | None) -> AsyncIterator[None]:
    """Turn a rejected token or an unreachable Bot API into one line saying what to set."""
    from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError
    from aiohttp import ClientError

    where = api_base or "https://api.telegram.org"
    try:
        yield
    except TelegramUnauthorizedError as exc:
        raise Failure(
            _(
                "Telegram refused BOT_TOKEN (401 Unauthorized) at {api}: check the token "
                "@BotFather gave, and TELEGRAM_API_BASE."
            ).format(api=where)
        ) from exc
    except (TelegramNetworkError, ClientError, OSError, TimeoutError) as exc:
        raise Failure(
            _(
                "Cannot reach Telegram at {api}: {reason}. Check the network; where Telegram "
                "is blocked, set TELEGRAM_PROXY (socks5://host:port or http://host:port)."
            ).format(api=where, reason=reason(exc))
        ) from exc


@contextlib.contextmanager
def port_errors(host: str, port: int, option: str) -> Iterator[None]:
    """Turn a port that cannot be listened on into one line naming it and how to choose another."""
    try:
        yield
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            line = _(
                "Port {port} on {host} is already in use (another program, or a demo still "
                "running?). Stop that program, or choose another port with {option}."
            )
        else:
            line = _("Cannot listen on {host}:{port}: {reason}. Choose another with {option}.")
        raise Failure(line.format(host=host, port=port, option=option, reason=reason(exc))) from exc
