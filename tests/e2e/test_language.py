"""Issue 30, end to end: every word in the person's language, and only what they may do."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from bot.workflow.invitations import create_invitation
from sandbox.client import SandboxClient, SimUser
from tests.e2e.test_onboarding import _admin


async def invited(
    client: SandboxClient,
    factory: async_sessionmaker[AsyncSession],
    tid: int,
    role: str,
    unit: str,
    lang: str = "vi",
) -> SimUser:
    async with factory() as session:
        code, _ = await create_invitation(session, role=role, unit_code=unit, issuer=None, days=7)
        await session.commit()
    user = await client.user(tid, "Người mới", language_code=lang)
    await user.send(f"/start {code}")
    return user


async def test_after_lang_en_the_share_phone_button_follows(
    bot_app: App, client: SandboxClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _admin(session_factory)
    newcomer = await invited(client, session_factory, 4001, "village_head", "KT-KR-DRU-T1")
    assert await newcomer.reply_keyboard() == ["Chia sẻ số điện thoại của tôi"]
    menu = await newcomer.send("/lang")
    assert menu.buttons == ["1. Tiếng Việt ✓", "2. English"]
    switched = await newcomer.press(text="2. English")
    assert "English" in switched.text
    assert await newcomer.reply_keyboard() == ["Share my phone number"]
    assert "share your phone number" in (await newcomer.last_bot_message() or {})["text"]
    await newcomer.send("skip")
    assert await newcomer.reply_keyboard() is None
    # Once skipped (or shared), changing the language does not offer it again.
    await newcomer.send("/lang vi")
    assert await newcomer.reply_keyboard() is None
    assert (await newcomer.send("/lang")).buttons == ["1. Tiếng Việt ✓", "2. English"]


async def test_help_and_menu_list_only_what_the_person_may_do_in_their_language(
    bot_app: App, client: SandboxClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _admin(session_factory)
    police = await invited(client, session_factory, 4002, "consultee", "KT-KR-DRU-CA", "en")
    help_text = (await police.send("/help")).text
    assert "/opinions" in help_text and "Consulted body" in help_text
    for other in ("/propose", "/review", "/history", "/invite", "/broadcast"):
        assert other not in help_text
    menu = await client.commands("", "chat:4002")
    assert [c["command"] for c in menu] == ["start", "help", "opinions", "lang", "cancel"]
    assert {c["description"] for c in menu} >= {"Nominations asking my opinion"}
    await police.send("/lang vi")
    menu_vi = await client.commands("", "chat:4002")
    assert "Hồ sơ xin ý kiến của tôi" in {c["description"] for c in menu_vi}
    # The menu strangers see, one per language.
    default_en = await client.commands("en", "default")
    default_vi = await client.commands("vi", "default")
    assert [c["command"] for c in default_en] == [c["command"] for c in default_vi]
    assert {c["description"] for c in default_en}.isdisjoint(
        {c["description"] for c in default_vi}
    )
