"""A changed plan is a new version; a nomination keeps the rules it was made under."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.demo import seed
from bot.plans.loader import preset_dir
from bot.workflow import plans
from bot.workflow.activations import running_plans
from bot.workflow.actor import Actor
from bot.workflow.nominations import plan_of, start_draft
from bot.workflow.plans import find_version, store_plan
from bot.workflow.units import unit_by_code
from bot.workflow.users import actor_for
from storage.models import User
from tests.statements import statements_sent


async def test_draft_keeps_its_version_when_the_plan_changes(session: AsyncSession) -> None:
    await seed(session, date(2026, 6, 1))
    user = await session.get(User, 1)  # the first demo person: a village head
    assert user is not None
    actor: Actor = await actor_for(session, user)
    village = await unit_by_code(session, actor.roles[0].unit_code)
    assert village is not None
    running = next(
        r
        for r in await running_plans(session, village, date(2026, 6, 1))
        if r.version.plan_id == "kontum-44-2023"
    )
    draft = await start_draft(session, actor, actor.roles[0], running)
    first = running.plan.criteria[0]

    text = (preset_dir() / "kontum-44-2023.toml").read_text(encoding="utf-8")
    changed = text.replace(first.text, first.text + " (sửa đổi)", 1)
    version, created = await store_plan(session, changed, "kontum-44-2023.toml")
    assert created and version.version == 2
    again, created = await store_plan(session, changed, "kontum-44-2023.toml")
    assert not created and again.id == version.id

    await session.refresh(draft, ["plan_version"])
    assert draft.plan_version.version == 1
    assert plan_of(draft).criteria[0].text == first.text
    newest = await find_version(session, "kontum-44-2023")
    assert newest is not None and newest.version == 2
    later = next(
        r
        for r in await running_plans(session, village, date(2026, 6, 1))
        if r.version.plan_id == "kontum-44-2023"
    )
    assert later.plan.criteria[0].text.endswith("(sửa đổi)")


async def test_running_plans_read_a_plans_text_only_to_parse_it(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed(session, date(2026, 6, 1))
    user = await session.get(User, 1)
    assert user is not None
    actor = await actor_for(session, user)
    village = await unit_by_code(session, actor.roles[0].unit_code)
    assert village is not None
    await running_plans(session, village, date(2026, 6, 1))  # every plan parsed by now
    with statements_sent(session) as statements:
        found = await running_plans(session, village, date(2026, 6, 1))
    assert found and len(statements) == 1 and "source_text" not in statements[0]

    monkeypatch.setattr(plans, "_PARSED", {})  # a process that has parsed none of them
    session.expunge_all()
    with statements_sent(session) as statements:
        again = await running_plans(session, village, date(2026, 6, 1))
    assert [r.plan.id for r in again] == [r.plan.id for r in found]
    assert len([s for s in statements if "source_text" in s]) == len(found)
