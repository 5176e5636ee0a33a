"""The driver API's observing routes: events, updates and their handling, the bot's API calls,
its command menus, files, and reset. Split from :mod:`sandbox.driver`, whose ``Driver`` holds
them through this mixin and provides ``state`` and ``api``.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from sandbox.botapi_setup import scope_key
from sandbox.driver_http import DriverError, float_param, int_param, json_reply, known, read_body

if TYPE_CHECKING:
    from sandbox.botapi import BotApi
    from sandbox.state import SandboxState


class Observing:
    """What tests and the chat page read of the emulator, and its reset."""

    if TYPE_CHECKING:  # what Driver, which holds this mixin, provides
        state: SandboxState
        api: BotApi

    async def events(self, request: web.Request) -> web.Response:
        after = int_param(request.query.get("after", "0"), "after")
        raw_user = request.query.get("user_id")
        user_id = int_param(raw_user, "user_id") if raw_user else None
        timeout = float_param(request.query.get("timeout"), 0.0)
        loop_time = asyncio.get_running_loop().time
        deadline = loop_time() + timeout
        while True:
            found = self.state.events_after(after, user_id)
            remaining = deadline - loop_time()
            if found or remaining <= 0 or self.state.closing:
                return json_reply({"events": found, "last_seq": self.state.last_seq})
            await self.state.changed.wait(remaining)

    def _record(self, request: web.Request) -> Any:
        update_id = int_param(request.match_info["update_id"], "update_id")
        return known(self.state.updates, update_id, f"unknown update {update_id}")

    async def get_update(self, request: web.Request) -> web.Response:
        record = self._record(request)
        return json_reply({"update": record.payload, "handled": record.handled.is_set(),
                           "dropped": record.dropped})

    async def wait(self, request: web.Request) -> web.Response:
        record = self._record(request)
        timeout = float_param(request.query.get("timeout"), 10.0)
        loop_time = asyncio.get_running_loop().time
        deadline = loop_time() + timeout
        while True:
            if record.handled.is_set():
                return json_reply({"handled": True, "update_id": record.update_id,
                                   "dropped": record.dropped})
            remaining = deadline - loop_time()
            if remaining <= 0 or self.state.closing:
                return json_reply({"handled": False, "update_id": record.update_id},
                                  status=408)
            await self.state.changed.wait(remaining)

    async def replay(self, request: web.Request) -> web.Response:
        record = self._record(request)
        self.state.replay_update(record.update_id)
        return json_reply({"update_id": record.update_id, "seq": self.state.last_seq})

    async def requests(self, request: web.Request) -> web.Response:
        method = request.query.get("method")
        entries = self.state.requests
        if method:
            entries = [e for e in entries if e["method"].lower() == method.lower()]
        return json_reply({"requests": entries})

    async def commands(self, request: web.Request) -> web.Response:
        raw_scope = request.query.get("scope", "default")
        scope = raw_scope
        if raw_scope.startswith("{"):
            try:
                scope = scope_key(json.loads(raw_scope))
            except ValueError:
                raise DriverError(400, "scope is not valid JSON") from None
        lang = request.query.get("language_code", "")
        return json_reply({"scope": scope, "language_code": lang,
                           "commands": self.state.commands.get((scope, lang), [])})

    async def all_commands(self, request: web.Request) -> web.Response:
        return json_reply({"commands": [
            {"scope": scope, "language_code": lang, "commands": cmds}
            for (scope, lang), cmds in self.state.commands.items()
        ]})

    async def file(self, request: web.Request) -> web.Response:
        stored = known(self.state.files, request.match_info["file_id"], "unknown file_id")
        return web.Response(body=stored.content(),
                            content_type=stored.mime_type or "application/octet-stream")

    async def reset(self, request: web.Request) -> web.Response:
        body = await read_body(request)
        await self.api.webhooks.stop()
        self.state.reset(bot_config=bool(body.get("bot_config", False)))
        return json_reply({"ok": True, "last_seq": self.state.last_seq})

