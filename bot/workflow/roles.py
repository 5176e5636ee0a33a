"""Roles a user may hold in a unit, and where each may be held.

Roles come only from invitations issued by someone above; nobody gets a role by saying so.
"""

from __future__ import annotations

from typing import Final

from bot.workflow.kinds import level_of_kind

VILLAGE_HEAD: Final = "village_head"
COMMUNE_OFFICER: Final = "commune_officer"
DISTRICT_REVIEWER: Final = "district_reviewer"
PROVINCE_REVIEWER: Final = "province_reviewer"
CONSULTEE: Final = "consultee"
ADMIN: Final = "admin"

ROLES: Final[tuple[str, ...]] = (
    VILLAGE_HEAD,
    COMMUNE_OFFICER,
    DISTRICT_REVIEWER,
    PROVINCE_REVIEWER,
    CONSULTEE,
    ADMIN,
)

#: The administrative level a role works at; organisations take the level of the unit above.
ROLE_LEVEL: Final[dict[str, str | None]] = {
    VILLAGE_HEAD: "village",
    COMMUNE_OFFICER: "commune",
    DISTRICT_REVIEWER: "district",
    PROVINCE_REVIEWER: "province",
    CONSULTEE: None,  # police, Fatherland Front…: any level
    ADMIN: None,
}

PROPOSER_ROLES: Final = frozenset({VILLAGE_HEAD, COMMUNE_OFFICER})

#: The groups a broadcast's audience is chosen from, in the order they are offered.
AUDIENCES: Final[dict[str, frozenset[str]]] = {
    "village_heads": frozenset({VILLAGE_HEAD}),
    "commune_officers": frozenset({COMMUNE_OFFICER}),
    "reviewers": frozenset({DISTRICT_REVIEWER, PROVINCE_REVIEWER}),
    "consultees": frozenset({CONSULTEE}),
    "everyone": frozenset(ROLES),
}
REVIEWER_ROLES: Final = frozenset({COMMUNE_OFFICER, DISTRICT_REVIEWER, PROVINCE_REVIEWER})


def role_fits_unit(role: str, unit_kind: str, parent_level: str | None) -> bool:
    """Whether ``role`` may be held in a unit of ``unit_kind`` (an organisation: by its parent)."""
    wanted = ROLE_LEVEL[role]
    if wanted is None:
        return role == ADMIN or level_of_kind(unit_kind) is None
    level = level_of_kind(unit_kind) or parent_level
    return level == wanted
