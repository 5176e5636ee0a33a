"""Files the bot makes for a person (a chart, an Excel list, a Word report): made off the event
loop (each takes up to a second of CPU), kept under their content's hash so that each is
written once and, by bot.handlers.ui, uploaded once, and sent after the reply's first screen."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
from collections.abc import Callable
from pathlib import Path

from bot.config import Settings
from bot.dialogs.review_replies import Reply
from bot.dialogs.screen import LOCAL_FILE


def keep(data: bytes, directory: Path, stem: str, suffix: str) -> Path:
    """``<stem>-<hash><suffix>`` in ``directory``: named for its reader, unique by content."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{stem}-{hashlib.sha256(data).hexdigest()[:16]}{suffix}"
    if not path.exists():
        path.write_bytes(data)
    return path


async def send_made(
    reply: Reply,
    settings: Settings,
    make: Callable[[], bytes],
    *,
    kind: str,
    folder: str,
    stem: str,
    suffix: str,
    caption: str | None = None,
) -> Reply:
    """``reply`` with the file ``make()`` returns attached to its first screen."""
    if not reply.screens:
        return reply
    data = await asyncio.to_thread(make)
    directory = settings.evidence_dir.parent / folder
    path = await asyncio.to_thread(keep, data, directory, stem, suffix)
    reply.screens[0] = dataclasses.replace(
        reply.screens[0],
        files=((kind, LOCAL_FILE + str(path)),),
        captions=(caption,) if caption else (),
    )
    return reply
