"""Issue 24: every failure a person can cause is one line on stderr, in their language.

Each case runs the real command line in a subprocess (``tests.test_cli.cli``), as an operator
would: the exit code is not zero, stderr is exactly one line, and that line is the catalog's
text for the locale, with what failed and what to check filled in. ``--debug`` brings the
traceback back.
"""

from __future__ import annotations

import asyncio
import re
import socket
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.i18n import gettext_in
from sandbox.flood import FloodLimits
from sandbox.server import DEFAULT_TOKEN, run_sandbox
from tests.test_cli import Result, cli

DATABASE = (
    "Cannot use the database {url}: {reason}. Check DATABASE_URL, and that the database server "
    "is running and reachable (or the file's folder is writable)."
)
UNREACHABLE = (
    "Cannot reach Telegram at {api}: {reason}. Check the network; where Telegram is blocked, set "
    "TELEGRAM_PROXY (socks5://host:port or http://host:port)."
)
UNAUTHORIZED = (
    "Telegram refused BOT_TOKEN (401 Unauthorized) at {api}: check the token @BotFather gave, "
    "and TELEGRAM_API_BASE."
)
PORT_TAKEN = (
    "Port {port} on {host} is already in use (another program, or a demo still running?). Stop "
    "that program, or choose another port with {option}."
)
CANNOT_READ = "Cannot read {file}: {error}"
OTHER_TOKEN = "987654321:AAanother-token-the-server-does-not-know"


def line_of(locale: str, msgid: str, **known: str) -> re.Pattern[str]:
    """The catalog's line for ``msgid``: ``known`` fields as given, the others any text."""
    text = gettext_in(locale, msgid)
    assert locale == "en" or text != msgid, f"no {locale} translation of {msgid!r}"
    pattern = ""
    for literal, field, _spec, _conv in string.Formatter().parse(text):
        pattern += re.escape(literal)
        if field is not None:
            pattern += re.escape(known[field]) if field in known else ".+"
    return re.compile(pattern + r"\n\Z")


def assert_one_line(result: Result, expected: re.Pattern[str]) -> None:
    assert result.returncode != 0, result
    assert result.stderr.count("\n") == 1, result
    assert "Traceback" not in result.stderr, result
    assert expected.match(result.stderr), f"{expected.pattern}\n{result}"


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    yield port


@pytest.mark.parametrize("locale", ["vi", "en"])
async def test_a_database_that_cannot_be_reached_or_opened(
    locale: str, closed_port: int, tmp_path: Path
) -> None:
    down = f"postgresql+asyncpg://exemplar:s3cret@127.0.0.1:{closed_port}/exemplar"
    shown = f"postgresql+asyncpg://exemplar:***@127.0.0.1:{closed_port}/exemplar"
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    blocked = f"sqlite+aiosqlite:///{a_file}/exemplar.db"  # its folder is a file
    results = await asyncio.gather(
        cli(down, "db", "upgrade", locale=locale),
        cli(down, "plans", "list", locale=locale),
        cli(down, "run", locale=locale, BOT_TOKEN=DEFAULT_TOKEN),
        cli(blocked, "db", "current", locale=locale),
    )
    for result in results[:3]:
        assert_one_line(result, line_of(locale, DATABASE, url=shown))
        assert "s3cret" not in result.stderr
    assert_one_line(results[3], line_of(locale, DATABASE, url=blocked))


@pytest.mark.parametrize("locale", ["vi", "en"])
async def test_telegram_unreachable_or_refusing_the_token(
    locale: str, closed_port: int, database_url: str
) -> None:
    nowhere = f"http://127.0.0.1:{closed_port}/"
    async with run_sandbox(DEFAULT_TOKEN, flood=FloodLimits.off()) as sandbox:
        unreachable, refused, invite = await asyncio.gather(
            cli(
                database_url,
                "run",
                locale=locale,
                BOT_TOKEN=DEFAULT_TOKEN,
                TELEGRAM_API_BASE=nowhere,
            ),
            cli(
                database_url,
                "run",
                locale=locale,
                BOT_TOKEN=OTHER_TOKEN,
                TELEGRAM_API_BASE=sandbox.base_url,
            ),
            cli(
                database_url,
                "invite",
                "create",
                "--role",
                "admin",
                "--unit",
                "KT",
                locale=locale,
                BOT_TOKEN=OTHER_TOKEN,
                TELEGRAM_API_BASE=sandbox.base_url,
            ),
        )
    assert_one_line(unreachable, line_of(locale, UNREACHABLE, api=nowhere))
    assert "TELEGRAM_PROXY" in unreachable.stderr
    assert_one_line(refused, line_of(locale, UNAUTHORIZED, api=sandbox.base_url + "/"))
    assert_one_line(invite, line_of(locale, UNAUTHORIZED, api=sandbox.base_url + "/"))


@pytest.mark.parametrize("locale", ["vi", "en"])
async def test_the_demo_port_taken(locale: str, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        result = await cli(
            f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}",
            "demo",
            "--port",
            str(port),
            locale=locale,
        )
    expected = line_of(locale, PORT_TAKEN, port=str(port), host="127.0.0.1", option="--port")
    assert_one_line(result, expected)


@pytest.mark.parametrize("locale", ["vi", "en"])
async def test_a_plan_or_units_file_that_cannot_be_read(
    locale: str, database_url: str, tmp_path: Path
) -> None:
    missing = tmp_path / "missing.toml"
    folder = tmp_path / "units.csv"
    folder.mkdir()
    results = await asyncio.gather(
        cli(database_url, "units", "load", str(folder), locale=locale),
        cli(database_url, "plans", "load", str(missing), locale=locale),
        cli(database_url, "plans", "validate", str(missing), locale=locale),
    )
    for result, name in zip(results, (folder, missing, missing), strict=True):
        assert_one_line(result, line_of(locale, CANNOT_READ, file=str(name)))


async def test_debug_shows_the_whole_traceback(closed_port: int) -> None:
    down = f"postgresql+asyncpg://exemplar@127.0.0.1:{closed_port}/exemplar"
    quiet, loud = await asyncio.gather(
        cli(down, "db", "upgrade"), cli(down, "--debug", "db", "upgrade")
    )
    assert quiet.stderr.count("\n") == 1, quiet
    assert loud.returncode == quiet.returncode != 0
    assert "Traceback" in loud.stderr and loud.stderr.endswith(quiet.stderr), loud


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_plans_validate_says_each_problem_in_the_language_asked(
    lang: str, database_url: str
) -> None:
    """Issue 30: the problems of a plan file too, not only the lines around them; by --lang,
    or else by DEFAULT_LOCALE."""
    from tests.test_cli import BROKEN_PLAN

    other = "en" if lang == "vi" else "vi"
    by_flag, by_default = await asyncio.gather(
        cli(database_url, "--lang", lang, "plans", "validate", str(BROKEN_PLAN), locale=other),
        cli(database_url, "plans", "validate", str(BROKEN_PLAN), locale=lang),
    )
    quoted = gettext_in(lang, "a string {value}").format(value="'2'")
    assert by_flag.returncode == by_default.returncode == 1
    assert (
        by_flag.err
        == by_default.err
        == [
            f"{BROKEN_PLAN}: quota[0].min: "
            + gettext_in(lang, "expected a whole number, got {found}").format(found=quoted),
            f"{BROKEN_PLAN}: category[0].criterion[0].min: "
            + gettext_in(lang, "a number criterion needs min or max"),
        ]
    )
    assert ("cần một số nguyên" in by_flag.stderr) == (lang == "vi")


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_a_refused_command_line_is_said_in_the_language_asked(
    lang: str, database_url: str
) -> None:
    """argparse's own words (usage, the error) follow --lang too."""
    result = await cli(database_url, "--lang", lang, "units", locale="en" if lang == "vi" else "vi")
    assert result.returncode == 2
    missing = gettext_in(lang, "the following arguments are required: %s") % "units_command"
    line = gettext_in(lang, "%(prog)s: error: %(message)s\n") % {
        "prog": "python -m bot units",
        "message": missing,
    }
    assert result.stderr.splitlines()[-1] == line.rstrip("\n")
    assert result.stderr.startswith(gettext_in(lang, "usage: "))
    assert ("lỗi" in result.stderr) == (lang == "vi")
