"""The driver API: JSON over HTTP under ``/driver`` through which tests and the chat page act as
users and observe the bot.

Users act (send text, media, contacts, press buttons, block the bot); each action becomes a
Telegram update for the bot and an event with a sequence number. Observers read chats, long-poll
events, wait until the bot has handled an update, and read the log of the bot's API calls.
"""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from sandbox.botapi import BotApi
from sandbox.driver_http import (
    DriverError,
    content_of,
    driver_errors,
    int_param,
    json_reply,
    known,
    read_body,
)
from sandbox.driver_observe import Observing
from sandbox.formatting import command_entities, utf16_len
from sandbox.media import fake_jpeg, guess_mime, image_size, is_image
from sandbox.records import ChatMessage, SimUser
from sandbox.state import SandboxState

__all__ = ["Driver", "DriverError", "driver_errors"]


class Driver(Observing):
    """Route handlers over the shared state and the Bot API (for photo storage)."""

    def __init__(self, state: SandboxState, api: BotApi) -> None:
        self.state = state
        self.api = api

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/driver/info", self.info),
            web.post("/driver/users", self.create_user),
            web.get("/driver/users", self.list_users),
            web.get("/driver/users/{id}", self.get_user),
            web.post("/driver/users/{id}/text", self.text),
            web.post("/driver/users/{id}/contact", self.contact),
            web.post("/driver/users/{id}/photo", self.photo),
            web.post("/driver/users/{id}/document", self.document),
            web.post("/driver/users/{id}/voice", self.voice),
            web.post("/driver/users/{id}/sticker", self.sticker),
            web.post("/driver/users/{id}/press", self.press),
            web.get("/driver/users/{id}/chat", self.chat),
            web.post("/driver/users/{id}/block", self.block),
            web.post("/driver/users/{id}/unblock", self.unblock),
            web.get("/driver/events", self.events),
            web.get("/driver/updates/{update_id}", self.get_update),
            web.post("/driver/updates/{update_id}/wait", self.wait),
            web.post("/driver/updates/{update_id}/replay", self.replay),
            web.get("/driver/requests", self.requests),
            web.get("/driver/commands", self.commands),
            web.get("/driver/commands/all", self.all_commands),
            web.get("/driver/files/{file_id}", self.file),
            web.post("/driver/reset", self.reset),
            web.get("/driver/flood", self.flood),
            web.post("/driver/flood/inject", self.inject_flood),
        ]

    # -- helpers ------------------------------------------------------------------------------

    def _user(self, request: web.Request) -> SimUser:
        user_id = int_param(request.match_info["id"], "user id")
        return known(self.state.users, user_id,
                      f"unknown user {user_id}; create it with POST /driver/users")

    def _acting(self, request: web.Request) -> SimUser:
        user = self._user(request)
        if user.blocked:
            raise DriverError(409, f"user {user.id} has blocked the bot; POST .../unblock first")
        return user

    def _send(self, user: SimUser, kind: str, content: dict[str, Any],
              **view: Any) -> dict[str, Any]:
        """A user message: store it, emit its event, queue the update."""
        user.started = True
        msg = self.state.add_message(user, "user", kind, content, **view)
        record = self.state.enqueue_update(user.id, "message", msg.payload)
        return {"update_id": record.update_id, "message_id": msg.message_id, "seq": msg.seq}

    def _text_message(self, user: SimUser, text: str) -> dict[str, Any]:
        if not text.strip():
            raise DriverError(400, "text must be non-empty")
        if utf16_len(text) > 4096:
            raise DriverError(400, "text is longer than 4096 characters (Telegram would split it)")
        content: dict[str, Any] = {"text": text}
        entities = command_entities(text)
        if entities:
            content["entities"] = entities
        return self._send(user, "text", content, text=text, html=text)

    def _contact_message(self, user: SimUser, phone: str, body: dict[str, Any]
                         ) -> dict[str, Any]:
        if not phone:
            raise DriverError(400, "phone_number is required")
        contact: dict[str, Any] = {
            "phone_number": phone,
            "first_name": body.get("first_name") or user.first_name,
            "user_id": int_param(body.get("user_id", user.id), "user_id"),
        }
        last = body.get("last_name", user.last_name)
        if last:
            contact["last_name"] = last
        if contact["user_id"] == user.id:
            user.phone_number = phone
        return self._send(user, "contact", {"contact": contact}, text=phone,
                          extra={"contact": contact})

    @staticmethod
    def _caption(body: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        caption = body.get("caption")
        if not caption:
            return {}
        if utf16_len(caption) > 1024:
            raise DriverError(400, "caption is longer than 1024 characters")
        content["caption"] = caption
        entities = command_entities(caption)
        if entities:
            content["caption_entities"] = entities
        return {"caption": caption, "caption_html": caption}

    # -- users --------------------------------------------------------------------------------

    async def flood(self, request: web.Request) -> web.Response:
        """The 429s answered so far: in all, and per chat."""
        flood = self.state.flood
        return json_reply({"refused": flood.refused,
                           "by_chat": {str(k): v for k, v in flood.refused_by_chat.items()}})

    async def inject_flood(self, request: web.Request) -> web.Response:
        """Answer the next ``count`` sends with 429 and ``retry_after``, whatever the limits."""
        body = await read_body(request)
        retry_after = int_param(body.get("retry_after", 1), "retry_after")
        count = int_param(body.get("count", 1), "count")
        self.state.flood.inject(retry_after, count)
        return json_reply({"injected": count, "retry_after": retry_after})

    async def info(self, request: web.Request) -> web.Response:
        limits = self.state.flood.limits
        return json_reply({
            "bot": self.state.bot_user(),
            "api_version": self.api.spec.version,
            "base_url": f"{request.scheme}://{request.host}",
            "flood": {"enabled": limits.enabled, "global_rate": limits.global_rate,
                      "global_burst": limits.global_burst, "chat_rate": limits.chat_rate,
                      "chat_burst": limits.chat_burst,
                      "refused": self.state.flood.refused},
            "webhook": self.state.webhook.url if self.state.webhook else None,
            "pending_updates": len(self.state.pending),
            "last_seq": self.state.last_seq,
        })

    async def create_user(self, request: web.Request) -> web.Response:
        body = await read_body(request)
        if "id" not in body:
            raise DriverError(400, "id is required")
        user_id = int_param(body["id"], "id")
        if user_id <= 0:
            raise DriverError(400, "id must be a positive integer (a private chat id)")
        first_name = str(body.get("first_name") or "")
        if not first_name and user_id not in self.state.users:
            raise DriverError(400, "first_name is required")
        user = self.state.upsert_user(
            user_id, first_name,
            last_name=body.get("last_name"), username=body.get("username"),
            language_code=body.get("language_code"), phone_number=body.get("phone_number"),
            started=True if body.get("started") else None,
        )
        return json_reply(user.to_json())

    async def list_users(self, request: web.Request) -> web.Response:
        return json_reply({"users": [u.to_json() for u in self.state.users.values()]})

    async def get_user(self, request: web.Request) -> web.Response:
        return json_reply(self._user(request).to_json())

    # -- user actions -------------------------------------------------------------------------

    async def text(self, request: web.Request) -> web.Response:
        user = self._acting(request)
        body = await read_body(request)
        return json_reply(self._text_message(user, str(body.get("text", ""))))

    async def contact(self, request: web.Request) -> web.Response:
        user = self._acting(request)
        body = await read_body(request)
        phone = str(body.get("phone_number") or "")
        return json_reply(self._contact_message(user, phone, body))

    async def photo(self, request: web.Request) -> web.Response:
        user = self._acting(request)
        body = await read_body(request)
        width = int_param(body.get("width", 1280), "width")
        height = int_param(body.get("height", 960), "height")
        data = content_of(body)
        if data is None:
            data = fake_jpeg(width, height)
        elif not is_image(data):
            raise DriverError(400, "content_b64 is not a JPEG, PNG, GIF, WebP or BMP image")
        else:
            width, height = image_size(data) or (width, height)
        sizes = self.state.add_photo(data, width, height)
        content: dict[str, Any] = {"photo": sizes}
        view = self._caption(body, content)
        return json_reply(self._send(user, "photo", content,
                                     file_id=sizes[-1]["file_id"], **view))

    async def document(self, request: web.Request) -> web.Response:
        user = self._acting(request)
        body = await read_body(request)
        file_name = str(body.get("file_name") or "")
        if not file_name:
            raise DriverError(400, "file_name is required")
        data = content_of(body)
        declared = body.get("size")
        if data is None and declared is None:
            data = (b"%PDF-1.4\n" if file_name.lower().endswith(".pdf") else b"") + bytes(1024)
        mime = str(body.get("mime_type") or guess_mime(file_name))
        size = int_param(declared, "size") if declared is not None else None
        stored = self.state.add_file("document", data, file_name=file_name, mime_type=mime,
                                     size=size)
        doc = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
               "file_name": file_name, "mime_type": mime, "file_size": stored.size}
        content: dict[str, Any] = {"document": doc}
        view = self._caption(body, content)
        return json_reply(self._send(
            user, "document", content, file_id=stored.file_id,
            extra={"file_name": file_name, "mime_type": mime, "file_size": stored.size}, **view))

    async def voice(self, request: web.Request) -> web.Response:
        user = self._acting(request)
        body = await read_body(request)
        duration = int_param(body.get("duration", 3), "duration")
        data = content_of(body) or (b"OggS\x00\x02" + bytes(64 * max(1, duration)))
        stored = self.state.add_file("voice", data, mime_type="audio/ogg")
        voice = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                 "duration": duration, "mime_type": "audio/ogg", "file_size": stored.size}
        content: dict[str, Any] = {"voice": voice}
        view = self._caption(body, content)
        return json_reply(self._send(user, "voice", content, file_id=stored.file_id,
                                     extra={"duration": duration}, **view))

    async def sticker(self, request: web.Request) -> web.Response:
        user = self._acting(request)
        body = await read_body(request)
        emoji = str(body.get("emoji") or "👍")
        stored = self.state.add_file("sticker", b"RIFF\x00\x00\x00\x00WEBPVP8 " + bytes(256),
                                     mime_type="image/webp")
        sticker = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                   "type": "regular", "width": 512, "height": 512, "is_animated": False,
                   "is_video": False, "emoji": emoji, "file_size": stored.size}
        return json_reply(self._send(user, "sticker", {"sticker": sticker},
                                     file_id=stored.file_id, text=emoji,
                                     extra={"emoji": emoji}))

    async def press(self, request: web.Request) -> web.Response:
        user = self._acting(request)
        body = await read_body(request)
        text = body.get("text")
        data = body.get("callback_data", body.get("data"))
        if text is None and data is None:
            raise DriverError(400, "give text or callback_data of the button to press")
        message_id = body.get("message_id")
        if body.get("forge"):
            # A modified client can send any callback data to Telegram, shown or not: the bot
            # must refuse what it never offered; a phone that missed an edit can press a button
            # the bot took away. Attached to the message given, or the newest bot message.
            if data is None:
                raise DriverError(400, "forge needs callback_data")
            if message_id is not None:
                target = self.state.chat_message(user.id, int_param(message_id, "message_id"))
                if target is None or target.sender != "bot":
                    raise DriverError(404, f"no bot message {message_id} in the chat of {user.id}")
            else:
                newest = self.state.newest_bot_messages(user.id)
                if not newest:
                    raise DriverError(404, f"no bot message in the chat of {user.id} to attach to")
                target = newest[0]
            forged = {"text": "", "callback_data": str(data)}
            return json_reply(self._press_inline(user, target, forged, body))

        def find(msg: ChatMessage) -> dict[str, Any] | None:
            for row in msg.inline_keyboard or []:
                for button in row:
                    if (text is None or button.get("text") == text) and (
                            data is None or button.get("callback_data") == data):
                        return button
            return None

        wanted = f"text {text!r}" if data is None else f"callback_data {data!r}"
        if message_id is not None:
            msg = self.state.chat_message(user.id, int_param(message_id, "message_id"))
            if msg is None or msg.sender != "bot":
                raise DriverError(404, f"no bot message {message_id} in the chat of {user.id}")
            button = find(msg)
            if button is None:
                raise DriverError(404, f"message {message_id} has no inline button with {wanted}")
            return json_reply(self._press_inline(user, msg, button, body))
        messages = self.state.newest_bot_messages(user.id)
        if messages and (button := find(messages[0])) is not None:
            return json_reply(self._press_inline(user, messages[0], button, body))
        if data is None:
            for row in self.state.reply_keyboards.get(user.id) or []:
                for cell in row:
                    if cell["text"] == text:
                        return json_reply(self._press_reply(user, cell, body))
        for msg in messages[1:]:
            if (button := find(msg)) is not None:
                return json_reply(self._press_inline(user, msg, button, body))
        raise DriverError(404, f"no inline button with {wanted} in the bot's messages and no "
                               f"reply keyboard button with that text in the chat of {user.id}")

    def _press_reply(self, user: SimUser, cell: dict[str, Any],
                     body: dict[str, Any]) -> dict[str, Any]:
        if cell.get("request_contact"):
            phone = str(body.get("phone_number") or user.phone_number
                        or f"+849{user.id % 100_000_000:08d}")
            return {**self._contact_message(user, phone, {}), "kind": "contact"}
        return {**self._text_message(user, cell["text"]), "kind": "text"}

    def _press_inline(self, user: SimUser, msg: ChatMessage, button: dict[str, Any],
                      body: dict[str, Any]) -> dict[str, Any]:
        if "callback_data" not in button:
            if "url" in button:
                raise DriverError(400, f"button {button['text']!r} opens {button['url']}; "
                                       "nothing is sent to the bot")
            raise DriverError(400, f"button {button['text']!r} is not a callback button")
        user.started = True
        record = self.state.new_callback(user.id, msg.message_id, button["callback_data"])
        event = self.state.add_event("callback_query", user.id, callback_query_id=record.id,
                                     message_id=msg.message_id, data=record.data,
                                     text=button.get("text"))
        query = {"id": record.id, "from": user.telegram_user(), "message": msg.payload,
                 "chat_instance": str(-(user.id * 7919 % 10**12) - 1),
                 "data": record.data}
        update = self.state.enqueue_update(user.id, "callback_query", query)
        return {"update_id": update.update_id, "seq": event["seq"],
                "callback_query_id": record.id, "message_id": msg.message_id,
                "kind": "callback_query"}

    async def chat(self, request: web.Request) -> web.Response:
        return json_reply(self.state.chat_view(self._user(request).id))

    def _member_update(self, user: SimUser, old: str, new: str) -> dict[str, Any]:
        bot = self.state.bot_user()
        member_new: dict[str, Any] = {"status": new, "user": bot}
        if new == "kicked":
            member_new["until_date"] = 0
        payload = {"chat": user.telegram_chat(), "from": user.telegram_user(),
                   "date": int(time.time()), "old_chat_member": {"status": old, "user": bot},
                   "new_chat_member": member_new}
        if old == "kicked":
            payload["old_chat_member"]["until_date"] = 0
        event = self.state.add_event("block" if new == "kicked" else "unblock", user.id)
        record = self.state.enqueue_update(user.id, "my_chat_member", payload)
        return {"update_id": record.update_id, "seq": event["seq"]}

    async def block(self, request: web.Request) -> web.Response:
        user = self._user(request)
        if user.blocked:
            return json_reply({"update_id": None, "seq": self.state.last_seq})
        user.blocked = True
        return json_reply(self._member_update(user, "member", "kicked"))

    async def unblock(self, request: web.Request) -> web.Response:
        user = self._user(request)
        if not user.blocked:
            return json_reply({"update_id": None, "seq": self.state.last_seq})
        user.blocked = False
        return json_reply(self._member_update(user, "kicked", "member"))
