"""Counting the SQL statements a piece of code sends: how tests hold a query count down."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession


@contextmanager
def statements_sent(session: AsyncSession) -> Iterator[list[str]]:
    """The statements the session's engine sends inside the block, in order."""
    sent: list[str] = []
    engine = session.bind.sync_engine  # type: ignore[union-attr]

    def listener(*args: Any) -> None:
        sent.append(args[2])

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", listener)
