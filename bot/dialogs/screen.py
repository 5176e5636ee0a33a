"""What a dialog shows: a text and choices, rendered by whatever messenger carries it.

Every choice can also be typed (its number, or its label without diacritics), because Zalo has
no inline buttons and some users find typing "2" easier than aiming at a small button.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from bot.workflow.text import fold

if TYPE_CHECKING:
    from bot.outbox.queue import Outgoing

MAX_CALLBACK_BYTES = 64  # Telegram's limit for callback_data

#: A screen's file given as "file:<path>" is on this machine rather than Telegram's (a
#: broadcast's attachment from the command line); the messenger uploads it.
LOCAL_FILE = "file:"


@dataclass(frozen=True, slots=True)
class Choice:
    """A button; ``action`` is the callback data: ids and a version, never trusted state."""

    label: str
    action: str
    aliases: tuple[str, ...] = ()
    numbered: bool = True  # whether it takes a number a user can type (navigation does not)

    def __post_init__(self) -> None:
        if len(self.action.encode()) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {self.action!r}")


class Notice(Protocol):
    """Messages to other people, kept in the outbox with the update that causes them.

    Whoever carries the dialog writes ``messages()`` into the outbox before the update
    commits, and sends them after; what is drawn for each reader is drawn then (bot.outbox).
    """

    def messages(self) -> list[Outgoing]: ...


@dataclass(frozen=True, slots=True)
class Screen:
    text: str
    rows: tuple[tuple[Choice, ...], ...] = ()
    request_contact: bool = False  # offer a "share my phone number" button
    contact_label: str = ""
    edit: bool = True  # may replace the message whose button was pressed
    # (kind, file id or LOCAL_FILE + path) sent after the text
    files: tuple[tuple[str, str], ...] = field(default=())
    captions: tuple[str, ...] = ()  # one per file (what it shows, whose it is); may be fewer

    @property
    def choices(self) -> list[Choice]:
        return [c for row in self.rows for c in row]

    def numbered(self) -> list[Choice]:
        return [c for c in self.choices if c.numbered]


def page_within(count: int, per_page: int, page: int) -> tuple[int, int]:
    """The page to show (0-based, kept within the pages there are) and how many pages there
    are (at least one): a typed or stale page number past the end shows the last page."""
    pages = max(1, -(-count // per_page))
    return min(max(page, 0), pages - 1), pages


def rows_of(choices: Iterable[Choice], per_row: int = 1) -> tuple[tuple[Choice, ...], ...]:
    items = list(choices)
    return tuple(tuple(items[i : i + per_row]) for i in range(0, len(items), per_row))


def number_labels(choices: Sequence[Choice]) -> list[Choice]:
    """Prefix numbered choices with "1.", "2.", … so the typed number is visible on the button."""
    out: list[Choice] = []
    n = 0
    for c in choices:
        if c.numbered:
            n += 1
            out.append(Choice(f"{n}. {c.label}", c.action, (*c.aliases, c.label), True))
        else:
            out.append(c)
    return out


@lru_cache(maxsize=4096)
def _plain(text: str) -> str:
    """Folded, with symbols (arrows, ticks, emoji) dropped: what a person would type.

    Kept for the labels: a typed answer is compared with every label of its screen, and the
    same labels come back in every draft.
    """
    kept = "".join(ch if ch.isalnum() or ch == " " else " " for ch in fold(text))
    return " ".join(kept.split())


def match_typed(text: str, screen: Screen) -> Choice | None:
    """The choice a typed answer means: its number, its label or an alias (diacritics ignored)."""
    answer = _plain(text)
    if not answer:
        return None
    if answer.isdigit():
        numbered = screen.numbered()
        index = int(answer) - 1
        if 0 <= index < len(numbered):
            return numbered[index]
        # Else a button labelled with the number itself (a page): compared like any label.
    for choice in screen.choices:
        if any(_plain(name) == answer for name in (choice.label, *choice.aliases)):
            return choice
    return None


def screen_to_payload(screen: Screen) -> dict[str, object]:
    """A screen as JSON, to be kept in the outbox until it is sent."""
    return {
        "text": screen.text,
        "rows": [
            [[c.label, c.action, list(c.aliases), c.numbered] for c in row] for row in screen.rows
        ],
        "files": [list(f) for f in screen.files],
        "captions": list(screen.captions),
    }


def screen_from_payload(payload: dict[str, object]) -> Screen:
    rows = payload.get("rows") or []
    files = payload.get("files") or []
    captions = payload.get("captions") or []  # rows kept before captions existed have none
    assert isinstance(rows, list) and isinstance(files, list) and isinstance(captions, list)
    return Screen(
        str(payload.get("text", "")),
        tuple(
            tuple(
                Choice(label, action, tuple(aliases), numbered)
                for label, action, aliases, numbered in row
            )
            for row in rows
        ),
        edit=False,
        files=tuple((str(kind), str(file_id)) for kind, file_id in files),
        captions=tuple(str(c) for c in captions),
    )
