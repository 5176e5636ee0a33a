"""Issue 2, end to end: invitation, deep link, role, language, commands, reuse, replay."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from bot.demo import DEMO_UNITS
from bot.workflow.invitations import accept_invitation, create_invitation
from bot.workflow.units import load_units, parse_units_csv
from bot.workflow.users import Contact, get_or_register
from sandbox.client import SandboxClient
from storage.models import AuditEntry, Membership, User

LINK = re.compile(r"https://t\.me/exemplar_demo_bot\?start=([A-Za-z0-9_-]+)")


async def _admin(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with session_factory() as session:
        await load_units(session, parse_units_csv(DEMO_UNITS.read_text(encoding="utf-8")))
        code, _ = await create_invitation(
            session, role="admin", unit_code="KT", issuer=None, days=7
        )
        admin = await get_or_register(session, Contact(500, "Quản trị", None, "vi"))
        await accept_invitation(session, admin, code)
        await session.commit()


async def test_invitation_to_role_language_commands_reuse_and_replay(
    bot_app: App, client: SandboxClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _admin(session_factory)
    admin = await client.user(500, "Quản trị", language_code="vi")

    menu = await admin.send("/invite")
    assert "vai trò" in menu.text
    roles = await admin.press("1. Trưởng thôn")
    assert "Thôn 10 (Đăk Ruồng) (KT-KR-DRU-T1)" in " ".join(roles.buttons)
    created = await admin.press(text=next(b for b in roles.buttons if "KT-KR-DRU-T1" in b))
    match = LINK.search(created.text)
    assert match, created.text
    code = match.group(1)

    newcomer = await client.user(2001, "Y Blơng", language_code="vi")
    welcome = await newcomer.send(f"/start {code}")
    assert "Trưởng thôn" in welcome.text and "Thôn 10" in welcome.text
    assert any("số điện thoại" in b for b in (await newcomer.reply_keyboard() or []))
    async with session_factory() as session:
        user = await session.scalar(select(User).where(User.telegram_id == 2001))
        assert user is not None
        roles_held = (
            await session.scalars(select(Membership).where(Membership.user_id == user.id))
        ).all()
        assert [(m.role, m.unit.code) for m in roles_held] == [("village_head", "KT-KR-DRU-T1")]

    shared = await newcomer.contact("0912345678")
    assert "đã được lưu" in shared.text

    # the village head's own menu: proposing is there, inviting is not
    personal = await client.commands("", "chat:2001")
    assert {c["command"] for c in personal} >= {"propose", "drafts", "help", "lang"}
    assert "invite" not in {c["command"] for c in personal}

    switched = await newcomer.send("/lang")
    english = await switched_press(newcomer, switched)
    assert "English" in english.text
    help_en = await newcomer.send("/help")
    assert "Village head" in help_en.text and "/propose" in help_en.text
    personal_en = await client.commands("", "chat:2001")
    assert any(c["description"] == "Propose a candidate" for c in personal_en)

    stranger = await client.user(2002, "Người lạ", language_code="vi")
    refused = await stranger.send(f"/start {code}")
    assert "đã được sử dụng" in refused.text
    unknown = await stranger.send("/start khongcoma")
    assert "không hợp lệ" in unknown.text
    bare = await stranger.send("/start")
    assert "lời mời" in bare.text

    before = len(await newcomer.messages())
    await client.replay(welcome.update_id)  # Telegram redelivers the /start
    assert len(await newcomer.messages()) == before
    async with session_factory() as session:
        accepts = await session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "invitation.accept")
        )
        assert accepts == 2  # the admin's and the newcomer's, once each
        users = await session.scalar(
            select(func.count()).select_from(User).where(User.phone.is_not(None))
        )
        assert users == 1


async def switched_press(user, screen):  # type: ignore[no-untyped-def]
    assert any("English" in b for b in screen.buttons)
    return await user.press(text=next(b for b in screen.buttons if "English" in b))


async def test_every_callback_is_answered_and_unknown_text_gets_help(
    bot_app: App, client: SandboxClient
) -> None:
    user = await client.user(3001, "Khách", language_code="en")
    reply = await user.send("hello?")
    assert "/help" in reply.text
    lang = await user.send("/lang")
    await user.press(text=lang.buttons[0])
    answered = await client.requests("answerCallbackQuery")
    presses = [r for r in await client.requests() if r["method"] == "answerCallbackQuery"]
    assert len(answered) == len(presses) == 1


async def test_default_commands_per_language(bot_app: App, client: SandboxClient) -> None:
    user = await client.user(3002, "Khách", language_code="vi")
    await user.send("/help")  # the bot has started and set its menu by now
    vi = {c["command"]: c["description"] for c in await client.commands("vi")}
    en = {c["command"]: c["description"] for c in await client.commands("en")}
    assert set(vi) == set(en) == {"start", "help", "lang", "cancel"}
    assert vi["lang"] != en["lang"]
