"""What several commands share: a short-lived engine or session, the schema brought up to date."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from bot.cli.failures import database_errors
from bot.config import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession


@contextlib.asynccontextmanager
async def cli_engine(url: str) -> AsyncIterator[AsyncEngine]:
    """A short-lived engine for one command; a database that cannot be reached or opened is
    one line (``Failure``) naming DATABASE_URL."""
    from storage.db import create_engine

    async with database_errors(url):
        engine = create_engine(url)
        try:
            yield engine
        finally:
            await engine.dispose()


@contextlib.asynccontextmanager
async def cli_session(settings: Settings) -> AsyncIterator[AsyncSession]:
    """A session on a short-lived engine, for one CLI command."""
    from storage.db import create_session_factory

    async with (
        cli_engine(settings.database_url) as engine,
        create_session_factory(engine)() as session,
    ):
        yield session


async def upgrade(settings: Settings) -> None:
    """Bring the schema up to date; the first touch of the database, so the one that tells
    an operator it cannot be reached."""
    from storage.migrate import upgrade as migrate

    async with cli_engine(settings.database_url) as engine:
        await migrate(engine)
