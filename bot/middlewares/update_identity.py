"""What names a Telegram update for de-duplication (see storage.updates): source and fingerprint."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from aiogram.types import Update
from aiogram.types.update import UpdateTypeLookupError

from storage.updates import UpdateKey


def update_key(update: Update, bot: Any) -> UpdateKey:
    return UpdateKey(update_source(bot), update.update_id, update_fingerprint(update))


def update_source(bot: Any) -> str:
    """The bot's id and the API host: another bot, or another server, is another window of ids."""
    api = getattr(getattr(bot, "session", None), "api", None)
    host = urlsplit(api.base).netloc if api is not None else ""
    return f"{getattr(bot, 'id', 0)}@{host}"[:100]


def update_fingerprint(update: Update) -> str:
    """What a redelivery repeats exactly and another update under the same id would not.

    A callback query, an inline query and the like carry an id of their own; a message is its
    chat, its id and its date (or edit date). Anything else is hashed whole.
    """
    try:
        kind = update.event_type
    except UpdateTypeLookupError:  # a type aiogram does not know
        return _digest(update)
    event = getattr(update, kind, None)
    own_id = getattr(event, "id", None)
    if isinstance(own_id, str):
        return f"{kind}:{own_id}"[:100]
    parts: list[object] = [kind]
    chat = getattr(event, "chat", None)
    if chat is not None:
        parts.append(chat.id)
    for field in ("message_id", "edit_date", "date"):
        value = getattr(event, field, None)
        if isinstance(value, datetime):
            value = int(value.timestamp())
        if value is not None:
            parts.append(value)
    if len(parts) == 1:
        return _digest(update)
    return ":".join(str(part) for part in parts)[:100]


def _digest(update: Update) -> str:
    body = update.model_dump_json(exclude={"update_id"}, exclude_none=True)
    return "sha256:" + hashlib.sha256(body.encode()).hexdigest()[:40]
