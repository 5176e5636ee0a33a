"""One database session per update, and the order that keeps rule 1 and rule 2.

1. claim the update_id (a redelivered update stops here);
2. register the user, build the actor, set the locale;
3. run the handler, which queues what to show on ``ui``;
4. write what it tells other people into the outbox, and commit;
5. only then send: the person's own screens, then this update's outbox rows.

Polling waits for the updates it received to pass step 4 before asking for more (see
``bot.middlewares.requests.UpdatesInHand``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.types import TelegramObject, Update
from aiogram.types import User as TgUser
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.dialogs.screen import Screen
from bot.handlers import live_screen
from bot.handlers.ui import Ui
from bot.i18n import N_, _, set_locale
from bot.middlewares.outage import DatabaseOutage, is_database_outage, short_reason
from bot.middlewares.requests import UpdatesInHand
from bot.middlewares.update_identity import update_key
from bot.workflow.users import Contact, identify
from storage.db import write_lock
from storage.updates import UpdateKey, claim_update

log = logging.getLogger(__name__)

KEPT_FOR_LATER = N_(
    "Sorry, the bot cannot reach its database just now. Your message is kept and will be "
    "handled as soon as it is back; there is no need to send it again."
)


class UpdateContextMiddleware(BaseMiddleware):
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        settings: Settings,
        in_hand: UpdatesInHand | None = None,
        outage: DatabaseOutage | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.outage = outage
        self.settings = settings
        self.engine = session_factory.kw["bind"]
        self.in_hand = in_hand

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update)
        result = None
        held = False
        person_id: int | None = None
        for_others: list[int] = []
        try:
            set_locale(self.settings.default_locale)
            ui = _make_ui(event, data)
            key = update_key(event, data["bot"])
            async with write_lock(self.engine), self.session_factory() as session:
                try:
                    if not await claim_update(session, key):
                        log.info("update %s already handled; skipped", event.update_id)
                        return None
                    await self._identify(session, data)
                    person = data.get("db_user")
                    if person is not None and ui.chat_id == person.telegram_id:
                        ui.tracks_screen = True
                        ui.screen_before = person.screen_message_id
                        person_id = person.id
                    data.update(
                        session=session,
                        ui=ui,
                        settings=self.settings,
                        session_factory=self.session_factory,
                    )
                    result = await handler(event, data)
                    for_others = await ui.keep_for_others(session)
                    await session.commit()
                except Exception as exc:
                    # Whatever failed (the database included), the person gets an answer,
                    # never silence, and nothing half-done is kept.
                    with contextlib.suppress(Exception):  # a lost connection cannot roll back
                        await session.rollback()
                    for_others = []  # rolled back with the rest: not to be sent
                    ui.discard()
                    kept = self._hold(event, data, exc)
                    held = kept is not False
                    if kept:
                        ui.show(Screen(_(KEPT_FOR_LATER), edit=False))
                    elif not held:
                        log.exception("update %s failed", event.update_id)
                        ui.show(
                            Screen(
                                _(
                                    "Sorry, something went wrong on our side. Everything you "
                                    "had entered before is saved. Please try again."
                                ),
                                edit=False,
                            )
                        )
                        await self._mark_handled(session, key)
        finally:
            if self.in_hand is not None:
                # Soon rather than now: the screen below is then, as a rule, handed to the
                # socket before the next getUpdates is built.
                asyncio.get_running_loop().call_soon(self.in_hand.settled, event.update_id)
        await ui.flush()
        if person_id is not None and ui.screen_after != ui.screen_before:  # it is tracked
            await live_screen.remember(self.session_factory, person_id, ui.screen_after)
        outbox = data.get("outbox")
        if for_others and outbox is not None:
            await outbox.deliver(for_others)
        if not held:  # a held update comes again, and must find the choices it was typed to
            await remember_choices(data, ui)
        return result

    async def _identify(self, session: AsyncSession, data: dict[str, Any]) -> None:
        """Register the person on first contact; their roles and language for this update."""
        tg_user: TgUser | None = data.get("event_from_user")
        if tg_user is None or tg_user.is_bot:
            return
        user, actor = await identify(
            session,
            Contact(tg_user.id, tg_user.full_name, tg_user.username, tg_user.language_code),
            self.settings.default_locale,
        )
        set_locale(actor.locale)
        data.update(db_user=user, actor=actor)

    def _hold(self, event: Update, data: dict[str, Any], exc: Exception) -> bool | None:
        """Keep an update that met a database outage (see bot.middlewares.outage)."""
        dispatcher = data.get("dispatcher")
        if self.outage is None or dispatcher is None or not is_database_outage(exc):
            return False
        kept = self.outage.hold(event, data["bot"], dispatcher)
        if kept is not False:
            log.warning(
                "update %s kept for later: the database is unreachable (%s)",
                event.update_id,
                short_reason(exc),
                exc_info=log.isEnabledFor(logging.DEBUG),
            )
        return kept

    @staticmethod
    async def _mark_handled(session: AsyncSession, key: UpdateKey) -> None:
        """A failed update still counts as handled, so a redelivery cannot repeat it."""
        try:
            await claim_update(session, key)
            await session.commit()
        except Exception:
            log.exception("update %s could not be marked as handled", key.update_id)
            await session.rollback()


async def remember_choices(data: dict[str, Any], ui: Ui) -> None:
    """Keep the last screen's choices so that typing "2" works like pressing its button."""
    state: FSMContext | None = data.get("state")
    screen = ui.last_own_screen
    if state is None or screen is None:
        return
    await state.update_data(
        choices=[
            {"label": c.label, "action": c.action, "aliases": c.aliases, "numbered": c.numbered}
            for c in screen.choices
        ]
    )


def _make_ui(event: Update, data: dict[str, Any]) -> Ui:
    bot = data["bot"]
    if event.callback_query is not None:
        message = event.callback_query.message
        return Ui(
            bot,
            chat_id=event.callback_query.from_user.id,
            callback_query_id=event.callback_query.id,
            callback_message_id=message.message_id if message is not None else None,
        )
    chat = data.get("event_chat")
    return Ui(bot, chat_id=chat.id if chat is not None else None)
