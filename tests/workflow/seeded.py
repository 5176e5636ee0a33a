"""Demo data for workflow tests: seeded once per module on SQLite, copied for each test.

Seeding the demo tree and five presets takes most of a second; copying a file takes almost
nothing. On PostgreSQL each test seeds its own database.
"""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from bot.demo import seed
from bot.workflow.activations import activate_plan
from bot.workflow.actor import Actor
from bot.workflow.invitations import accept_invitation, create_invitation
from bot.workflow.plans import store_plan
from bot.workflow.units import unit_by_code
from bot.workflow.users import Contact, actor_for, get_or_register
from storage.db import create_engine, create_session_factory
from storage.models import Unit, User
from tests.conftest import PG_URL

TODAY = date(2026, 6, 1)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TINY_PLANS = ("tiny-plan.toml", "tiny-approve.toml")
Person = tuple[int, str, str, str]  # telegram id, name, role, unit code


async def seed_database(
    url: str, *, tiny_plans: bool, people: tuple[Person, ...], plans: tuple[str, ...] = ()
) -> None:
    engine = create_engine(url)
    async with create_session_factory(engine)() as session:
        await seed(session, TODAY)
        for name in (*(TINY_PLANS if tiny_plans else ()), *plans):
            version, _ = await store_plan(session, (FIXTURES / name).read_text("utf-8"), name)
            await activate_plan(
                session,
                version.plan_id,
                "KT-KR",
                starts_on=date(2026, 1, 1),
                ends_on=date(2026, 12, 31),
            )
        for tid, full_name, role, code_of_unit in people:
            user = await get_or_register(session, Contact(tid, full_name, None, "vi"))
            code, _ = await create_invitation(
                session, role=role, unit_code=code_of_unit, issuer=None, days=1
            )
            await accept_invitation(session, user, code)
        await session.commit()
    await engine.dispose()


def seeded_database(
    *, tiny_plans: bool = False, people: tuple[Person, ...] = (), plans: tuple[str, ...] = ()
) -> tuple[Callable[..., Awaitable[Path | None]], Callable[..., Awaitable[str]]]:
    """The ``seeded_file`` and ``database_url`` fixtures for a test module."""

    @pytest.fixture(scope="module")
    async def seeded_file(template_url: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
        if PG_URL:
            return None
        path = tmp_path_factory.mktemp("seeded") / "seeded.db"
        shutil.copyfile(make_url(template_url).database or "", path)
        await seed_database(
            f"sqlite+aiosqlite:///{path}", tiny_plans=tiny_plans, people=people, plans=plans
        )
        return path

    @pytest.fixture
    async def database_url(database_url: str, seeded_file: Path | None) -> str:
        if seeded_file is None:
            await seed_database(database_url, tiny_plans=tiny_plans, people=people, plans=plans)
        else:
            shutil.copyfile(seeded_file, make_url(database_url).database or "")
        return database_url

    return seeded_file, database_url


async def user(session: AsyncSession, tid: int) -> User:
    found = await session.scalar(select(User).where(User.telegram_id == tid))
    assert found is not None, tid
    return found


async def actor(session: AsyncSession, tid: int) -> Actor:
    return await actor_for(session, await user(session, tid))


async def unit(session: AsyncSession, code: str) -> Unit:
    found = await unit_by_code(session, code)
    assert found is not None, code
    return found
