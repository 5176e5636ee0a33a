"""The migrations build exactly the models' schema, with the database settings the rules need."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage.migrate import current_revision, head_revision
from storage.models import Base, Membership


async def test_migrations_match_models(engine: AsyncEngine) -> None:
    def diff(connection):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with engine.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_schema_is_at_head(engine: AsyncEngine) -> None:
    assert await current_revision(engine) == head_revision()


async def test_sqlite_runs_wal_with_foreign_keys(engine: AsyncEngine) -> None:
    if engine.dialect.name != "sqlite":
        return
    async with engine.connect() as conn:
        assert (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
        assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1


async def test_foreign_keys_are_enforced(session: AsyncSession) -> None:
    session.add(Membership(user_id=999, unit_id=999, role="village_head"))
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
    else:  # pragma: no cover - the assertion below names the failure
        raise AssertionError("a membership for a missing user was accepted")
