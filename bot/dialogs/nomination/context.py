"""What every step of the wizard is handed and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs.screen import Notice, Screen
from bot.workflow.actor import Actor

MAX_FILE_BYTES = 20 * 1024 * 1024  # what a bot may download from Telegram

ETHNICITIES = (
    "Kinh", "Ba Na", "Xơ Đăng", "Gia Rai", "Giẻ Triêng", "Brâu", "Rơ Măm", "Ê Đê", "M'Nông",
    "Tày", "Nùng", "Thái", "Mường", "Mông", "Dao", "Khmer",
)  # fmt: skip


@dataclass
class Ctx:
    session: AsyncSession
    actor: Actor
    today: date


@dataclass(frozen=True, slots=True)
class Download:
    """A received file to fetch into the store once its evidence row is committed."""

    evidence_id: int
    file_id: str
    size: int | None


@dataclass
class Reply:
    screens: list[Screen] = field(default_factory=list)
    toast: str | None = None
    downloads: list[Download] = field(default_factory=list)  # to fetch after the commit
    outgoing: list[tuple[int, Screen]] = field(default_factory=list)  # to other people
    notices: list[Notice] = field(default_factory=list)  # to other people, after the commit


@dataclass(frozen=True, slots=True)
class IncomingFile:
    kind: str  # photo | document | voice
    file_id: str
    file_unique_id: str
    file_name: str | None = None
    mime_type: str | None = None
    size: int | None = None
