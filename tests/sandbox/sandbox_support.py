"""Shared helpers for the sandbox tests (imported by conftest and the test modules)."""

from __future__ import annotations

from typing import Any

import aiohttp

TOKEN = "123456789:AAsandbox-test-token-aaaaaaaaaaaaaa"


class BotHttp:
    """Calls the Bot API the way a bot would, returning (status, body)."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str = TOKEN) -> None:
        self.session = session
        self.base_url = base_url
        self.token = token

    async def __call__(self, method: str, *, token: str | None = None,
                       data: Any = None, query: dict[str, str] | None = None,
                       **params: Any) -> tuple[int, dict[str, Any]]:
        url = f"{self.base_url}/bot{token or self.token}/{method}"
        if data is not None:
            kwargs: dict[str, Any] = {"data": data}
        elif params:
            kwargs = {"json": params}
        else:
            kwargs = {}
        async with self.session.post(url, params=query, **kwargs) as resp:
            return resp.status, await resp.json()

    async def ok(self, method: str, **params: Any) -> Any:
        status, body = await self(method, **params)
        assert status == 200 and body["ok"], body
        return body["result"]

    async def error(self, method: str, **params: Any) -> tuple[int, str]:
        status, body = await self(method, **params)
        assert not body["ok"], body
        assert set(body) <= {"ok", "error_code", "description", "parameters"}
        assert body["error_code"] == status
        return status, body["description"]
