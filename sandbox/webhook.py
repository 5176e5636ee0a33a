"""Webhook delivery: POST each update to the bot as Telegram does.

Telegram sends a chat's updates one at a time and in order (the next only after the previous was
answered with 2xx), chats in parallel, and retries a failed delivery. A 2xx reply may carry one
Bot API call (JSON or multipart with a ``method`` field), which Telegram executes; so does this.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from sandbox.errors import ApiError
from sandbox.records import QueueEntry, WebhookConfig
from sandbox.spec import Upload
from sandbox.state import SandboxState
from sandbox.wire import read_multipart

log = logging.getLogger(__name__)

Execute = Callable[[str, dict[str, Any], dict[str, Upload]], Awaitable[Any]]
RETRY_DELAYS = (0.1, 0.5, 1.0)
POST_TIMEOUT = 60.0


class WebhookDispatcher:
    """Starts at most one delivery per chat; ``pump`` is called whenever something changed."""

    def __init__(self, state: SandboxState, execute: Execute) -> None:
        self.state = state
        self._execute = execute
        self._tasks: dict[asyncio.Task[None], QueueEntry] = {}
        self._session: aiohttp.ClientSession | None = None
        self.retry_delays: tuple[float, ...] = RETRY_DELAYS

    def pump(self) -> None:
        hook = self.state.webhook
        if hook is None or self.state.closing:
            return
        busy = {e.record.user_id for e in self.state.pending if e.inflight}
        for entry in list(self.state.pending):
            uid = entry.record.user_id
            if entry.inflight or uid in busy:
                continue
            if not self.state.allowed(entry.record.type):
                self.state.ack(entry, dropped=True)
                continue
            entry.inflight = True
            busy.add(uid)
            task = asyncio.get_running_loop().create_task(self._deliver(entry, hook))
            self._tasks[task] = entry
            task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.pop(task, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("webhook delivery crashed", exc_info=task.exception())

    @property
    def pending_deliveries(self) -> int:
        return len(self._tasks)

    async def _deliver(self, entry: QueueEntry, hook: WebhookConfig) -> None:
        attempts = 1 + len(self.retry_delays)
        delivered = False
        for attempt in range(attempts):
            error = await self._post(entry, hook)
            if error is None:
                delivered = True
                break
            hook.last_error_date = int(time.time())
            hook.last_error_message = error
            if attempt < attempts - 1:
                await asyncio.sleep(self.retry_delays[attempt])
        entry.inflight = False
        if delivered:
            self.state.ack(entry)
        elif entry in self.state.pending:
            # Given up: the update is lost, as with Telegram after its retries; not "handled".
            self.state.pending.remove(entry)
            self.state.changed.notify()
        self.pump()

    async def _post(self, entry: QueueEntry, hook: WebhookConfig) -> str | None:
        """One delivery attempt; None on success, else Telegram's style of error message."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=POST_TIMEOUT))
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        try:
            async with self._session.post(
                hook.url, data=json.dumps(entry.record.payload, ensure_ascii=False).encode(),
                headers=headers,
            ) as resp:
                if not 200 <= resp.status < 300:
                    return f"Wrong response from the webhook: {resp.status} {resp.reason}"
                try:
                    await self._reply_call(resp)
                except ApiError:
                    pass  # Telegram does not report errors of a reply call either
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return f"Connection failed: {type(exc).__name__}: {exc}".rstrip(": ")
        return None

    async def _reply_call(self, resp: aiohttp.ClientResponse) -> None:
        """Execute a method returned in the webhook reply, as Telegram does."""
        ctype = resp.content_type
        raw: dict[str, Any] = {}
        uploads: dict[str, Upload] = {}
        if ctype == "application/json":
            try:
                body = json.loads(await resp.read() or b"{}")
            except ValueError:
                return
            if isinstance(body, dict):
                raw = body
        elif ctype.startswith("multipart/"):
            raw, uploads = await read_multipart(aiohttp.MultipartReader(resp.headers,
                                                                        resp.content))
        method = raw.pop("method", None)
        if isinstance(method, str) and method:
            await self._execute(method, raw, uploads)

    async def stop(self) -> None:
        """Cancel deliveries in flight; their updates stay pending (for getUpdates or later)."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for entry in self._tasks.values():
            entry.inflight = False
        await asyncio.gather(*tasks, return_exceptions=True)
        for entry in self.state.pending:
            entry.inflight = False

    async def close(self) -> None:
        await self.stop()
        if self._session is not None:
            await self._session.close()
            self._session = None
