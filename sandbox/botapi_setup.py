"""The Bot API's methods for the bot's own setup in the sandbox: who it is, how it gets updates
(long polling or a webhook) and its command menus. Split from :mod:`sandbox.botapi`, whose
``BotApi`` holds them through this mixin and provides ``state`` and ``webhooks``.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sandbox.errors import ApiError, bad_request
from sandbox.records import WebhookConfig
from sandbox.wire import present

if TYPE_CHECKING:
    from sandbox.state import SandboxState
    from sandbox.webhook import WebhookDispatcher

MAX_POLL_TIMEOUT = 50
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_LANG_RE = re.compile(r"^[a-z]{2}$")


class Described:
    """A result that Telegram accompanies with a ``description`` (setWebhook does)."""

    def __init__(self, result: Any, description: str) -> None:
        self.result = result
        self.description = description


def scope_key(scope: dict[str, Any] | None) -> str:
    """A stable name for a BotCommandScope: "default", "all_private_chats", "chat:42", ..."""
    if not scope:
        return "default"
    key = str(scope.get("type", "default"))
    if "chat_id" in scope:
        key += f":{scope['chat_id']}"
    if "user_id" in scope:
        key += f":{scope['user_id']}"
    return key


class SetupMethods:
    """getMe, logOut, getUpdates, the webhook methods and the command menus."""

    if TYPE_CHECKING:  # what BotApi, which holds this mixin, provides
        state: SandboxState
        webhooks: WebhookDispatcher

    # -- the bot and its updates -------------------------------------------------------------

    async def get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {**self.state.bot_user(), "can_join_groups": True,
                "can_read_all_group_messages": False, "supports_inline_queries": False,
                "can_connect_to_business": False, "has_main_web_app": False}

    async def log_out(self, params: dict[str, Any]) -> bool:
        return True

    async def get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        state = self.state
        if state.webhook is not None:
            raise _webhook_conflict()
        limit = min(100, max(1, params.get("limit", 100)))
        timeout = min(MAX_POLL_TIMEOUT, max(0, params.get("timeout", 0)))
        if "allowed_updates" in params:
            state.allowed_updates = list(params["allowed_updates"]) or None
        state.poll_generation += 1
        generation = state.poll_generation
        state.changed.notify()  # an older long poll must now end with 409
        loop_time = asyncio.get_running_loop().time
        deadline = loop_time() + timeout
        offset = params.get("offset")
        while True:
            if state.poll_generation != generation:
                raise ApiError(409, "Conflict: terminated by other getUpdates request; make sure "
                                    "that only one bot instance is running")
            if state.webhook is not None:
                raise _webhook_conflict()
            updates = state.take_updates(offset, limit)
            # The offset confirms what was there when the request came, as Telegram's does; an
            # update enqueued later under a lower id (a counter started again) is not confirmed.
            offset = None
            remaining = deadline - loop_time()
            if updates or remaining <= 0 or state.closing:
                return updates
            await state.changed.wait(remaining)

    async def set_webhook(self, params: dict[str, Any]) -> Described:
        url = params["url"]
        if not url:
            return await self.delete_webhook(params)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_RE.match(secret):
            raise bad_request("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self.state.drop_pending()
        await self.webhooks.stop()
        allowed = params.get("allowed_updates")
        self.state.webhook = hook = WebhookConfig(
            url=url, secret_token=secret,
            allowed_updates=list(allowed) if allowed else None,
            max_connections=params.get("max_connections", 40),
            ip_address=params.get("ip_address"),
        )
        if allowed is not None:
            self.state.allowed_updates = hook.allowed_updates
        self.state.changed.notify()
        self.webhooks.pump()
        return Described(True, "Webhook was set")

    async def delete_webhook(self, params: dict[str, Any]) -> Described:
        if params.get("drop_pending_updates"):
            self.state.drop_pending()
        if self.state.webhook is None:
            return Described(True, "Webhook is already deleted")
        self.state.webhook = None
        await self.webhooks.stop()
        self.state.changed.notify()
        return Described(True, "Webhook was deleted")

    async def get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        hook = self.state.webhook
        out: dict[str, Any] = {"url": hook.url if hook else "", "has_custom_certificate": False,
                               "pending_update_count": len(self.state.pending)}
        if hook is not None:
            out["max_connections"] = hook.max_connections
            out |= present(ip_address=hook.ip_address, allowed_updates=hook.allowed_updates,
                           last_error_date=hook.last_error_date)
            if hook.last_error_date:
                out["last_error_message"] = hook.last_error_message
        return out

    # -- commands --------------------------------------------------------------------

    @staticmethod
    def _command_key(params: dict[str, Any]) -> tuple[str, str]:
        lang = params.get("language_code") or ""
        if lang and not _LANG_RE.match(lang):
            raise bad_request("invalid language code specified")
        return scope_key(params.get("scope")), lang

    async def set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params["commands"]
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        for c in commands:
            if not _COMMAND_RE.match(c["command"]):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(c["description"].strip()) <= 256:
                raise bad_request("command description is empty or too long")
        key = self._command_key(params)
        if commands:
            self.state.commands[key] = [{"command": c["command"], "description": c["description"]}
                                        for c in commands]
        else:
            self.state.commands.pop(key, None)
        return True

    async def get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return list(self.state.commands.get(self._command_key(params), []))

    async def delete_my_commands(self, params: dict[str, Any]) -> bool:
        self.state.commands.pop(self._command_key(params), None)
        return True


def _webhook_conflict() -> ApiError:
    return ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use "
                         "deleteWebhook to delete the webhook first")

