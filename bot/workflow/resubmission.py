"""What changed in a nomination since its previous round, for the reviewer of a resubmission.

A return sends a nomination back; its proposer edits it and sends it again. Each submission
keeps a snapshot of the round (``NominationVersion``): the reviewer is shown the difference
between the last two, and the files added since the previous one was sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Evidence, Nomination, NominationVersion


@dataclass
class Changes:
    """Answers as they were (``before``) and are; what is listed differs between the two."""

    before: dict[str, Any]
    nominee: list[str] = field(default_factory=list)  # keys of nominee fields changed
    achievements: bool = False
    criteria: list[str] = field(default_factory=list)  # criterion ids whose answer changed
    files_added: dict[str, int] = field(default_factory=dict)  # by criterion ("" achievements)

    def __bool__(self) -> bool:
        return bool(self.nominee or self.achievements or self.criteria or self.files_added)


def _answer(answers: dict[str, Any], criterion_id: str) -> Any:
    """An answer as the reviewer judges it: its value or years, not when or how it was typed."""
    answer = answers.get(criterion_id) or {}
    return answer.get("value"), answer.get("years")


async def since_last_round(session: AsyncSession, nomination: Nomination) -> Changes | None:
    """None on a first submission; otherwise what changed since the previous round was sent."""
    if nomination.round < 2:
        return None
    rows = await session.scalars(
        select(NominationVersion)
        .where(
            NominationVersion.nomination_id == nomination.id,
            NominationVersion.round.in_((nomination.round - 1, nomination.round)),
        )
        .order_by(NominationVersion.round)
    )
    versions = list(rows.all())
    if len(versions) != 2:
        return None
    previous, current = versions[0], versions[1].snapshot
    before = previous.snapshot
    old_nominee, new_nominee = before.get("nominee") or {}, current.get("nominee") or {}
    old_answers, new_answers = before.get("answers") or {}, current.get("answers") or {}
    changes = Changes(before)
    changes.nominee = [
        key
        for key in sorted(set(old_nominee) | set(new_nominee))
        if old_nominee.get(key) != new_nominee.get(key)
    ]
    changes.achievements = before.get("achievements") != current.get("achievements")
    changes.criteria = [
        cid
        for cid in sorted(set(old_answers) | set(new_answers))
        if _answer(old_answers, cid) != _answer(new_answers, cid)
    ]
    added = await session.execute(
        select(Evidence.criterion_id, func.count(Evidence.id))
        .where(Evidence.nomination_id == nomination.id, Evidence.created_at > previous.created_at)
        .group_by(Evidence.criterion_id)
    )
    changes.files_added = {cid or "": count for cid, count in added.all()}
    return changes
