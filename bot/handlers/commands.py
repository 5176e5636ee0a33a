"""The command menu: default per language at start-up, then per person by their roles."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot.dialogs.onboarding import commands_for
from bot.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES, use_locale
from bot.workflow.actor import Actor


async def set_default_commands(bot: Bot) -> None:
    for locale in SUPPORTED_LOCALES:
        with use_locale(locale):
            commands = [BotCommand(command=c, description=d) for c, d in commands_for(frozenset())]
        await bot.set_my_commands(commands, scope=BotCommandScopeDefault(), language_code=locale)
    with use_locale(DEFAULT_LOCALE):
        commands = [BotCommand(command=c, description=d) for c, d in commands_for(frozenset())]
    await bot.set_my_commands(commands, scope=BotCommandScopeDefault())


async def set_personal_commands(bot: Bot, actor: Actor) -> None:
    """A chat-scoped menu in the person's own language, listing what their roles allow."""
    with use_locale(actor.locale):
        commands = [BotCommand(command=c, description=d) for c, d in commands_for(actor.role_names)]
    await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id=actor.telegram_id))
