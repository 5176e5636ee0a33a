"""The Bot API methods the sandbox implements, answering as Telegram answers.

Every call goes through ``BotApi.call``: spec validation, the method's own checks (lengths,
markup, chat access, flood limits), the state change, and an entry in the request log that tests
read through the driver. Results are shaped like Telegram's so aiogram parses them unchanged.
This file holds the calls and the message methods; the file methods are in
:mod:`sandbox.botapi_media`, the bot's setup (updates, webhook, menus) in
:mod:`sandbox.botapi_setup`.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from sandbox.botapi_media import MediaMethods
from sandbox.botapi_setup import Described, SetupMethods
from sandbox.errors import ApiError, bad_request
from sandbox.formatting import Parsed, render, utf16_len
from sandbox.records import ChatMessage, SimUser
from sandbox.spec import Spec, Upload
from sandbox.state import SandboxState
from sandbox.webhook import WebhookDispatcher
from sandbox.wire import dumps, read_call

Handler = Callable[[dict[str, Any]], Awaitable[Any]]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200
MAX_LOG = 20_000
NOT_MODIFIED = ("message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message")
CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
})
# Fields of InlineKeyboardButton that are not its action (exactly one other field must be).
_BUTTON_DECOR = frozenset({"text", "icon_custom_emoji_id", "style"})


def _log_value(value: Any) -> Any:
    if isinstance(value, Upload):
        return {"upload": value.filename, "size": len(value.data),
                "content_type": value.content_type}
    return value


class BotApi(MediaMethods, SetupMethods):
    """Method handlers over one ``SandboxState``."""

    def __init__(self, state: SandboxState, spec: Spec) -> None:
        self.state = state
        self.spec = spec
        self._inline_actions = tuple(
            name for name in spec.types["InlineKeyboardButton"].fields if name not in _BUTTON_DECOR)
        self.webhooks = WebhookDispatcher(state, self._execute_reply)
        state.on_update = self.webhooks.pump
        self.handlers: dict[str, Handler] = {
            "getMe": self.get_me,
            "logOut": self.log_out,
            "close": self.log_out,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "sendMessage": self.send_message,
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "sendPhoto": self.send_photo,
            "sendDocument": self.send_document,
            "sendVoice": self.send_voice,
            "getFile": self.get_file,
            "sendChatAction": self.send_chat_action,
        }

    # -- entry points -------------------------------------------------------------------------

    async def handle_http(self, request: web.Request) -> web.Response:
        """Route ``/bot{token}/{method}``."""
        method = request.match_info["method"]
        if request.match_info["token"] != self.state.token:
            self._log(method, {}, 401, "Unauthorized")
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401,
                                     dumps=dumps)
        try:
            raw, uploads = await read_call(request)
        except ApiError as exc:
            self._log(method, {}, exc.code, exc.description)
            return web.json_response(exc.body(), status=exc.code, dumps=dumps)
        status, body = await self.call(method, raw, uploads)
        return web.json_response(body, status=status, dumps=dumps)

    async def call(self, method: str, raw: dict[str, Any],
                   uploads: dict[str, Upload]) -> tuple[int, dict[str, Any]]:
        """Validate and execute one call; returns (HTTP status, Telegram response body)."""
        canonical = self.spec.canonical_method(method)
        entry = self._log(canonical or method, {k: _log_value(v) for k, v in raw.items()},
                          None, None)
        entry["params"].update({k: _log_value(v) for k, v in uploads.items()})
        try:
            if canonical is None:
                raise ApiError(404, "Not Found")
            params = self.spec.validate(canonical, raw, uploads)
            entry["params"] = {k: _log_value(v) for k, v in params.items()}
            handler = self.handlers.get(canonical)
            if handler is None:
                raise bad_request("method not supported by the sandbox")
            result = await handler(params)
        except ApiError as exc:
            entry.update(status=exc.code, ok=False, description=exc.description)
            return exc.code, exc.body()
        body: dict[str, Any] = {"ok": True}
        if isinstance(result, Described):
            body["result"] = result.result
            body["description"] = result.description
        else:
            body["result"] = result
        entry.update(status=200, ok=True)
        return 200, body

    async def _execute_reply(self, method: str, raw: dict[str, Any],
                             uploads: dict[str, Upload]) -> Any:
        return await self.call(method, raw, uploads)

    def _log(self, method: str, params: dict[str, Any], status: int | None,
             description: str | None) -> dict[str, Any]:
        entry: dict[str, Any] = {"method": method, "params": params, "time": time.time(),
                                 "status": status, "ok": status == 200}
        if description:
            entry["description"] = description
        log = self.state.requests
        log.append(entry)
        if len(log) > MAX_LOG:
            del log[: len(log) - MAX_LOG]
        return entry

    # -- shared checks ------------------------------------------------------------------------

    def _flood(self, chat_id: int) -> None:
        retry = self.state.flood.check(chat_id)
        if retry is not None:
            raise ApiError(429, f"Too Many Requests: retry after {retry}", retry_after=retry)

    @staticmethod
    def _text(params: dict[str, Any], key: str, entities_key: str, limit: int,
              too_long: str) -> Parsed:
        source = params.get(key, "")
        if params.get(entities_key) is not None and not params.get("parse_mode"):
            parsed = Parsed(source.strip(), params[entities_key])
        else:
            parsed = render(source, params.get("parse_mode"))
        if utf16_len(parsed.text) > limit:
            raise bad_request(too_long)
        return parsed

    def _message_text(self, params: dict[str, Any]) -> Parsed:
        parsed = self._text(params, "text", "entities", MAX_TEXT, "message is too long")
        if not parsed.text:
            raise bad_request("message text is empty")
        return parsed

    def _caption(self, params: dict[str, Any]) -> Parsed | None:
        if params.get("caption") is None:
            return None
        return self._text(params, "caption", "caption_entities", MAX_CAPTION,
                          "message caption is too long")

    def _inline_keyboard(self, markup: dict[str, Any]) -> list[list[dict[str, Any]]]:
        rows = markup["inline_keyboard"]
        for row in rows:
            for button in row:
                actions = [a for a in self._inline_actions if a in button]
                if not actions:
                    raise bad_request("can't parse inline keyboard button: Text buttons are "
                                      "unallowed in the inline keyboard")
                if len(actions) > 1:
                    raise bad_request("can't parse inline keyboard button: exactly one of "
                                      f"{', '.join(actions)} must be used")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
                    raise bad_request("BUTTON_DATA_INVALID")
                url = button.get("url")
                if url is not None and not _valid_button_url(url):
                    raise bad_request(
                        f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
        return rows

    def _markup(self, markup: dict[str, Any] | None) -> dict[str, Any]:
        """Classify reply_markup; returns {"inline": rows|None, "reply": rows|None, ...}."""
        out: dict[str, Any] = {"inline": None, "reply": None, "remove": False, "force": False}
        if not markup:
            return out
        if "inline_keyboard" in markup:
            out["inline"] = self._inline_keyboard(markup)
        elif "keyboard" in markup:
            rows = []
            for row in markup["keyboard"]:
                cells = []
                for button in row:
                    if not button.get("text"):
                        raise bad_request("can't parse keyboard button: field \"text\" must be "
                                          "non-empty")
                    cells.append({"text": button["text"],
                                  "request_contact": bool(button.get("request_contact"))})
                rows.append(cells)
            out["reply"] = rows
        elif markup.get("remove_keyboard"):
            out["remove"] = True
        elif markup.get("force_reply"):
            out["force"] = True
        return out

    def _apply_reply_markup(self, user: SimUser, markup: dict[str, Any],
                            extra: dict[str, Any]) -> None:
        if markup["reply"] is not None:
            self.state.reply_keyboards[user.id] = markup["reply"]
            extra["reply_keyboard"] = markup["reply"]
        elif markup["remove"]:
            self.state.reply_keyboards[user.id] = None
            extra["remove_keyboard"] = True
        elif markup["force"]:
            extra["force_reply"] = True

    def _reply_to(self, user: SimUser, params: dict[str, Any]) -> ChatMessage | None:
        reply = params.get("reply_parameters") or {}
        message_id = reply.get("message_id", params.get("reply_to_message_id"))
        if message_id is None:
            return None
        target = self.state.chat_message(user.id, message_id)
        allow = reply.get("allow_sending_without_reply",
                          params.get("allow_sending_without_reply", False))
        if target is None and not allow:
            raise bad_request("message to be replied not found")
        return target

    def _bot_message(self, params: dict[str, Any], user: SimUser, kind: str,
                     content: dict[str, Any], **view: Any) -> dict[str, Any]:
        """Common tail of every send*: markup, reply, flood, store, event."""
        markup = self._markup(params.get("reply_markup"))
        target = self._reply_to(user, params)
        self._flood(user.id)
        if markup["inline"] is not None:
            content["reply_markup"] = {"inline_keyboard": markup["inline"]}
        if target is not None:
            content["reply_to_message"] = {k: v for k, v in target.payload.items()
                                           if k != "reply_to_message"}
        extra: dict[str, Any] = dict(view.pop("extra", {}))
        if target is not None:
            extra["reply_to_message_id"] = target.message_id
        self._apply_reply_markup(user, markup, extra)
        msg = self.state.add_message(user, "bot", kind, content, inline_keyboard=markup["inline"],
                                     extra=extra, **view)
        return msg.payload

    def _editable(self, params: dict[str, Any]) -> tuple[SimUser, ChatMessage]:
        if params.get("inline_message_id") is not None:
            raise bad_request("inline messages are not supported by the sandbox")
        if params.get("chat_id") is None:
            raise bad_request("chat_id is empty")
        if params.get("message_id") is None:
            raise bad_request("message identifier is not specified")
        user = self.state.resolve_chat(params["chat_id"])
        msg = self.state.chat_message(user.id, params["message_id"])
        if msg is None:
            raise bad_request("message to edit not found")
        if msg.sender != "bot":
            raise bad_request("message can't be edited")
        return user, msg

    def _edited(self, user: SimUser, msg: ChatMessage, inline: list[list[dict[str, Any]]] | None,
                markup_only: bool = False) -> dict[str, Any]:
        msg.inline_keyboard = inline
        if inline is None:
            msg.payload.pop("reply_markup", None)
        else:
            msg.payload["reply_markup"] = {"inline_keyboard": inline}
        msg.payload["edit_date"] = int(time.time())
        msg.edited = True
        self.state.add_event("edit", user.id, message=msg.view(), markup_only=markup_only)
        return msg.payload

    # -- methods: messages --------------------------------------------------------------------

    async def send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self.state.resolve_chat(params["chat_id"])
        parsed = self._message_text(params)
        content: dict[str, Any] = {"text": parsed.text}
        if parsed.entities:
            content["entities"] = parsed.entities
        if params.get("link_preview_options"):
            content["link_preview_options"] = params["link_preview_options"]
        return self._bot_message(params, user, "text", content, text=parsed.text,
                                 html=params["text"])

    async def edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        user, msg = self._editable(params)
        if msg.kind != "text":
            raise bad_request("there is no text in the message to edit")
        if "text" not in params:
            raise bad_request("message text is empty")
        parsed = self._message_text(params)
        inline = self._markup(params.get("reply_markup"))["inline"]
        if (parsed.text == msg.text and parsed.entities == msg.payload.get("entities", [])
                and inline == msg.inline_keyboard):
            raise bad_request(NOT_MODIFIED)
        self._flood(user.id)
        msg.text, msg.html = parsed.text, params["text"]
        msg.payload["text"] = parsed.text
        if parsed.entities:
            msg.payload["entities"] = parsed.entities
        else:
            msg.payload.pop("entities", None)
        return self._edited(user, msg, inline)

    async def edit_message_caption(self, params: dict[str, Any]) -> dict[str, Any]:
        user, msg = self._editable(params)
        if msg.kind == "text":
            raise bad_request("there is no caption in the message to edit")
        parsed = self._caption(params) or Parsed("", [])
        inline = self._markup(params.get("reply_markup"))["inline"]
        if (parsed.text == (msg.caption or "")
                and parsed.entities == msg.payload.get("caption_entities", [])
                and inline == msg.inline_keyboard):
            raise bad_request(NOT_MODIFIED)
        self._flood(user.id)
        msg.caption = parsed.text or None
        msg.caption_html = params.get("caption")
        for key, value in (("caption", parsed.text), ("caption_entities", parsed.entities)):
            if value:
                msg.payload[key] = value
            else:
                msg.payload.pop(key, None)
        return self._edited(user, msg, inline)

    async def edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        user, msg = self._editable(params)
        inline = self._markup(params.get("reply_markup"))["inline"]
        if inline == msg.inline_keyboard:
            raise bad_request(NOT_MODIFIED)
        self._flood(user.id)
        return self._edited(user, msg, inline, markup_only=True)

    async def delete_message(self, params: dict[str, Any]) -> bool:
        user = self.state.resolve_chat(params["chat_id"])
        chat = self.state.chats[user.id]
        if params["message_id"] not in chat:
            raise bad_request("message to delete not found")
        del chat[params["message_id"]]
        self.state.add_event("delete", user.id, message_id=params["message_id"])
        return True

    async def answer_callback_query(self, params: dict[str, Any]) -> bool:
        record = self.state.callbacks.get(params["callback_query_id"])
        if record is None or record.answered:
            raise bad_request("query is too old and response timeout expired or query ID is "
                              "invalid")
        text = params.get("text")
        if text is not None and len(text) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        record.answered = True
        seq = self.state.next_seq()
        answer = {"callback_query_id": record.id, "text": text,
                  "show_alert": bool(params.get("show_alert", False)),
                  "url": params.get("url"), "seq": seq}
        if record.user_id in self.state.callback_answers:
            self.state.callback_answers[record.user_id].append(answer)
        self.state.add_event("callback_answer", record.user_id, seq=seq, callback_answer=answer)
        return True

    async def send_chat_action(self, params: dict[str, Any]) -> bool:
        self.state.resolve_chat(params["chat_id"])
        if params["action"] not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

def _valid_button_url(url: str) -> bool:
    """Telegram accepts http(s) URLs with a dotted host name, and tg:// links."""
    if url.startswith("tg://"):
        return True
    parts = urlsplit(url if "://" in url else "http://" + url)
    return parts.scheme in ("http", "https") and "." in (parts.hostname or "")
