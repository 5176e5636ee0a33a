"""The driver API's HTTP plumbing: JSON replies, refusals with a reason, reading parameters."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any, TypeVar

from aiohttp import web

from sandbox.wire import dumps

K = TypeVar("K")
V = TypeVar("V")

MAX_WAIT = 120.0


def json_reply(body: Any, *, status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=dumps)


class DriverError(Exception):
    """A refused driver call; rendered as ``{"ok": false, "description": ...}``."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


@web.middleware
async def driver_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    """Turn ``DriverError`` into a JSON body with a clear description."""
    try:
        return await handler(request)
    except DriverError as exc:
        return json_reply({"ok": False, "description": exc.description},
                          status=exc.status)


async def read_body(request: web.Request) -> dict[str, Any]:
    if not request.body_exists:
        return {}
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise DriverError(400, "the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise DriverError(400, "the body must be a JSON object")
    return body


def known(table: Mapping[K, V], key: K, missing: str) -> V:
    """What ``table`` holds under ``key``; a 404 saying ``missing`` where it holds nothing."""
    found = table.get(key)
    if found is None:
        raise DriverError(404, missing)
    return found


def int_param(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DriverError(400, f"{name} must be an integer") from None


def float_param(value: str | None, default: float) -> float:
    if value is None or value == "":
        return default
    try:
        return min(MAX_WAIT, max(0.0, float(value)))
    except ValueError:
        raise DriverError(400, "timeout must be a number") from None


def content_of(body: dict[str, Any]) -> bytes | None:
    raw = body.get("content_b64")
    if raw is None:
        return None
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise DriverError(400, "content_b64 is not valid base64") from None
