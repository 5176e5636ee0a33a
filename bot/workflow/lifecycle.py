"""The states of a nomination and the only moves between them.

A nomination climbs the plan's review chain one level at a time; ``level`` records where it
stands. Every move is checked here, and nothing moves a nomination any other way.
"""

from __future__ import annotations

from typing import Final

DRAFT: Final = "draft"
SUBMITTED: Final = "submitted"  # waiting for the first level of the chain
UNDER_REVIEW: Final = "under_review"  # forwarded: waiting for the next level
APPROVED: Final = "approved"
RETURNED: Final = "returned"  # back with the proposer, editable, with a reason
REJECTED: Final = "rejected"
WITHDRAWN: Final = "withdrawn"

STATES: Final = (DRAFT, SUBMITTED, UNDER_REVIEW, APPROVED, RETURNED, REJECTED, WITHDRAWN)
EDITABLE: Final = frozenset({DRAFT, RETURNED})
IN_REVIEW: Final = frozenset({SUBMITTED, UNDER_REVIEW})
FINAL: Final = frozenset({APPROVED, REJECTED, WITHDRAWN})
#: States that count toward a unit's quota (proposed and not turned down).
COUNTED: Final = frozenset({SUBMITTED, UNDER_REVIEW, APPROVED})

TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    DRAFT: frozenset({SUBMITTED}),
    RETURNED: frozenset({SUBMITTED, WITHDRAWN}),
    SUBMITTED: frozenset({UNDER_REVIEW, APPROVED, RETURNED, REJECTED, WITHDRAWN}),
    UNDER_REVIEW: frozenset({UNDER_REVIEW, APPROVED, RETURNED, REJECTED, WITHDRAWN}),
    APPROVED: frozenset(),
    REJECTED: frozenset(),
    WITHDRAWN: frozenset(),
}


def can_move(from_state: str, to_state: str) -> bool:
    return to_state in TRANSITIONS.get(from_state, frozenset())
