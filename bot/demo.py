"""`make demo`: the whole product offline, against the sandbox emulator, with demo data.

The demo data goes in through the same doors as real data: the units file loader, the plan
loader, activations, and invitations accepted by each demo person.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from string import Template

from pydantic import AnyHttpUrl, SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.plans.loader import preset_paths
from bot.workflow.activations import activate_plan
from bot.workflow.invitations import accept_invitation, create_invitation
from bot.workflow.plans import store_plan
from bot.workflow.units import load_units, parse_units_csv
from bot.workflow.users import Contact, get_or_register, roles_of

log = logging.getLogger(__name__)

DEMO_UNITS = Path(__file__).with_name("data") / "demo_units.csv"
DEMO_REMINDER_PLAN = Path(__file__).with_name("data") / "demo_reminder_plan.toml"
#: Where the reminder example runs, and how many days ahead its deadline is.
REMINDER_EXAMPLE_UNIT = "KT-KR-DRU"
REMINDER_EXAMPLE_DAYS = 3
DEMO_DATABASE_URL = "sqlite+aiosqlite:///./var/demo.db"


@dataclass(frozen=True, slots=True)
class DemoPerson:
    telegram_id: int
    name: str
    language: str
    role: str | None
    unit: str | None


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(1001, "A Thút (già làng)", "vi", "village_head", "KT-KR-DRU-T3"),
    DemoPerson(1002, "Y Hoa (trưởng thôn)", "vi", "village_head", "KT-KR-DRU-T1"),
    DemoPerson(1003, "Nguyễn Thị Lan (VP-TK xã)", "vi", "commune_officer", "KT-KR-DRU"),
    DemoPerson(1004, "Trần Văn Minh (Hội Nông dân)", "vi", "commune_officer", "KT-KR-DRU-HND"),
    DemoPerson(1005, "Lê Quốc Bảo (Phòng Nội vụ)", "vi", "district_reviewer", "KT-KR-NV"),
    DemoPerson(1006, "Hoàng Anh (Ban Dân tộc tỉnh)", "vi", "province_reviewer", "KT-BDT"),
    DemoPerson(1007, "Admin (province)", "en", "admin", "KT"),
    DemoPerson(1008, "Công an xã Đăk Ruồng", "vi", "consultee", "KT-KR-DRU-CA"),
    DemoPerson(1009, "Khách (chưa có vai trò)", "vi", None, None),
)

#: Where each preset runs in the demo tree. The documents name other places (Đak Đoa is in
#: Gia Lai, Quảng Lạc in Lạng Sơn, Đà Lạt in Lâm Đồng): here they run on demo units instead.
DEMO_ACTIVATIONS: tuple[tuple[str, str], ...] = (
    ("kontum-44-2023", "KT"),
    ("konray-2023-2025", "KT-KR"),
    ("quanglac-2023", "KT-KR-TL"),
    ("dakdoa-101-2021", "KT-DH"),
    ("dalat-2023", "KT-DH"),
)


async def seed(session: AsyncSession, today: date) -> None:
    """Load the demo tree, the presets, this year's activations and the demo people."""
    await load_units(session, parse_units_csv(DEMO_UNITS.read_text(encoding="utf-8")))
    for path in preset_paths():
        await store_plan(session, path.read_text(encoding="utf-8"), path.name)
    for plan_id, unit in DEMO_ACTIVATIONS:
        await activate_plan(
            session,
            plan_id,
            unit,
            starts_on=date(today.year, 1, 1),
            ends_on=date(today.year, 12, 31),
        )
    for person in DEMO_PEOPLE:
        user = await get_or_register(
            session, Contact(person.telegram_id, person.name, None, person.language)
        )
        if person.role and person.unit and not await roles_of(session, user.id):
            code, _ = await create_invitation(
                session, role=person.role, unit_code=person.unit, issuer=None, days=1
            )
            await accept_invitation(session, user, code)
    await session.flush()


async def seed_reminder_example(session: AsyncSession, today: date) -> None:
    """A plan whose deadline is a few days from ``today``, run in Đăk Ruồng, so that the demo
    shows a reminder whatever the date (the presets' deadlines are the documents' own)."""
    start = date(today.year, 1, 1)
    due = today + timedelta(days=REMINDER_EXAMPLE_DAYS)
    text = Template(DEMO_REMINDER_PLAN.read_text(encoding="utf-8")).substitute(
        start=start, due=due, end=date(due.year, 12, 31)
    )
    version, _ = await store_plan(session, text, DEMO_REMINDER_PLAN.name)
    await activate_plan(session, version.plan_id, REMINDER_EXAMPLE_UNIT)


async def run_demo(settings: Settings, *, host: str, port: int, flood_limits: bool) -> None:
    from sqlalchemy import func, select

    from bot.app import create_app, run_polling
    from bot.cli.common import cli_engine
    from bot.cli.failures import port_errors
    from bot.handlers.wizard import today
    from sandbox.client import SandboxClient
    from sandbox.flood import FloodLimits
    from sandbox.server import DEFAULT_TOKEN, run_sandbox
    from storage.db import create_session_factory
    from storage.migrate import upgrade
    from storage.models import Unit

    database_url = (
        DEMO_DATABASE_URL
        if "database_url" not in settings.model_fields_set
        else settings.database_url
    )
    async with cli_engine(database_url) as engine:
        await upgrade(engine)
        async with create_session_factory(engine)() as session:
            if not await session.scalar(select(func.count()).select_from(Unit)):
                await seed(session, today().date())
            await seed_reminder_example(session, today().date())
            await session.commit()

    flood = FloodLimits() if flood_limits else FloodLimits.off()
    async with contextlib.AsyncExitStack() as stack:
        with port_errors(host, port, "--port"):
            sandbox = await stack.enter_async_context(
                run_sandbox(DEFAULT_TOKEN, host=host, port=port, flood=flood)
            )
        async with SandboxClient(sandbox.base_url) as client:
            for person in DEMO_PEOPLE:
                # People with a role came in by an invitation link, so they have started the
                # bot and it may write to them first (a reminder); the guest has not.
                await client.user(
                    person.telegram_id,
                    person.name,
                    language_code=person.language,
                    started=person.role is not None,
                )
        demo_settings = settings.model_copy(
            update={
                "database_url": database_url,
                "telegram_api_base": AnyHttpUrl(sandbox.base_url),
                "bot_token": SecretStr(DEFAULT_TOKEN),
            }
        )
        print(f"\nDemo running. Open {sandbox.base_url}/ in a browser and pick a demo user:")
        for person in DEMO_PEOPLE:
            role = person.role or "-"
            print(f"  {person.telegram_id}  {person.name:32} {role:18} {person.unit or ''}")
        now = datetime.now(settings.zone)
        if settings.quiet.next_allowed(now, settings.zone) != now:
            print(
                f"Quiet hours ({settings.quiet_hours}): the demo's reminders wait for the morning;"
                " QUIET_HOURS=off shows them now."
            )
        print("Database:", database_url, "— stop with Ctrl+C.\n", flush=True)
        app = create_app(demo_settings)
        await run_polling(app)


def main() -> None:  # pragma: no cover - convenience for `python -m bot.demo`
    from bot.config import load_settings

    asyncio.run(run_demo(load_settings(), host="127.0.0.1", port=8081, flood_limits=True))
