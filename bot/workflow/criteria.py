"""Judging an answer against a plan's criterion, as the document states it.

Answers are stored as plain JSON, one dict per criterion:
attest/evidence ``{"value": bool}``; number ``{"value": float}``; choice/text
``{"value": str}``; years ``{"years": {"2025": bool, …}}``. Evidence files are counted apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from bot.i18n import DISPLAY_TZ
from bot.plans.schema import Criterion


class Verdict(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    AWAITING_EVIDENCE = "awaiting_evidence"
    UNANSWERED = "unanswered"


def years_asked(criterion: Criterion, today: date) -> list[int]:
    """The last N full years, newest first: titles are awarded at the end of a year."""
    return [today.year - 1 - i for i in range(criterion.years or 1)]


def judge(
    criterion: Criterion,
    answer: dict[str, Any] | None,
    evidence_count: int = 0,
    today: date | None = None,
) -> Verdict:
    """``today`` decides which years a ``years`` criterion asks about (default: today in Vietnam).

    Only those years count: a draft answered in 2026 must answer 2026 again in 2027.
    """
    if not answer:
        return Verdict.UNANSWERED
    kind = criterion.kind
    if kind == "years":
        held = answer.get("years") or {}
        asked = [str(y) for y in years_asked(criterion, today or datetime.now(DISPLAY_TZ).date())]
        if any(year not in held for year in asked):
            return Verdict.UNANSWERED
        return Verdict.MET if all(held[year] for year in asked) else Verdict.NOT_MET
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
    criteria: Sequence[Criterion],
    answers: dict[str, Any],
    evidence_counts: dict[str, int],
    today: date | None = None,
) -> list[Finding]:
    return [
        Finding(c, judge(c, answers.get(c.id), proof_files(c, criteria, evidence_counts), today))
        for c in criteria
    ]


def proof_mates(criterion: Criterion, criteria: Sequence[Criterion]) -> list[Criterion]:
    """The evidence criteria the plan lets one set of files prove (``proof``), itself included."""
    if criterion.kind != "evidence" or not criterion.proof:
        return [criterion]
    return [c for c in criteria if c.kind == "evidence" and c.proof == criterion.proof]


def proof_files(
    criterion: Criterion, criteria: Sequence[Criterion], evidence_counts: dict[str, int]
) -> int:
    """The files that prove a criterion: its own, and those of the criteria it shares them with."""
    return sum(evidence_counts.get(c.id, 0) for c in proof_mates(criterion, criteria))


def eligible(found: list[Finding]) -> bool:
    return not any(f.blocks for f in found)
