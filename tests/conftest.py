"""Shared fixtures: a fresh, migrated database for every test, on SQLite or PostgreSQL.

The schema is built once per run by the real Alembic migrations into a template (a file on
SQLite, a template database on PostgreSQL); each test gets a copy, so tests never see each
other's rows and the migrations themselves are what every test runs on.
``TEST_DATABASE_URL`` (set by scripts/with-postgres.sh) switches the whole suite to PostgreSQL.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.i18n import DEFAULT_LOCALE, set_locale
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade

PG_URL = os.environ.get("TEST_DATABASE_URL")
_counter = itertools.count()


def pytest_report_header() -> str:
    return f"database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite'}"


@pytest.fixture(autouse=True)
def _default_locale() -> Iterator[None]:
    set_locale(DEFAULT_LOCALE)
    yield


@pytest.fixture(scope="session")
async def template_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    if PG_URL:
        admin = create_engine(PG_URL)
        async with admin.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("DROP DATABASE IF EXISTS exemplar_template"))
            await conn.execute(text("CREATE DATABASE exemplar_template"))
        await admin.dispose()
        url = make_url(PG_URL).set(database="exemplar_template").render_as_string(False)
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        url = f"sqlite+aiosqlite:///{path}"
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()  # closing the last connection folds SQLite's WAL into the file
    yield url


@pytest.fixture
async def database_url(template_url: str, tmp_path: Path) -> AsyncIterator[str]:
    if not PG_URL:
        target = tmp_path / "test.db"
        shutil.copyfile(make_url(template_url).database or "", target)
        yield f"sqlite+aiosqlite:///{target}"
        return
    name = f"exemplar_t{os.getpid()}_{next(_counter)}"
    admin = create_engine(PG_URL)
    async with admin.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE exemplar_template'))
    yield make_url(PG_URL).set(database=name).render_as_string(False)
    async with admin.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture
async def session(session_factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with session_factory() as session:
        yield session
