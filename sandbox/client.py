# The `timeout` arguments here are forwarded to the server's long polls rather than applied
# locally, so asyncio.timeout() is no substitute for them.
# ruff: noqa: ASYNC109
"""A thin async client over the driver API, for tests and benchmarks that play users.

    async with SandboxClient(sandbox.base_url) as client:
        lan = await client.user(1001, "Lan")
        reply = await lan.send("/start")          # waits until the bot handled the update
        assert "Xin chào" in reply.text
        reply = await lan.press("Đề xuất")         # an inline button, by text (or data=...)

"Handled" means the bot confirmed the update (next getUpdates offset, or 2xx from its webhook).
That is the end of the bot's work only if it processes updates sequentially (aiogram:
``handle_as_tasks=False``; webhook: ``handle_in_background=False``); otherwise pass ``settle``.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import aiohttp

Match = str | Callable[[dict[str, Any]], bool]


class SandboxError(RuntimeError):
    """The driver refused a call (unknown user, no such button, ...)."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(f"{status}: {description}")
        self.status = status
        self.description = description


class SandboxTimeout(TimeoutError):
    """The bot did not handle an update, or no matching message came, in time."""


@dataclass
class Sent:
    """What a user action created: the update for the bot and the event's sequence number."""

    update_id: int | None
    seq: int
    message_id: int | None = None
    callback_query_id: str | None = None


@dataclass
class Reply(Sent):
    """A ``Sent`` plus what the bot did after it: new or edited messages, deletions, answers."""

    handled: bool = False
    messages: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)
    callback_answers: list[dict[str, Any]] = field(default_factory=list)
    #: Earlier messages whose buttons the bot took away (editMessageReplyMarkup) meanwhile.
    unbuttoned: list[int] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Plain texts (or captions) of the bot's messages, joined by blank lines."""
        return "\n\n".join(m.get("text") or m.get("caption") or "" for m in self.messages)

    @property
    def last(self) -> dict[str, Any] | None:
        return self.messages[-1] if self.messages else None

    @property
    def buttons(self) -> list[str]:
        """Texts of the inline buttons of the last message that has any."""
        for msg in reversed(self.messages):
            if msg.get("buttons"):
                return [b["text"] for row in msg["buttons"] for b in row]
        return []

    def absorb(self, events: list[dict[str, Any]]) -> None:
        """Fold driver events into messages (edits applied in place), deletions and answers."""
        by_id = {m["message_id"]: i for i, m in enumerate(self.messages)}
        for event in events:
            kind = event["type"]
            if kind in ("message", "edit") and event["message"]["from"] == "bot":
                view = event["message"]
                if event.get("markup_only") and view["message_id"] not in by_id:
                    if not view["buttons"]:  # an older screen put out of reach: not a reply
                        self.unbuttoned.append(view["message_id"])
                    continue
                if view["message_id"] in by_id:
                    self.messages[by_id[view["message_id"]]] = view
                else:
                    by_id[view["message_id"]] = len(self.messages)
                    self.messages.append(view)
            elif kind == "delete":
                self.deleted.append(event["message_id"])
                if event["message_id"] in by_id:
                    self.messages = [m for m in self.messages
                                     if m["message_id"] != event["message_id"]]
                    by_id = {m["message_id"]: i for i, m in enumerate(self.messages)}
            elif kind == "callback_answer":
                self.callback_answers.append(event["callback_answer"])


def _matches(match: Match, view: dict[str, Any]) -> bool:
    if callable(match):
        return bool(match(view))
    return match in (view.get("text") or "") or match in (view.get("caption") or "")


class SandboxClient:
    """Driver API client; ``timeout`` bounds waits, ``settle`` adds a quiet period after one."""

    def __init__(self, base_url: str, *, session: aiohttp.ClientSession | None = None,
                 timeout: float = 10.0, settle: float = 0.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.settle = settle
        self._session = session
        self._own_session = session is None

    async def __aenter__(self) -> SandboxClient:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def _call(self, method: str, path: str, *, json: Any = None,
                    params: dict[str, Any] | None = None, accept: tuple[int, ...] = (200,)
                    ) -> tuple[int, Any]:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        query = {k: str(v) for k, v in (params or {}).items() if v is not None}
        async with self._session.request(method, self.base_url + path, json=json,
                                         params=query) as resp:
            body = await resp.json(content_type=None)
            if resp.status not in accept:
                description = body.get("description") if isinstance(body, dict) else body
                raise SandboxError(resp.status, str(description))
            return resp.status, body

    # -- users and server ---------------------------------------------------------------------

    async def user(self, id: int, first_name: str = "Người dùng", *,
                   language_code: str | None = "vi", last_name: str | None = None,
                   username: str | None = None, phone_number: str | None = None,
                   started: bool = False) -> SimUser:
        """Create (or fetch) a simulated user; ``started`` lets the bot write first."""
        _, data = await self._call("POST", "/driver/users", json={
            "id": id, "first_name": first_name, "language_code": language_code,
            "last_name": last_name, "username": username, "phone_number": phone_number,
            "started": started,
        })
        return SimUser(self, data)

    async def users(self) -> list[dict[str, Any]]:
        return (await self._call("GET", "/driver/users"))[1]["users"]

    async def info(self) -> dict[str, Any]:
        return (await self._call("GET", "/driver/info"))[1]

    async def flood_refusals(self) -> int:
        """How many 429s the emulator has answered since it started (or was reset)."""
        return int((await self._call("GET", "/driver/flood"))[1]["refused"])

    async def inject_flood(self, retry_after: int, count: int = 1) -> None:
        """Answer the bot's next ``count`` sends with 429 and ``retry_after``."""
        await self._call("POST", "/driver/flood/inject",
                         json={"retry_after": retry_after, "count": count})

    async def requests(self, method: str | None = None) -> list[dict[str, Any]]:
        """The bot's API calls (optionally of one method), oldest first."""
        return (await self._call("GET", "/driver/requests", params={"method": method}))[1][
            "requests"]

    async def commands(self, language_code: str = "", scope: str = "default"
                       ) -> list[dict[str, Any]]:
        """Commands the bot stored with setMyCommands for exactly this scope and language."""
        _, body = await self._call("GET", "/driver/commands",
                                   params={"language_code": language_code, "scope": scope})
        return body["commands"]

    async def reset(self, *, bot_config: bool = False) -> None:
        await self._call("POST", "/driver/reset", json={"bot_config": bot_config})

    async def events(self, after: int = 0, user_id: int | None = None,
                     timeout: float = 0.0) -> list[dict[str, Any]]:
        _, body = await self._call("GET", "/driver/events", params={
            "after": after, "user_id": user_id, "timeout": timeout})
        return body["events"]

    async def wait_handled(self, update_id: int, timeout: float | None = None) -> None:
        """Return once the bot has confirmed ``update_id``; raise ``SandboxTimeout`` if not."""
        status, _ = await self._call(
            "POST", f"/driver/updates/{update_id}/wait",
            params={"timeout": self.timeout if timeout is None else timeout}, accept=(200, 408))
        if status == 408:
            raise SandboxTimeout(f"the bot did not handle update {update_id} in time")

    async def replay(self, update_id: int, *, wait: bool = True,
                     timeout: float | None = None, user_id: int | None = None) -> Reply:
        """Deliver the same update again, as Telegram may after a failed delivery."""
        _, body = await self._call("POST", f"/driver/updates/{update_id}/replay")
        return await self.finish(Sent(update_id, body["seq"]), user_id, wait, timeout)

    async def finish(self, sent: Sent, user_id: int | None, wait: bool,
                     timeout: float | None) -> Reply:
        """Turn a ``Sent`` into a ``Reply``, waiting for the bot first if ``wait``."""
        reply = Reply(sent.update_id, sent.seq, sent.message_id, sent.callback_query_id)
        if not wait or sent.update_id is None:
            return reply
        await self.wait_handled(sent.update_id, timeout)
        reply.handled = True
        events = await self.events(after=sent.seq, user_id=user_id)
        while self.settle > 0:
            last = events[-1]["seq"] if events else sent.seq
            more = await self.events(after=last, user_id=user_id, timeout=self.settle)
            if not more:
                break
            events += more
        reply.absorb(events)
        return reply


class SimUser:
    """One simulated user; every action returns a ``Reply`` (waited for unless ``wait=False``)."""

    def __init__(self, client: SandboxClient, data: dict[str, Any]) -> None:
        self.client = client
        self.id: int = data["id"]
        self.first_name: str = data["first_name"]
        self.language_code: str | None = data.get("language_code")
        self.last_seq = 0
        self.actions = 0  # messages sent and buttons pressed: what a person would count

    def __repr__(self) -> str:
        return f"SimUser(id={self.id}, first_name={self.first_name!r})"

    async def _act(self, path: str, body: dict[str, Any], wait: bool,
                   timeout: float | None) -> Reply:
        self.actions += 1
        _, data = await self.client._call("POST", f"/driver/users/{self.id}/{path}", json=body)
        sent = Sent(data.get("update_id"), data["seq"], data.get("message_id"),
                    data.get("callback_query_id"))
        self.last_seq = sent.seq
        return await self.client.finish(sent, self.id, wait, timeout)

    async def send(self, text: str, *, wait: bool = True, timeout: float | None = None) -> Reply:
        return await self._act("text", {"text": text}, wait, timeout)

    async def contact(self, phone_number: str, *, wait: bool = True,
                      timeout: float | None = None) -> Reply:
        """Share the user's own contact, as a request_contact button does."""
        return await self._act("contact", {"phone_number": phone_number}, wait, timeout)

    async def photo(self, caption: str | None = None, *, content: bytes | None = None,
                    width: int = 1280, height: int = 960, wait: bool = True,
                    timeout: float | None = None) -> Reply:
        body: dict[str, Any] = {"caption": caption, "width": width, "height": height}
        if content is not None:
            body["content_b64"] = base64.b64encode(content).decode()
        return await self._act("photo", body, wait, timeout)

    async def document(self, file_name: str = "tai-lieu.pdf", *, mime_type: str | None = None,
                       content: bytes | None = None, size: int | None = None,
                       caption: str | None = None, wait: bool = True,
                       timeout: float | None = None) -> Reply:
        """Send a file; ``size`` without ``content`` declares a size (e.g. 25 MB) without bytes."""
        body: dict[str, Any] = {"file_name": file_name, "mime_type": mime_type,
                                "caption": caption, "size": size}
        if content is not None:
            body["content_b64"] = base64.b64encode(content).decode()
        return await self._act("document", {k: v for k, v in body.items() if v is not None},
                               wait, timeout)

    async def voice(self, duration: int = 3, *, content: bytes | None = None,
                    wait: bool = True, timeout: float | None = None) -> Reply:
        body: dict[str, Any] = {"duration": duration}
        if content is not None:
            body["content_b64"] = base64.b64encode(content).decode()
        return await self._act("voice", body, wait, timeout)

    async def sticker(self, emoji: str = "👍", *, wait: bool = True,
                      timeout: float | None = None) -> Reply:
        return await self._act("sticker", {"emoji": emoji}, wait, timeout)

    async def press(self, text: str | None = None, data: str | None = None,
                    message_id: int | None = None, *, wait: bool = True,
                    timeout: float | None = None, forge: bool = False) -> Reply:
        """Press an inline button (by text or callback data) or a reply keyboard button.

        ``forge=True`` sends ``data`` as a modified client could, whether or not the bot ever
        showed such a button.
        """
        body = {"text": text, "callback_data": data, "message_id": message_id,
                "forge": True if forge else None}
        return await self._act("press", {k: v for k, v in body.items() if v is not None},
                               wait, timeout)

    async def replay(self, update_id: int, *, wait: bool = True,
                     timeout: float | None = None) -> Reply:
        """Have Telegram deliver one of this user's updates again (same id and payload)."""
        return await self.client.replay(update_id, wait=wait, timeout=timeout, user_id=self.id)

    async def block(self) -> Sent:
        _, data = await self.client._call("POST", f"/driver/users/{self.id}/block")
        return Sent(data["update_id"], data["seq"])

    async def unblock(self) -> Sent:
        _, data = await self.client._call("POST", f"/driver/users/{self.id}/unblock")
        return Sent(data["update_id"], data["seq"])

    async def chat(self) -> dict[str, Any]:
        """The chat as the user sees it (edits applied, deletions gone)."""
        return (await self.client._call("GET", f"/driver/users/{self.id}/chat"))[1]

    async def messages(self) -> list[dict[str, Any]]:
        return (await self.chat())["messages"]

    async def last_bot_message(self) -> dict[str, Any] | None:
        bot = [m for m in await self.messages() if m["from"] == "bot"]
        return bot[-1] if bot else None

    async def buttons(self) -> list[str]:
        """Texts of the inline buttons of the newest bot message."""
        last = await self.last_bot_message()
        return [b["text"] for row in (last or {}).get("buttons", []) for b in row]

    async def reply_keyboard(self) -> list[str] | None:
        rows = (await self.chat())["reply_keyboard"]
        return None if rows is None else [b["text"] for row in rows for b in row]

    async def wait_for(self, match: Match, timeout: float = 5.0, *,
                       after: int | None = None) -> dict[str, Any]:
        """The first bot message or edit after ``after`` (default: this user's last action)
        whose text or caption contains ``match`` (or for which ``match(view)`` is true)."""
        cursor = self.last_seq if after is None else after
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise SandboxTimeout(f"no bot message matching {match!r} within {timeout}s")
            events = await self.client.events(after=cursor, user_id=self.id,
                                              timeout=remaining)
            for event in events:
                cursor = event["seq"]
                view = event.get("message")
                if (event["type"] in ("message", "edit") and view and view["from"] == "bot"
                        and not event.get("markup_only") and _matches(match, view)):
                    return view
