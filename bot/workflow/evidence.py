"""The content-addressed evidence store: files kept by their SHA-256, outliving Telegram."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from sqlalchemy import bindparam, update
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


_evidence = Evidence.__table__
_RECORD = (
    update(_evidence)
    .where(_evidence.c.id == bindparam("evidence_id"))
    .values(sha256=bindparam("digest"))
)


async def record_blob(session: AsyncSession, evidence_id: int, digest: str) -> bool:
    """One statement. False when the row is gone: its draft was discarded meanwhile."""
    result = await session.execute(_RECORD, {"evidence_id": evidence_id, "digest": digest})
    return bool(result.rowcount)  # type: ignore[attr-defined]
