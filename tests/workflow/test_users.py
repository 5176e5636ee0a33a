"""identify: the person and their roles for an update, in one query."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.workflow.users import Contact, actor_for, get_or_register, identify
from storage.models import User
from tests.statements import statements_sent
from tests.workflow.seeded import seeded_database

seeded_file, database_url = seeded_database(
    people=(
        (3001, "Y Hoa", "village_head", "KT-KR-DRU-T3"),
        (3001, "Y Hoa", "commune_officer", "KT-KR-DRU"),
    )
)


async def test_a_known_person_and_all_their_roles_in_one_query(session: AsyncSession) -> None:
    with statements_sent(session) as statements:
        user, actor = await identify(session, Contact(3001, "Y Hoa", None, "vi"), "vi")
    assert len(statements) == 1
    assert [(r.role, r.unit_code) for r in actor.roles] == [
        ("village_head", "KT-KR-DRU-T3"),
        ("commune_officer", "KT-KR-DRU"),
    ]
    assert actor == await actor_for(session, user, "vi")  # what the two queries said
    assert (actor.user_id, actor.telegram_id, actor.locale) == (user.id, 3001, "vi")


async def test_a_new_person_is_registered_with_no_roles(session: AsyncSession) -> None:
    with statements_sent(session) as statements:
        user, actor = await identify(session, Contact(3999, "  A  Blin ", "ablin", "en"), "vi")
    assert len(statements) == 2  # asked once, then written: not looked up a second time
    assert (user.telegram_id, user.full_name, user.username) == (3999, "A Blin", "ablin")
    assert actor.roles == () and actor.locale == "en"
    assert await session.scalar(select(func.count(User.id)).where(User.telegram_id == 3999)) == 1


async def test_a_known_person_without_roles_and_a_changed_name(session: AsyncSession) -> None:
    await get_or_register(session, Contact(3998, "Đinh Văn Lan"))
    await session.commit()
    user, actor = await identify(session, Contact(3998, "Đinh Văn Lân", "lan"), "vi")
    assert actor.roles == ()
    assert (user.full_name, user.username) == ("Đinh Văn Lân", "lan")
