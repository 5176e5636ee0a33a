"""The content-addressed evidence store: files kept by their SHA-256, outliving Telegram."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Evidence

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # Telegram's getFile limit for bots


def blob_path(root: Path, digest: str) -> Path:
    return root / digest[:2] / digest[2:4] / digest


def store_blob(root: Path, data: bytes) -> str:
    """Write once under its digest (atomically); the same content is stored once."""
    digest = hashlib.sha256(data).hexdigest()
    target = blob_path(root, digest)
    if target.exists():
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(temporary, target)
    return digest


async def record_blob(session: AsyncSession, evidence_id: int, digest: str) -> None:
    evidence = await session.get(Evidence, evidence_id)
    if evidence is not None:
        evidence.sha256 = digest
