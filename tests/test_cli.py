"""`python -m bot …` as an operator runs it: a real subprocess against the test database.

Every command runs in its own process with DATABASE_URL set to the test's database and no other
setting from the environment, so exit codes, output and what ends up in the database are what an
operator would see. Independent commands run side by side to keep the file fast (each one is a
whole interpreter start). Expected output is built from the CLI's own msgids through the catalogs
(``gettext_in``), so a missing translation or a label in the wrong language shows up here.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import hashlib
import logging
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Select, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from bot.cli import build_parser
from bot.config import Settings
from bot.i18n import format_date, gettext_in
from bot.logs import quiet_per_update_lines
from bot.plans.loader import load_plan_file, preset_paths
from bot.plans.schema import Plan
from bot.plans.summary import UNIT_KIND_LABELS
from bot.workflow.plans import store_plan
from bot.workflow.units import load_units, parse_units_csv
from storage.db import create_engine
from storage.migrate import current_revision, head_revision
from storage.models import AuditEntry, Invitation, PlanActivation, PlanVersion, Unit

ROOT = Path(__file__).resolve().parents[1]
DEMO_UNITS = ROOT / "bot" / "data" / "demo_units.csv"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "cli"
BROKEN_PLAN = FIXTURES / "broken-plan.toml"
KONTUM = "kontum-44-2023"
TIMEOUT = 120  # seconds for one command; a hung command fails its test instead of the run

#: Every setting the bot reads; none may leak into a test from the caller's environment.
SETTING_NAMES = {name.upper() for name in Settings.model_fields}


@dataclass(frozen=True)
class Result:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def out(self) -> list[str]:
        return self.stdout.splitlines()

    @property
    def err(self) -> list[str]:
        """stderr lines, stripped (problem lines are indented under their heading)."""
        return [line.strip() for line in self.stderr.splitlines()]

    def __str__(self) -> str:
        return (
            f"python -m bot {' '.join(self.args)} -> exit {self.returncode}\n"
            f"--- stdout\n{self.stdout}--- stderr\n{self.stderr}"
        )


async def cli(database_url: str, *args: str, locale: str = "vi", **settings: str) -> Result:
    """Run ``python -m bot ARGS`` with only DATABASE_URL, DEFAULT_LOCALE and ``settings`` set."""
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTING_NAMES}
    env |= {"DATABASE_URL": database_url, "DEFAULT_LOCALE": locale, "COLUMNS": "200"}
    env |= settings
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=ROOT,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode is not None
    return Result(args, process.returncode, out.decode(), err.decode())


def vi(msgid: str) -> str:
    return gettext_in("vi", msgid)


def en(msgid: str) -> str:
    return gettext_in("en", msgid)


def presets() -> list[tuple[Path, Plan]]:
    return [(path, load_plan_file(path)) for path in preset_paths()]


async def seed(
    session_factory: async_sessionmaker[AsyncSession], *, plans: tuple[Path, ...] = ()
) -> None:
    """The demo tree (and some plans) loaded in-process, for commands that need them."""
    async with session_factory() as session:
        await load_units(session, parse_units_csv(DEMO_UNITS.read_text(encoding="utf-8")))
        for path in plans:
            await store_plan(session, path.read_text(encoding="utf-8"), path.name)
        await session.commit()


async def all_of(session_factory: async_sessionmaker[AsyncSession], query: Select) -> list:
    """The rows a query finds, read in a short session of its own."""
    async with session_factory() as session:
        return list((await session.execute(query)).all())


def head(template: str, field: str) -> str:
    """The fixed text of a translated template before ``{field}``."""
    return template.split("{" + field + "}")[0]


# ---------------------------------------------------------------------------------------------
# --help


def _commands(
    parser: argparse.ArgumentParser, words: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser, str | None]]:
    """Every command reachable from ``parser``, with the help its parent lists it under."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                yield (*words, name), sub, helps.get(name)
                yield from _commands(sub, (*words, name))


def _squash(text: str) -> str:
    return " ".join(text.split())


def test_aiogram_logs_each_update_only_at_debug() -> None:
    root, event = logging.getLogger(), logging.getLogger("aiogram.event")
    saved = root.level, event.level
    try:
        for level, expected in ((logging.INFO, logging.WARNING), (logging.DEBUG, logging.NOTSET)):
            root.setLevel(level)
            event.setLevel(logging.NOTSET)
            quiet_per_update_lines()
            assert event.level == expected
            # A failed update is still written at the quieter level.
            assert event.isEnabledFor(logging.ERROR)
            assert event.isEnabledFor(logging.INFO) is (level == logging.DEBUG)
    finally:
        root.setLevel(saved[0])
        event.setLevel(saved[1])


async def test_help_describes_every_command(tmp_path: Path) -> None:
    parser = build_parser()
    commands = list(_commands(parser))
    leaves = {words for words, sub, _ in commands if not any(True for _ in _commands(sub))}
    assert leaves >= {
        ("run",),
        ("demo",),
        ("db", "upgrade"),
        ("db", "current"),
        ("units", "load"),
        ("invite", "create"),
        ("plans", "validate"),
        ("plans", "load"),
        ("plans", "list"),
        ("plans", "show"),
        ("plans", "activate"),
    }
    # Each help costs a whole interpreter start; the groups (db, plans, …) are seen in the
    # top-level help and in their commands' usage lines.
    commands = [command for command in commands if command[0] in leaves]
    url = f"sqlite+aiosqlite:///{tmp_path / 'untouched.db'}"
    results = await asyncio.gather(
        cli(url, "--help"), *(cli(url, *words, "--help") for words, _, _ in commands)
    )

    top = results[0]
    assert top.returncode == 0, top
    assert top.stderr == ""
    assert top.stdout.startswith(vi("usage: ") + "python -m bot"), top  # argparse's, in vi
    assert parser.description and _squash(parser.description) in _squash(top.stdout)
    for words, _, listed in _commands(parser):
        if len(words) == 1:
            assert words[0] in top.stdout and _squash(listed or "") in _squash(top.stdout)
    assert "--lang" in top.stdout

    undescribed = []
    for result, (words, sub, listed) in zip(results[1:], commands, strict=True):
        assert result.returncode == 0, result
        assert result.stderr == "", result
        usage = vi("usage: ") + f"python -m bot {' '.join(words)}"
        assert result.stdout.startswith(usage), result
        for action in sub._actions:
            for option in action.option_strings:
                assert option in result.stdout, f"{option} missing from\n{result}"
        # The line the parent lists the command under must also head the command's own help.
        assert listed, f"{' '.join(words)} is listed without a description"
        if _squash(listed) not in _squash(result.stdout):
            undescribed.append(f"{' '.join(words)}: {listed!r}")
    assert not undescribed, "--help does not say what the command does:\n" + "\n".join(undescribed)


# ---------------------------------------------------------------------------------------------
# Settings


#: One malformed value per setting; each must stop start-up with exit 2 and one line naming it.
MALFORMED = {
    "DATABASE_URL": "mysql://x",
    "DEFAULT_LOCALE": "fr",
    "LOG_LEVEL": "loud",
}


async def test_a_malformed_setting_stops_with_one_line_naming_it(tmp_path: Path) -> None:
    database = tmp_path / "never-created.db"
    url = f"sqlite+aiosqlite:///{database}"
    results = await asyncio.gather(
        *(
            cli(value, "db", "current")
            if name == "DATABASE_URL"
            else cli(url, "db", "current", **{name: value})
            for name, value in MALFORMED.items()
        )
    )
    wrong = []
    for name, result in zip(MALFORMED, results, strict=True):
        prefix = vi("Configuration error: {problem}").format(problem=f"{name}: ")
        one_line = result.stderr.count("\n") == 1 and result.stderr.startswith(prefix)
        if result.returncode != 2 or result.stdout or not one_line:
            wrong.append(f"{name}={MALFORMED[name]}: {result}")
    assert not wrong, "\n\n".join(wrong)
    assert not database.exists()


async def test_errors_before_start_up_speak_the_chosen_language(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'never-created.db'}"
    bad_setting, bad_date = await asyncio.gather(
        cli("mysql://x", "--lang", "en", "db", "current"),
        cli(url, "plans", "activate", KONTUM, "--unit", "KT", "--from", "2026-01-01", locale="en"),
    )
    assert bad_setting.returncode == 2, bad_setting
    assert bad_setting.stderr.startswith(
        en("Configuration error: {problem}").format(problem="DATABASE_URL: ")
    ), bad_setting
    assert bad_date.returncode == 2, bad_date
    assert en("expected a date as dd/mm/yyyy") in bad_date.stderr, bad_date


# ---------------------------------------------------------------------------------------------
# db


async def test_db_upgrade_then_current_shows_the_head_revision(
    database_url: str, tmp_path: Path
) -> None:
    newest = head_revision()
    assert newest
    blank = f"sqlite+aiosqlite:///{tmp_path / 'blank' / 'new.db'}"

    async def upgrade_then_current(url: str) -> tuple[Result, Result]:
        return await cli(url, "db", "upgrade"), await cli(url, "db", "current")

    # A blank SQLite file is migrated from nothing. The test database is migrated already
    # (upgrading it again is a no-op), so it only adds something on PostgreSQL.
    urls = [blank, database_url] if database_url.startswith("postgresql") else [blank]
    results = await asyncio.gather(*(upgrade_then_current(url) for url in urls))
    revision = vi("Schema revision: {current} (newest: {head})")
    for url, (upgrade, current) in zip(urls, results, strict=True):
        assert upgrade.returncode == 0, upgrade
        assert upgrade.out == [vi("Database is up to date.")], upgrade
        assert current.returncode == 0, current
        assert current.out == [revision.format(current=newest, head=newest)], current
        engine = create_engine(url)
        try:
            assert await current_revision(engine) == newest
            async with engine.connect() as connection:
                tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        finally:
            await engine.dispose()
        assert {"units", "invitations", "plan_versions", "plan_activations"} <= tables


# ---------------------------------------------------------------------------------------------
# units load


async def test_units_load_the_demo_tree_then_again_unchanged(
    database_url: str, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    with DEMO_UNITS.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    loaded = vi("Units loaded: {created} new, {updated} updated, {unchanged} unchanged.")

    first = await cli(database_url, "units", "load", "bot/data/demo_units.csv")
    assert first.returncode == 0, first
    assert first.out == [loaded.format(created=len(rows), updated=0, unchanged=0)]
    second = await cli(database_url, "units", "load", "bot/data/demo_units.csv")
    assert second.returncode == 0, second
    assert second.out == [loaded.format(created=0, updated=0, unchanged=len(rows))]

    parent = aliased(Unit)
    stored = await all_of(
        session_factory,
        select(Unit.code, Unit.name, Unit.kind, parent.code).outerjoin(
            parent, Unit.parent_id == parent.id
        ),
    )
    assert sorted(tuple(r) for r in stored) == sorted(
        (r["code"], r["name"], r["kind"], r["parent_code"] or None) for r in rows
    )


#: File name, rows after the header, and the problem reported; each file's first rows are fine.
REFUSED_UNITS = [
    (
        "bad-row.csv",
        "P,Tỉnh Mẫu,province,\nC1,Xã Một,hamlet,P\nV1,Thôn 1,village,C1\n",
        "line 3: unknown kind 'hamlet'",
    ),
    (
        "unknown-parent.csv",
        "P,Tỉnh Mẫu,province,\nC1,Xã Một,commune,NOWHERE\n",
        "line 3: parent 'NOWHERE' is neither in the file nor loaded",
    ),
    (
        "cycle.csv",
        "P,Tỉnh Mẫu,province,\nA,Xã A,commune,B\nB,Xã B,commune,A\n",
        "line 3: the parents of 'A' form a cycle",
    ),
]


async def test_units_file_with_a_problem_is_refused_whole(
    database_url: str, session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    paths = []
    for name, rows, _ in REFUSED_UNITS:
        path = tmp_path / name
        path.write_text("code,name,kind,parent_code\n" + rows, encoding="utf-8")
        paths.append(path)
    results = await asyncio.gather(
        *(cli(database_url, "units", "load", str(path)) for path in paths)
    )
    for path, result, (_, _, problem) in zip(paths, results, REFUSED_UNITS, strict=True):
        assert result.returncode == 1, result
        assert result.stdout == "", result
        refused = vi("{file} was refused; nothing was loaded:").format(file=path)
        assert refused in result.err, result
        assert f"{path}: {problem}" in result.err, result
    assert await all_of(session_factory, select(Unit.code)) == []


# ---------------------------------------------------------------------------------------------
# invite create

LINK = re.compile(r"https://t\.me/x_bot\?start=([A-Za-z0-9_-]{1,64})")


async def test_invite_create_prints_a_link_and_stores_only_the_hash(
    database_url: str, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await seed(session_factory)
    invite = ("invite", "create", "--bot-username", "x_bot")
    created, no_role, no_unit, misfit = await asyncio.gather(
        cli(database_url, *invite, "--role", "village_head", "--unit", "KT-KR-DRU-T1"),
        cli(database_url, *invite, "--role", "mayor", "--unit", "KT-KR-DRU-T1"),
        cli(database_url, *invite, "--role", "village_head", "--unit", "NOPE"),
        cli(database_url, *invite, "--role", "village_head", "--unit", "KT-KR"),
    )

    assert created.returncode == 0, created
    assert len(created.out) == 2, created
    link = LINK.fullmatch(created.out[0])
    assert link, created
    code = link.group(1)
    expires_prefix = head(vi("Works once; expires at {expires}."), "expires")
    assert created.out[1].startswith(expires_prefix), created

    for refused, msgid in (
        (no_role, "There is no such role."),
        (no_unit, "There is no unit with that code."),
        (misfit, "That role cannot be held in that unit."),
    ):
        assert refused.returncode == 1, refused
        assert refused.stdout == "", refused
        assert vi(msgid) in refused.err, refused

    rows = await all_of(session_factory, select(Invitation, Unit.code).join(Unit))
    assert len(rows) == 1
    invitation, unit_code = rows[0]
    assert (invitation.role, unit_code) == ("village_head", "KT-KR-DRU-T1")
    assert invitation.code_hash == hashlib.sha256(code.encode()).hexdigest()
    assert invitation.code_hash != code
    assert invitation.issued_by is None and invitation.used_at is None
    assert invitation.expires_at - invitation.created_at == timedelta(days=14)
    audit = await all_of(session_factory, select(AuditEntry.details))
    assert audit and all(code not in str(details) for (details,) in audit)


async def test_invite_create_refuses_days_that_are_not_positive(
    database_url: str, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await seed(session_factory)
    invite = ("invite", "create", "--bot-username", "x_bot", "--role", "village_head")
    results = await asyncio.gather(
        *(cli(database_url, *invite, "--unit", "KT-KR-DRU-T1", "--days", d) for d in ("0", "-3"))
    )
    for result in results:
        assert result.returncode != 0, result
        assert not LINK.search(result.stdout), result
    assert await all_of(session_factory, select(Invitation.id)) == []


# ---------------------------------------------------------------------------------------------
# plans validate / load / list / show


async def test_plans_validate_presets_and_a_broken_file(
    database_url: str, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    shipped = presets()
    assert len(shipped) >= 5
    kontum = next(path for path, plan in shipped if plan.id == KONTUM)
    valid = vi("{file}: valid ({plan}, {categories} categories)")
    every, broken, broken_load = await asyncio.gather(
        cli(database_url, "plans", "validate", *(str(path) for path, _ in shipped)),
        cli(database_url, "plans", "validate", str(BROKEN_PLAN), str(kontum)),
        cli(database_url, "plans", "load", str(kontum), str(BROKEN_PLAN)),
    )

    assert every.returncode == 0, every
    assert every.out == [
        valid.format(file=path, plan=plan.id, categories=len(plan.categories))
        for path, plan in shipped
    ]

    assert broken.returncode == 1, broken
    assert broken.out == [valid.format(file=kontum, plan=KONTUM, categories=5)]
    assert len(broken.err) == 2, broken
    assert broken.err[0].startswith(f"{BROKEN_PLAN}: quota[0].min: "), broken
    assert broken.err[1].startswith(f"{BROKEN_PLAN}: category[0].criterion[0].min: "), broken

    # Loading is all or nothing: the good file named first is not kept either.
    assert broken_load.returncode == 1, broken_load
    assert f"{BROKEN_PLAN.name}: quota[0].min: " in broken_load.stderr, broken_load
    assert vi("Nothing was loaded.") in broken_load.err, broken_load
    assert await all_of(session_factory, select(PlanVersion.id)) == []


def _changed_kontum(tmp_path: Path) -> tuple[Path, str, str]:
    """A copy of the Kon Tum preset with one criterion's text changed (same plan id)."""
    original = next(path for path in preset_paths() if path.name == f"{KONTUM}.toml")
    text = original.read_text(encoding="utf-8")
    old = load_plan_file(original).categories[0].criteria[0].text
    new = old + " (sửa đổi)"
    assert text.count(f'text = "{old}"') == 1
    copy = tmp_path / original.name
    copy.write_text(text.replace(f'text = "{old}"', f'text = "{new}"'), encoding="utf-8")
    return copy, old, new


def _label_lines(output: str) -> set[str]:
    return {line for line in output.splitlines() if line and not line.startswith(" ")}


async def test_plans_load_versions_list_and_show(
    database_url: str, session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    shipped = presets()
    ids = [plan.id for _, plan in shipped]
    loaded = vi("{plan}: version {version} loaded")
    unchanged = vi("{plan}: unchanged (version {version})")

    first = await cli(database_url, "plans", "load", "--presets")
    assert first.returncode == 0, first
    assert first.out == [loaded.format(plan=i, version=1) for i in ids]
    stored = await all_of(session_factory, select(PlanVersion.plan_id, PlanVersion.version))
    assert sorted(tuple(row) for row in stored) == [(i, 1) for i in sorted(ids)]

    # The same files again change nothing; a changed copy of one is its version 2.
    copy, old_text, new_text = _changed_kontum(tmp_path)
    again, changed = await asyncio.gather(
        cli(database_url, "plans", "load", "--presets"),
        cli(database_url, "plans", "load", str(copy)),
    )
    assert again.returncode == 0, again
    assert again.out == [unchanged.format(plan=i, version=1) for i in ids]
    assert changed.returncode == 0, changed
    assert changed.out == [loaded.format(plan=KONTUM, version=2)]
    versions = await all_of(
        session_factory,
        select(PlanVersion.version, PlanVersion.source_text)
        .where(PlanVersion.plan_id == KONTUM)
        .order_by(PlanVersion.version),
    )
    preset_text = next(p for p, _ in shipped if p.name == copy.name).read_text(encoding="utf-8")
    assert [tuple(v) for v in versions] == [
        (1, preset_text),
        (2, copy.read_text(encoding="utf-8")),
    ]

    listing, show_vi, show_en, nope = await asyncio.gather(
        cli(database_url, "plans", "list"),
        cli(database_url, "--lang", "vi", "plans", "show", KONTUM, locale="en"),
        cli(database_url, "--lang", "en", "plans", "show", KONTUM),
        cli(database_url, "plans", "show", "nope"),
    )

    # list: one line per plan, each at its newest version.
    assert listing.returncode == 0, listing
    line = head(vi("{plan} v{version} — {title} (loaded {at})"), "at")
    expected = sorted(
        line.format(plan=p.id, version=2 if p.id == KONTUM else 1, title=p.plan.title)
        for _, p in shipped
    )
    assert len(listing.out) == len(expected), listing
    for got, prefix in zip(listing.out, expected, strict=True):
        assert got.startswith(prefix), listing

    # show: the newest version.
    for result in (show_vi, show_en):
        assert result.returncode == 0, result
    shown = {x.strip() for x in show_vi.out}
    assert f"• {new_text}" in shown and f"• {old_text}" not in shown, show_vi

    kontum = next(plan for _, plan in shipped if plan.id == KONTUM)
    info = kontum.plan
    labels = [
        "Deadlines:",
        "Quotas:",
        "General criteria (every category):",
        "Categories:",
    ]
    for result, translate, locale in ((show_vi, vi, "vi"), (show_en, en, "en")):
        lines = result.out
        assert lines[0] == kontum.title_for(locale), result
        assert translate("Plan id: {id}").format(id=KONTUM) in lines
        document = translate("Document: {document}, {issuer}")
        assert document.format(document=info.document, issuer=info.issuer) in lines, result
        assert translate("Issued on: {date}").format(date=format_date(info.issued_on)) in lines
        chain_label = head(translate("Review chain: {steps}"), "steps")
        chain = next((x for x in lines if x.startswith(chain_label)), None)
        assert chain is not None, result
        steps = [
            f"{translate(UNIT_KIND_LABELS[kind])} ({info.review_bodies[kind]})"
            for kind in info.review_chain
        ]
        assert " → ".join(steps) in chain, result
        for label in labels:
            assert translate(label) in lines, f"{translate(label)!r} missing\n{result}"
        titles = [f"{n}. {c.title_for(locale)}" for n, c in enumerate(kontum.categories, 1)]
        assert all(any(x.strip().startswith(t) for x in lines) for t in titles), result

    # Vietnamese labels for vi and English ones for en: the catalogs differ, and each output
    # carries only its own language's headings.
    for label in labels:
        assert vi(label) != en(label), f"no Vietnamese translation for {label!r}"
        assert vi(label) not in _label_lines(show_en.stdout)
        assert en(label) not in _label_lines(show_vi.stdout)
    assert head(en("Review chain: {steps}"), "steps") not in show_vi.stdout
    assert head(vi("Review chain: {steps}"), "steps") not in show_en.stdout

    assert nope.returncode == 1, nope
    assert nope.stdout == ""
    assert vi("No loaded plan has the id {plan}.").format(plan="nope") in nope.err, nope


# ---------------------------------------------------------------------------------------------
# plans activate


async def test_plans_activate_stores_an_activation_and_refuses_bad_dates(
    database_url: str, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    kontum = next(path for path in preset_paths() if path.name == f"{KONTUM}.toml")
    await seed(session_factory, plans=(kontum,))
    activate = ("plans", "activate", KONTUM, "--unit")

    done = await cli(database_url, *activate, "KT", "--from", "01/01/2026", "--to", "31/12/2026")
    assert done.returncode == 0, done
    assert done.out == [
        vi("{plan} runs in {unit} from {start} to {end}.").format(
            plan=KONTUM,
            unit="KT",
            start=format_date(date(2026, 1, 1), "vi"),
            end=format_date(date(2026, 12, 31), "vi"),
        )
    ]

    bad_format, backwards, no_unit = await asyncio.gather(
        cli(database_url, *activate, "KT", "--from", "2026-01-01"),
        cli(database_url, *activate, "KT", "--from", "31/12/2026", "--to", "01/01/2026"),
        cli(database_url, *activate, "NOPE"),
    )
    assert bad_format.returncode == 2, bad_format
    assert bad_format.stdout == ""
    assert "--from" in bad_format.stderr, bad_format
    assert vi("expected a date as dd/mm/yyyy") in bad_format.stderr, bad_format
    for refused, message in (
        (backwards, vi("The end date is before the start date.")),
        (no_unit, vi("There is no unit with that code.")),
    ):
        assert refused.returncode == 1, refused
        assert refused.stdout == "", refused
        assert message in refused.err, refused

    stored = await all_of(
        session_factory,
        select(
            PlanActivation.plan_id, Unit.code, PlanActivation.starts_on, PlanActivation.ends_on
        ).join(Unit),
    )
    assert [tuple(row) for row in stored] == [(KONTUM, "KT", date(2026, 1, 1), date(2026, 12, 31))]
