"""Who is acting: a user with the roles they hold, and the units' places in the tree."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Role:
    role: str
    unit_id: int
    unit_code: str
    unit_name: str
    unit_kind: str
    unit_path: str


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int
    telegram_id: int
    locale: str
    roles: tuple[Role, ...] = field(default=())

    @property
    def role_names(self) -> frozenset[str]:
        return frozenset(r.role for r in self.roles)

    def has(self, *roles: str) -> bool:
        return any(r.role in roles for r in self.roles)

    def holding(self, *roles: str) -> list[Role]:
        return [r for r in self.roles if r.role in roles]

    def covers(self, unit_path: str, *roles: str) -> bool:
        """Whether one of ``roles`` is held at ``unit_path`` or above it in the tree."""
        return any(r.role in roles and unit_path.startswith(r.unit_path) for r in self.roles)
