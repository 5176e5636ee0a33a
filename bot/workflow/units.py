"""The tree of units: loading it from a CSV file and finding places in it.

A file is checked whole before anything is written, so a bad row never leaves half a tree.
Loading is idempotent: the same file twice changes nothing; a changed name, kind or parent is
updated in place, and a moved unit carries its subtree with it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.workflow.collation import vi_sorted
from bot.workflow.kinds import is_known_kind, level_of_kind
from bot.workflow.text import clean_text
from storage.models import Unit

HEADER = ("code", "name", "kind", "parent_code")


@dataclass(frozen=True, slots=True)
class UnitRow:
    line: int
    code: str
    name: str
    kind: str
    parent_code: str | None


class UnitsFileError(ValueError):
    """The file is refused; ``problems`` are "line N: reason" strings."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class LoadReport:
    created: int
    updated: int
    unchanged: int


def parse_units_csv(text: str) -> list[UnitRow]:
    """Parse and check the rows; every problem is reported with its line number."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    problems: list[str] = []
    rows: list[UnitRow] = []
    header = next(reader, None)
    if header is None or tuple(h.strip().lower() for h in header) != HEADER:
        raise UnitsFileError(["line 1: the header must be " + ",".join(HEADER)])
    seen: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(HEADER):
            problems.append(f"line {line}: expected 4 columns, found {len(record)}")
            continue
        try:
            code, name, kind, parent = (clean_text(cell, 255) for cell in record)
        except ValueError:
            problems.append(f"line {line}: a value is longer than 255 characters")
            continue
        if not code or len(code) > 64:
            problems.append(f"line {line}: code must be 1 to 64 characters")
        if not name:
            problems.append(f"line {line}: name is empty")
        if not is_known_kind(kind):
            problems.append(f"line {line}: unknown kind '{kind}'")
        if code in seen:
            problems.append(f"line {line}: code '{code}' already used on line {seen[code]}")
        if parent and parent == code:
            problems.append(f"line {line}: a unit cannot be its own parent")
        seen.setdefault(code, line)
        rows.append(UnitRow(line, code, name, kind, parent or None))
    if problems:
        raise UnitsFileError(problems)
    return rows


async def load_units(session: AsyncSession, rows: list[UnitRow]) -> LoadReport:
    """Upsert the rows into the tree inside the caller's transaction (all or nothing)."""
    existing = {u.code: u for u in (await session.scalars(select(Unit))).all()}
    by_code = {r.code: r for r in rows}
    problems = [
        f"line {r.line}: parent '{r.parent_code}' is neither in the file nor loaded"
        for r in rows
        if r.parent_code and r.parent_code not in by_code and r.parent_code not in existing
    ]
    order = _parents_first(rows, existing, problems)
    if problems:
        raise UnitsFileError(problems)

    created = updated = unchanged = 0
    for row in order:
        parent = existing.get(row.parent_code) if row.parent_code else None
        unit = existing.get(row.code)
        if unit is None:
            unit = Unit(code=row.code, name=row.name, kind=row.kind, parent=parent, path="")
            session.add(unit)
            await session.flush()
            unit.path = f"{parent.path if parent else '/'}{unit.id}/"
            existing[row.code] = unit
            created += 1
            continue
        new_parent_id = parent.id if parent else None
        if (unit.name, unit.kind, unit.parent_id) == (row.name, row.kind, new_parent_id):
            unchanged += 1
            continue
        unit.name, unit.kind = row.name, row.kind
        if unit.parent_id != new_parent_id:
            old_path = unit.path
            unit.parent_id = new_parent_id
            unit.path = f"{parent.path if parent else '/'}{unit.id}/"
            for other in existing.values():
                if other is not unit and other.path.startswith(old_path):
                    other.path = unit.path + other.path[len(old_path) :]
        updated += 1
    await session.flush()
    return LoadReport(created, updated, unchanged)


def _parents_first(
    rows: list[UnitRow], existing: dict[str, Unit], problems: list[str]
) -> list[UnitRow]:
    """Order rows so that a parent is written before its children; refuse cycles."""
    by_code = {r.code: r for r in rows}
    placed: set[str] = set()
    order: list[UnitRow] = []
    for row in rows:
        chain: list[UnitRow] = []
        current: UnitRow | None = row
        while current is not None and current.code not in placed:
            if current in chain:
                problems.append(f"line {row.line}: the parents of '{row.code}' form a cycle")
                return order
            chain.append(current)
            parent = current.parent_code
            current = by_code.get(parent) if parent else None
        for item in reversed(chain):
            placed.add(item.code)
            order.append(item)
    # A parent that stays in the database but moves under one of its own new children:
    for row in rows:
        unit = existing.get(row.code)
        parent = existing.get(row.parent_code or "")
        if unit is not None and parent is not None and parent.path.startswith(unit.path):
            problems.append(f"line {row.line}: '{row.parent_code}' lies below '{row.code}'")
    return order


async def unit_by_code(session: AsyncSession, code: str) -> Unit | None:
    return await session.scalar(select(Unit).where(Unit.code == code))


async def subtree(session: AsyncSession, unit: Unit, *, include_self: bool = True) -> list[Unit]:
    query = select(Unit).where(Unit.path.startswith(unit.path)).order_by(Unit.path)
    units = list((await session.scalars(query)).all())
    return units if include_self else [u for u in units if u.id != unit.id]


async def children(session: AsyncSession, unit_id: int) -> list[Unit]:
    found = await session.scalars(select(Unit).where(Unit.parent_id == unit_id))
    return vi_sorted(found.all(), key=lambda unit: unit.name)


_UNITS_BY_ID = select(Unit).where(Unit.id.in_(bindparam("ids", expanding=True)))
_HELD_UNITS = "units_by_id"


async def units_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, Unit]:
    """The units with these ids; those this session already read cost no query.

    A submission asks for the same chain of units five times over (review stops, reviewers'
    homes, quota owners, the card): the ids come from the materialised path, so only the first
    asking reads. The session keeps them (in ``session.info``, which ends with it) because its
    identity map holds objects weakly. A unit expired (by a rollback, or in part) is read again.
    """
    held: dict[int, Unit] = session.info.setdefault(_HELD_UNITS, {})
    found: dict[int, Unit] = {}
    missing: list[int] = []
    for unit_id in ids:
        unit = held.get(unit_id)
        state = inspect(unit) if unit is not None else None
        if state is not None and unit in session and not state.expired_attributes:
            found[unit_id] = unit
        else:
            missing.append(unit_id)
    if missing:
        for unit in (await session.scalars(_UNITS_BY_ID, {"ids": missing})).all():
            found[unit.id] = held[unit.id] = unit
    return found


async def ancestors_and_self(session: AsyncSession, unit: Unit) -> list[Unit]:
    """The unit and everything above it, nearest first (from its path)."""
    return await ancestors_on_path(session, unit.path)


async def ancestors_on_path(session: AsyncSession, path: str) -> list[Unit]:
    """``ancestors_and_self`` of the unit with this path, read in one query with the unit."""
    ids = ids_in_path(path)
    by_id = await units_by_id(session, ids)
    return [by_id[i] for i in reversed(ids) if i in by_id]


def effective_levels(chain: list[Unit]) -> dict[int, str | None]:
    """Each unit's administrative level; an organisation takes the level of the unit above it.

    ``chain`` is a unit and its ancestors, nearest first.
    """
    levels: dict[int, str | None] = {}
    inherited: str | None = None
    for unit in reversed(chain):
        inherited = level_of_kind(unit.kind) or inherited
        levels[unit.id] = inherited
    return levels


async def admin_home(session: AsyncSession, unit: Unit) -> Unit:
    """The nearest administrative unit at or above ``unit`` (an office's district)."""
    return nearest_admin(await ancestors_and_self(session, unit), unit)


async def admin_homes(session: AsyncSession, units: Iterable[Unit]) -> dict[int, Unit]:
    """``admin_home`` of many units (by unit id) with one query for all their ancestors."""
    units_ = list(units)
    paths = {unit.id: ids_in_path(unit.path) for unit in units_}
    wanted = sorted({i for ids in paths.values() for i in ids})
    known = await units_by_id(session, wanted)
    return {
        unit.id: nearest_admin([known[i] for i in reversed(paths[unit.id]) if i in known], unit)
        for unit in units_
    }


def nearest_admin(chain: list[Unit], unit: Unit) -> Unit:
    """The first administrative unit of ``chain`` (``unit`` and its ancestors, nearest first);
    ``unit`` itself when there is none."""
    return next((u for u in chain if level_of_kind(u.kind) is not None), unit)


def ids_in_path(path: str) -> list[int]:
    """The ids of a unit and everything above it, root first, from its materialised path."""
    return [int(part) for part in path.strip("/").split("/") if part]


async def parent_level(session: AsyncSession, unit: Unit) -> str | None:
    """The administrative level of the nearest administrative ancestor (the unit excluded)."""
    chain = await ancestors_and_self(session, unit)
    return effective_levels(chain[1:])[chain[1].id] if len(chain) > 1 else None
