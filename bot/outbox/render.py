"""What an outbox row shows its recipient, drawn when it is sent, in their language."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs.broadcast_views import BROADCAST, render_broadcast
from bot.dialogs.consulting import CONSULT_REMINDER, render_consult_reminder
from bot.dialogs.reminders import REMINDER, render_reminder
from bot.dialogs.review_cards import REVIEW_CARD, render_review_card
from bot.dialogs.screen import Screen, screen_from_payload
from bot.i18n import DISPLAY_TZ, resolve_locale
from storage.models import OutboxMessage, User

#: A screen drawn when the row was written (a decision told to the proposer, in their language).
SCREEN = "screen"


class UnknownKind(ValueError):
    """A row of a kind this version of the bot cannot draw."""


async def render(session: AsyncSession, row: OutboxMessage, recipient: User) -> Screen | None:
    """The screen for ``recipient``; None if there is nothing to send any more."""
    if row.kind == SCREEN:
        return screen_from_payload(row.payload)
    # The others are drawn now, in the recipient's language, as things stand when they go out.
    locale = resolve_locale(recipient.locale, recipient.language_code)
    if row.kind == REVIEW_CARD:
        return await render_review_card(session, row.payload, locale)
    if row.kind == BROADCAST:  # not at all once its sender stopped it
        return await render_broadcast(session, row.payload, recipient, locale)
    today = datetime.now(DISPLAY_TZ).date()
    if row.kind == REMINDER:  # days left, progress
        return await render_reminder(session, row.payload, recipient, locale, today)
    if row.kind == CONSULT_REMINDER:  # not at all once the body answered
        return await render_consult_reminder(session, row.payload, locale, today)
    raise UnknownKind(row.kind)
