"""The records the emulated Telegram keeps: its users, files, chat messages, updates, callbacks.

Plain data; ``sandbox.state.SandboxState`` holds and changes them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from sandbox.wire import present


@dataclass
class SimUser:
    """A simulated Telegram user and, implicitly, their private chat with the bot."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    phone_number: str | None = None
    blocked: bool = False
    started: bool = False

    def telegram_user(self) -> dict[str, Any]:
        return {"id": self.id, "is_bot": False, "first_name": self.first_name} | present(
            last_name=self.last_name, username=self.username, language_code=self.language_code
        )

    def telegram_chat(self) -> dict[str, Any]:
        return {"id": self.id, "type": "private", "first_name": self.first_name} | present(
            last_name=self.last_name, username=self.username
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "first_name": self.first_name, "last_name": self.last_name,
            "username": self.username, "language_code": self.language_code,
            "phone_number": self.phone_number, "blocked": self.blocked, "started": self.started,
        }


@dataclass
class StoredFile:
    """A file known to the server; ``data`` is None for a declared-size file with no bytes."""

    file_id: str
    file_unique_id: str
    kind: str
    size: int
    data: bytes | None
    mime_type: str | None = None
    file_name: str | None = None
    file_path: str | None = None

    def content(self) -> bytes:
        """The bytes to download; a declared-size file gets filler of that size."""
        return self.data if self.data is not None else bytes(self.size)

    def telegram_file(self) -> dict[str, Any]:
        return {"file_id": self.file_id, "file_unique_id": self.file_unique_id,
                "file_size": self.size} | present(file_path=self.file_path)


@dataclass
class ChatMessage:
    """A message in a private chat, with both the Telegram payload and the driver's view."""

    chat_id: int
    message_id: int
    seq: int
    sender: str  # "user" | "bot"
    kind: str  # text | photo | document | voice | contact | sticker
    payload: dict[str, Any]
    text: str | None = None
    html: str | None = None
    caption: str | None = None
    caption_html: str | None = None
    file_id: str | None = None
    inline_keyboard: list[list[dict[str, Any]]] | None = None
    edited: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def view(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "message_id": self.message_id, "seq": self.seq, "from": self.sender,
            "kind": self.kind, "date": self.payload.get("date"), "text": self.text,
            "html": self.html, "caption": self.caption, "caption_html": self.caption_html,
            "file_id": self.file_id,
            "buttons": [[dict(b) for b in row] for row in self.inline_keyboard or []],
            "edited": self.edited,
        }
        out.update(self.extra)
        return out


@dataclass
class UpdateRecord:
    """One update as created; replays reuse it (same id, same payload)."""

    update_id: int
    user_id: int
    type: str
    payload: dict[str, Any]
    handled: asyncio.Event = field(default_factory=asyncio.Event)
    dropped: bool = False  # confirmed without delivery (drop_pending_updates, allowed_updates)


@dataclass
class QueueEntry:
    """A pending delivery of an update (a replay is a second entry for the same record)."""

    record: UpdateRecord
    replay: bool = False
    delivered: bool = False
    inflight: bool = False


@dataclass
class CallbackRecord:
    id: str
    user_id: int
    message_id: int
    data: str | None
    answered: bool = False


@dataclass
class WebhookConfig:
    url: str
    secret_token: str | None
    allowed_updates: list[str] | None
    max_connections: int = 40
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None
