"""Telegram's HTML parse mode: plain text plus entities, and the same refusals as the real server.

Telegram accepts only a handful of tags, requires every tag to be closed in order, and answers
anything else with "can't parse entities". A bot that sends ``a < b`` unescaped works in a naive
fake and fails in production; here it fails in both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import bad_request

_TAG_ENTITY = {
    "b": "bold", "strong": "bold",
    "i": "italic", "em": "italic",
    "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler",
    "a": "text_link",
    "code": "code", "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ATTR_RE = re.compile(r"""\s*([a-zA-Z_-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_ENTITY_RE = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);")
_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?(?=\s|$)")


def utf16_len(text: str) -> int:
    """Entity offsets and lengths are counted in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    tag: str
    start: int  # UTF-16 offset in the output
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Parsed:
    """Result of parsing: the plain text and its entities."""

    text: str
    entities: list[dict[str, Any]]


def _unescape(chunk: str) -> str:
    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        if name.startswith("#x"):
            return chr(int(name[2:], 16))
        if name.startswith("#"):
            return chr(int(name[1:]))
        return _NAMED.get(name, m.group(0))

    return _ENTITY_RE.sub(repl, chunk)


def parse_html(source: str) -> Parsed:
    """Parse Telegram HTML into plain text and entities, refusing what Telegram refuses."""
    out: list[str] = []
    pos16 = 0
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i = 0
    n = len(source)
    while i < n:
        lt = source.find("<", i)
        if lt == -1:
            lt = n
        if lt > i:
            chunk = _unescape(source[i:lt])
            out.append(chunk)
            pos16 += utf16_len(chunk)
        if lt >= n:
            break
        offset = len(source[:lt].encode("utf-8"))
        gt = source.find(">", lt)
        if gt == -1:
            raise bad_request(f"can't parse entities: Unclosed start tag at byte offset {offset}")
        inner = source[lt + 1:gt]
        if inner.startswith("/"):
            name = inner[1:].strip().lower()
            if not stack:
                raise bad_request(
                    f'can\'t parse entities: Unexpected end tag at byte offset {offset}')
            top = stack.pop()
            if name != top.tag:
                raise bad_request(
                    f'can\'t parse entities: Unmatched end tag at byte offset {offset}, '
                    f'expected "</{top.tag}>", found "</{name}>"')
            _close(top, pos16, entities)
        else:
            m = re.match(r"[a-zA-Z][a-zA-Z0-9-]*", inner)
            name = m.group(0).lower() if m else ""
            if name not in _TAG_ENTITY:
                raise bad_request(
                    f'can\'t parse entities: Unsupported start tag "{name}" at byte offset '
                    f"{offset}")
            attrs = {
                a.group(1).lower(): _unescape(a.group(2) or a.group(3) or a.group(4) or "")
                for a in _ATTR_RE.finditer(inner[len(name):])
                if a.group(1)
            }
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise bad_request(
                    f'can\'t parse entities: Tag "span" must have class "tg-spoiler" at byte '
                    f"offset {offset}")
            if name == "a" and not attrs.get("href"):
                raise bad_request(f"can't parse entities: Empty href at byte offset {offset}")
            stack.append(_Open(name, pos16, attrs))
        i = gt + 1
    if stack:
        raise bad_request(
            f'can\'t parse entities: Can\'t find end tag corresponding to start tag '
            f'"{stack[-1].tag}"')
    return _strip("".join(out), entities)


def _close(opened: _Open, end16: int, entities: list[dict[str, Any]]) -> None:
    length = end16 - opened.start
    if length <= 0:
        return
    kind = _TAG_ENTITY[opened.tag]
    entity: dict[str, Any] = {"type": kind, "offset": opened.start, "length": length}
    if opened.tag == "a":
        href = opened.attrs["href"]
        if href.startswith("tg://user?id="):
            entity = {"type": "text_mention", "offset": opened.start, "length": length,
                      "user": {"id": int(href.split("=", 1)[1] or 0), "is_bot": False,
                               "first_name": ""}}
        else:
            entity["url"] = href
    elif opened.tag == "blockquote" and "expandable" in opened.attrs:
        entity["type"] = "expandable_blockquote"
    elif opened.tag == "tg-emoji":
        entity["custom_emoji_id"] = opened.attrs.get("emoji-id", "")
    elif opened.tag == "code" and opened.attrs.get("class", "").startswith("language-"):
        # <pre><code class="language-x"> makes the enclosing pre carry the language.
        entity["language"] = opened.attrs["class"][len("language-"):]
    elif opened.tag == "pre" and entities and entities[-1]["type"] == "code" and (
        entities[-1]["offset"], entities[-1]["length"]) == (opened.start, length):
        inner = entities.pop()
        if "language" in inner:
            entity["language"] = inner["language"]
    entities.append(entity)


def _strip(text: str, entities: list[dict[str, Any]]) -> Parsed:
    """Telegram trims surrounding whitespace; entity offsets shift with it."""
    lead = utf16_len(text) - utf16_len(text.lstrip())
    stripped = text.strip()
    total = utf16_len(stripped)
    fixed: list[dict[str, Any]] = []
    for e in entities:
        start = max(0, e["offset"] - lead)
        end = min(total, e["offset"] + e["length"] - lead)
        if end > start:
            fixed.append({**e, "offset": start, "length": end - start})
    fixed.sort(key=lambda e: (e["offset"], -e["length"]))
    return Parsed(stripped, fixed)


def render(text: str, parse_mode: str | None) -> Parsed:
    """Apply a parse mode to a text or caption as the server does before storing it."""
    if parse_mode is None or parse_mode == "":
        return _strip(text, [])
    mode = parse_mode.lower()
    if mode == "html":
        return parse_html(text)
    if mode in ("markdown", "markdownv2"):
        # Accepted but not interpreted: the text is kept verbatim (see docs/sandbox.md).
        return _strip(text, [])
    raise bad_request(f"unsupported parse_mode \"{parse_mode}\"")


def command_entities(text: str) -> list[dict[str, Any]]:
    """A user's "/start args" carries a bot_command entity, as Telegram clients send it."""
    m = _COMMAND_RE.match(text)
    if not m:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(m.group(0))}]
