"""Judging an answer against a plan's criterion, as the document states it.

Answers are stored as plain JSON, one dict per criterion:
attest/evidence ``{"value": bool}``; number ``{"value": float}``; choice/text
``{"value": str}``; years ``{"years": {"2025": bool, …}}``. Evidence files are counted apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.plans.schema import Criterion


class Verdict(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    AWAITING_EVIDENCE = "awaiting_evidence"
    UNANSWERED = "unanswered"


def judge(criterion: Criterion, answer: dict[str, Any] | None, evidence_count: int = 0) -> Verdict:
    if not answer:
        return Verdict.UNANSWERED
    kind = criterion.kind
    if kind == "years":
        held = answer.get("years") or {}
        if len(held) < (criterion.years or 1):
            return Verdict.UNANSWERED
        return Verdict.MET if all(held.values()) else Verdict.NOT_MET
    if "value" not in answer:
        return Verdict.UNANSWERED
    value = answer["value"]
    if kind == "attest":
        return Verdict.MET if value is True else Verdict.NOT_MET
    if kind == "evidence":
        if value is not True:
            return Verdict.NOT_MET
        if evidence_count < criterion.min_files_required:
            return Verdict.AWAITING_EVIDENCE
        return Verdict.MET
    if kind == "number":
        number = float(value)
        if criterion.min is not None and number < criterion.min:
            return Verdict.NOT_MET
        if criterion.max is not None and number > criterion.max:
            return Verdict.NOT_MET
        return Verdict.MET
    if kind == "choice":
        return Verdict.MET if value in (criterion.accept or []) else Verdict.NOT_MET
    length = len(str(value))
    if criterion.text_min_length <= length <= criterion.text_max_length:
        return Verdict.MET
    return Verdict.NOT_MET


@dataclass(frozen=True, slots=True)
class Finding:
    criterion: Criterion
    verdict: Verdict

    @property
    def blocks(self) -> bool:
        """A required criterion not met (or not finished) makes the nomination ineligible."""
        return self.criterion.required and self.verdict is not Verdict.MET


def findings(
    criteria: list[Criterion], answers: dict[str, Any], evidence_counts: dict[str, int]
) -> list[Finding]:
    return [Finding(c, judge(c, answers.get(c.id), evidence_counts.get(c.id, 0))) for c in criteria]


def eligible(found: list[Finding]) -> bool:
    return not any(f.blocks for f in found)
