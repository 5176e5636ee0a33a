"""What several commands share: the schema brought up to date, a short-lived session."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from bot.cli.failures import database_errors
from bot.config import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


@contextlib.asynccontextmanager
async def cli_session(settings: Settings) -> AsyncIterator[AsyncSession]:
    """A session on a short-lived engine, for one CLI command."""
    from storage.db import create_engine, create_session_factory

    engine = create_engine(settings.database_url)
    try:
        async with (
            database_errors(settings.database_url),
            create_session_factory(engine)() as session,
        ):
            yield session
    finally:
        await engine.dispose()


async def upgrade(settings: Settings) -> None:
    """Bring the schema up to date; the first touch of the database, so the one that tells
    an operator it cannot be reached."""
    from storage.db import create_engine
    from storage.migrate import upgrade as migrate

    async with database_errors(settings.database_url):
        engine = create_engine(settings.database_url)
        try:
            await migrate(engine)
        finally:
            await engine.dispose()
