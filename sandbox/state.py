"""Everything the emulated Telegram knows: users, private chats, messages, updates, files, events.

One ``SandboxState`` per server. It is plain in-memory data touched only from the event loop, so
no locks; waiters (long polls on both the bot side and the driver side) sleep on a ``Notifier``
that is poked after every change.
"""

from __future__ import annotations

import asyncio
import bisect
import copy
import secrets
import time
from collections.abc import Callable
from typing import Any

from sandbox.errors import bad_request, forbidden
from sandbox.flood import FloodControl, FloodLimits
from sandbox.records import (
    CallbackRecord,
    ChatMessage,
    QueueEntry,
    SimUser,
    StoredFile,
    UpdateRecord,
    WebhookConfig,
)

# Update types Telegram sends when a bot never chose ``allowed_updates``.
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
_FILE_ID_PREFIX = {
    "photo": "AgACAgIAAxkBAA",
    "document": "BQACAgIAAxkBAA",
    "voice": "AwACAgIAAxkBAA",
    "sticker": "CAACAgIAAxkBAA",
}
_FILE_FOLDER = {"photo": "photos", "document": "documents", "voice": "voice", "sticker": "stickers"}


class Notifier:
    """Wakes everyone waiting for "something changed"; waiters re-check their own condition."""

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def notify(self) -> None:
        if self._event is not None:
            self._event.set()
            self._event = None

    async def wait(self, seconds: float) -> None:
        """Sleep until the next ``notify`` or ``seconds`` have passed, whichever is first."""
        if seconds <= 0:
            return
        if self._event is None:
            self._event = asyncio.Event()
        event = self._event
        try:
            await asyncio.wait_for(event.wait(), seconds)
        except TimeoutError:
            pass


def photo_sizes(width: int, height: int) -> list[tuple[int, int]]:
    """The sizes Telegram generates for a photo: 90, 320, 800, 1280, 2560 px on the long side."""
    longest = max(width, height, 1)
    sizes: list[tuple[int, int]] = []
    for side in (90, 320, 800, 1280, 2560):
        if side >= longest:
            break
        scale = side / longest
        sizes.append((max(1, round(width * scale)), max(1, round(height * scale))))
    sizes.append((width, height))
    return sizes


def time_based_update_id() -> int:
    """Where a new emulator starts counting: milliseconds since 2026, so one started again
    never reuses the ids of the last run (that would take 1000 updates a second); and, within
    one process, past the last id any emulator in it gave (tests start one right after another).
    """
    return max(int((time.time() - _COUNTER_EPOCH) * 1000), _issued[0] + 1)


_COUNTER_EPOCH = 1767225600  # 2026-01-01 00:00 UTC
_issued = [0]  # the highest update id an emulator of this process has given


class SandboxState:
    """The emulated server's memory; see the module docstring."""

    def __init__(self, token: str, *, bot_username: str, flood: FloodLimits,
                 bot_first_name: str = "Exemplar Demo",
                 first_update_id: int | None = None) -> None:
        head = token.split(":", 1)[0]
        self.token = token
        self.bot_id = int(head) if head.isdigit() else 1
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.flood = FloodControl(flood)
        self.changed = Notifier()
        self.closing = False
        self.on_update: Callable[[], None] | None = None  # webhook pump hook
        self._seq = 0
        self._next_update_id = (
            first_update_id if first_update_id is not None else time_based_update_id()
        )
        self._file_counter = 0
        self.poll_generation = 0
        self.webhook: WebhookConfig | None = None
        self.allowed_updates: list[str] | None = None
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._clear_chats()

    # -- lifecycle ----------------------------------------------------------------------------

    def _clear_chats(self) -> None:
        self.users: dict[int, SimUser] = {}
        self.chats: dict[int, dict[int, ChatMessage]] = {}
        self._next_message_id: dict[int, int] = {}
        self.reply_keyboards: dict[int, list[list[dict[str, Any]]] | None] = {}
        self.files: dict[str, StoredFile] = {}
        self.photo_groups: dict[str, list[dict[str, Any]]] = {}  # any size's file_id -> sizes
        self.file_paths: dict[str, str] = {}
        self.updates: dict[int, UpdateRecord] = {}
        self.pending: list[QueueEntry] = []
        self.events: list[dict[str, Any]] = []
        self.callbacks: dict[str, CallbackRecord] = {}
        self.callback_answers: dict[int, list[dict[str, Any]]] = {}
        self.requests: list[dict[str, Any]] = []

    def reset(self, *, bot_config: bool = False) -> None:
        """Forget users, chats, updates, files, events and the request log.

        Counters (update_id, seq) keep increasing so a running bot's getUpdates offset stays
        valid. Bot configuration (webhook, commands, allowed_updates) survives unless
        ``bot_config`` is true, because a bot sets it once at start-up.
        """
        for entry in self.pending:
            entry.record.dropped = True
            entry.record.handled.set()
        self._clear_chats()
        self.flood.reset()
        if bot_config:
            self.webhook = None
            self.allowed_updates = None
            self.commands.clear()
        self.changed.notify()

    def close(self) -> None:
        """Release every long poll so the server can stop promptly."""
        self.closing = True
        self.changed.notify()

    # -- counters and events ------------------------------------------------------------------

    @property
    def last_seq(self) -> int:
        return self._seq

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def add_event(self, type_: str, user_id: int, *, seq: int | None = None,
                  **data: Any) -> dict[str, Any]:
        event = {"seq": seq if seq is not None else self.next_seq(), "type": type_,
                 "user_id": user_id, **data}
        self.events.append(event)
        self.changed.notify()
        return event

    def events_after(self, after: int, user_id: int | None = None) -> list[dict[str, Any]]:
        # Events are appended in seq order, so a binary search finds the start.
        start = bisect.bisect_right(self.events, after, key=lambda e: e["seq"])
        return [e for e in self.events[start:] if user_id is None or e["user_id"] == user_id]

    # -- users and chats ----------------------------------------------------------------------

    def bot_user(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": self.bot_first_name,
                "username": self.bot_username}

    def upsert_user(self, user_id: int, first_name: str, **fields: Any) -> SimUser:
        """Create the user, or update the fields given; creating twice is harmless."""
        user = self.users.get(user_id)
        if user is None:
            user = self.users[user_id] = SimUser(id=user_id, first_name=first_name)
            self.chats[user_id] = {}
            self._next_message_id[user_id] = 1
            self.reply_keyboards[user_id] = None
            self.callback_answers[user_id] = []
        elif first_name:
            user.first_name = first_name
        for key, value in fields.items():
            if value is not None:
                setattr(user, key, value)
        return user

    def resolve_chat(self, chat_id: int | str) -> SimUser:
        """The user behind ``chat_id`` if the bot may write there, else Telegram's refusal."""
        user: SimUser | None = None
        if isinstance(chat_id, int) or (isinstance(chat_id, str) and chat_id.lstrip("-").isdigit()):
            user = self.users.get(int(chat_id))
        if user is None:
            raise bad_request("chat not found")
        if user.blocked:
            raise forbidden("bot was blocked by the user")
        if not user.started:
            raise forbidden("bot can't initiate conversation with a user")
        return user

    def chat_message(self, chat_id: int, message_id: int) -> ChatMessage | None:
        return self.chats.get(chat_id, {}).get(message_id)

    def add_message(self, user: SimUser, sender: str, kind: str, content: dict[str, Any],
                    **view: Any) -> ChatMessage:
        """Store a new message in the user's chat and emit its event."""
        message_id = self._next_message_id[user.id]
        self._next_message_id[user.id] = message_id + 1
        payload: dict[str, Any] = {
            "message_id": message_id,
            "from": self.bot_user() if sender == "bot" else user.telegram_user(),
            "chat": user.telegram_chat(),
            "date": int(time.time()),
            **content,
        }
        msg = ChatMessage(chat_id=user.id, message_id=message_id, seq=self.next_seq(),
                          sender=sender, kind=kind, payload=payload, **view)
        self.chats[user.id][message_id] = msg
        self.add_event("message", user.id, seq=msg.seq, message=msg.view())
        return msg

    def newest_bot_messages(self, user_id: int) -> list[ChatMessage]:
        """Bot messages of a chat, newest first."""
        return [m for m in reversed(self.chats.get(user_id, {}).values()) if m.sender == "bot"]

    def chat_view(self, user_id: int) -> dict[str, Any]:
        user = self.users[user_id]
        return {
            "user": user.to_json(),
            "messages": [m.view() for m in self.chats[user_id].values()],
            "reply_keyboard": self.reply_keyboards.get(user_id),
            "callback_answers": list(self.callback_answers.get(user_id, [])),
        }

    # -- files --------------------------------------------------------------------------------

    def add_file(self, kind: str, data: bytes | None, *, size: int | None = None,
                 mime_type: str | None = None, file_name: str | None = None) -> StoredFile:
        prefix = _FILE_ID_PREFIX.get(kind, "BQACAgIAAxkBAA")
        f = StoredFile(
            file_id=prefix + secrets.token_urlsafe(24),
            file_unique_id="AgAD" + secrets.token_urlsafe(9),
            kind=kind,
            size=len(data) if data is not None else int(size or 0),
            data=data, mime_type=mime_type, file_name=file_name,
        )
        self.files[f.file_id] = f
        return f

    def add_photo(self, data: bytes, width: int, height: int) -> list[dict[str, Any]]:
        """Store a photo as Telegram does: several PhotoSize entries, each its own file_id."""
        entries: list[dict[str, Any]] = []
        for w, h in photo_sizes(width, height):
            f = self.add_file("photo", data, mime_type="image/jpeg")
            entries.append({"file_id": f.file_id, "file_unique_id": f.file_unique_id,
                            "file_size": f.size, "width": w, "height": h})
        for e in entries:
            self.photo_groups[e["file_id"]] = entries
        return entries

    def assign_path(self, f: StoredFile) -> str:
        """Give a file its download path on first getFile, as Telegram does."""
        if f.file_path is None:
            self._file_counter += 1
            ext = ""
            if f.file_name and "." in f.file_name:
                ext = f.file_name.rsplit(".", 1)[1]
            else:
                ext = {"photo": "jpg", "voice": "oga", "sticker": "webp"}.get(f.kind, "")
            name = f"file_{self._file_counter}" + (f".{ext}" if ext else "")
            f.file_path = f"{_FILE_FOLDER.get(f.kind, 'documents')}/{name}"
            self.file_paths[f.file_path] = f.file_id
        return f.file_path

    # -- updates ------------------------------------------------------------------------------

    def enqueue_update(self, user_id: int, type_: str, body: dict[str, Any]) -> UpdateRecord:
        update_id = self._next_update_id
        self._next_update_id += 1
        _issued[0] = max(_issued[0], update_id)
        # A snapshot: a later edit of a message must not change an update already made.
        payload = {"update_id": update_id, type_: copy.deepcopy(body)}
        record = UpdateRecord(update_id, user_id, type_, payload)
        self.updates[update_id] = record
        self.pending.append(QueueEntry(record))
        self._after_enqueue()
        return record

    def restart_update_counter(self, first_update_id: int) -> None:
        """Start again as a Bot API server may (a new token, a reset webhook, a self-hosted
        server): what was pending is gone, and ids count again from ``first_update_id``."""
        self.drop_pending()
        self._next_update_id = first_update_id

    def replay_update(self, update_id: int) -> UpdateRecord:
        record = self.updates[update_id]
        record.handled = asyncio.Event()
        record.dropped = False
        entry = QueueEntry(record, replay=True)
        keys = [e.record.update_id for e in self.pending]
        self.pending.insert(bisect.bisect_right(keys, update_id), entry)
        self._after_enqueue()
        return record

    def _after_enqueue(self) -> None:
        self.changed.notify()
        if self.on_update is not None:
            self.on_update()

    def allowed(self, type_: str) -> bool:
        chosen = self.webhook.allowed_updates if self.webhook else self.allowed_updates
        if not chosen:
            return type_ not in DEFAULT_EXCLUDED_UPDATES
        return type_ in chosen

    def ack(self, entry: QueueEntry, *, dropped: bool = False) -> None:
        if entry in self.pending:
            self.pending.remove(entry)
        entry.record.dropped = dropped
        entry.record.handled.set()
        self.changed.notify()

    def take_updates(self, offset: int | None, limit: int) -> list[dict[str, Any]]:
        """getUpdates semantics: confirm what lies below ``offset``, return what is pending."""
        if offset is not None and offset < 0:
            for entry in self.pending[:offset]:
                self.ack(entry)
        elif offset is not None:
            for entry in list(self.pending):
                fresh_replay = entry.replay and not entry.delivered
                if entry.record.update_id < offset and not fresh_replay:
                    self.ack(entry)
        for entry in list(self.pending):
            if not self.allowed(entry.record.type):
                self.ack(entry, dropped=True)
        batch = self.pending[:limit]
        for entry in batch:
            entry.delivered = True
        return [entry.record.payload for entry in batch]

    def drop_pending(self) -> None:
        for entry in list(self.pending):
            self.ack(entry, dropped=True)

    # -- callback queries ---------------------------------------------------------------------

    def new_callback(self, user_id: int, message_id: int, data: str | None) -> CallbackRecord:
        record = CallbackRecord(str(secrets.randbits(62)), user_id, message_id, data)
        self.callbacks[record.id] = record
        return record

