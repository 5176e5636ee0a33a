"""Reading Bot API calls off the wire in every encoding Telegram accepts.

Telegram takes parameters from the query string, a JSON body, an urlencoded body or a multipart
body (which is what aiogram sends, with objects JSON-encoded into text parts and files as file
parts). The same reader serves webhook replies that carry a method call.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import BodyPartReader, MultipartReader, web

from sandbox.errors import ApiError, bad_request
from sandbox.spec import Upload

MAX_REQUEST_BYTES = 50 * 1024 * 1024  # Telegram's upload limit for bots


def dumps(value: Any) -> str:
    """JSON as Telegram writes it: UTF-8 text, not \\u escapes."""
    return json.dumps(value, ensure_ascii=False, default=str)


async def read_multipart(reader: MultipartReader) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Text parts become parameters, parts with a filename become uploads."""
    raw: dict[str, Any] = {}
    uploads: dict[str, Upload] = {}
    total = 0
    while True:
        part = await reader.next()
        if part is None:
            break
        if not isinstance(part, BodyPartReader):
            raise bad_request("nested multipart bodies are not supported")
        name = part.name or ""
        chunks: list[bytes] = []
        while chunk := await part.read_chunk(256 * 1024):
            total += len(chunk)
            if total > MAX_REQUEST_BYTES:
                raise ApiError(413, "Request Entity Too Large")
            chunks.append(chunk)
        data = b"".join(chunks)
        if part.filename is not None:
            content_type = part.headers.get("Content-Type", "application/octet-stream")
            uploads[name] = Upload(name, part.filename, content_type, data)
        else:
            raw[name] = data.decode(part.get_charset("utf-8"), errors="replace")
    return raw, uploads


async def read_call(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Parameters and uploads of a Bot API HTTP request, whatever its encoding."""
    raw: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.method != "POST" or not request.body_exists:
        return raw, uploads
    ctype = request.content_type
    if ctype == "application/json":
        if request.content_length and request.content_length > MAX_REQUEST_BYTES:
            raise ApiError(413, "Request Entity Too Large")
        try:
            body = json.loads(await request.read() or b"{}")
        except ValueError:
            raise bad_request("can't parse JSON object") from None
        if not isinstance(body, dict):
            raise bad_request("JSON object expected")
        raw.update(body)
    elif ctype == "application/x-www-form-urlencoded":
        form = await request.post()
        raw.update({k: v for k, v in form.items() if isinstance(v, str)})
    elif ctype.startswith("multipart/"):
        more, uploads = await read_multipart(await request.multipart())
        raw.update(more)
    return raw, uploads


def present(**fields: Any) -> dict[str, Any]:
    """The optional fields that are set: Telegram leaves the others out of its objects."""
    return {name: value for name, value in fields.items() if value}
