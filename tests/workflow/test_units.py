from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.workflow.units import (
    UnitsFileError,
    admin_home,
    admin_homes,
    ancestors_and_self,
    load_units,
    parse_units_csv,
    subtree,
    unit_by_code,
)
from storage.models import Unit
from tests.statements import statements_sent

DEMO = Path(__file__).resolve().parents[2] / "bot" / "data" / "demo_units.csv"

TREE = """code,name,kind,parent_code
V1,Thôn 1,village,C1
P,Tỉnh Mẫu,province,
C1,Xã Một,commune,P
C2,Xã Hai,commune,P
"""


async def test_loads_children_before_parents_in_file(session: AsyncSession) -> None:
    report = await load_units(session, parse_units_csv(TREE))
    assert (report.created, report.updated, report.unchanged) == (4, 0, 0)
    village = await unit_by_code(session, "V1")
    commune = await unit_by_code(session, "C1")
    assert village is not None and commune is not None
    assert village.parent_id == commune.id
    assert village.path.startswith(commune.path)


async def test_loading_twice_changes_nothing(session: AsyncSession) -> None:
    await load_units(session, parse_units_csv(TREE))
    report = await load_units(session, parse_units_csv(TREE))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 4)
    assert await session.scalar(select(func.count()).select_from(Unit)) == 4


async def test_moving_a_unit_moves_its_subtree(session: AsyncSession) -> None:
    await load_units(session, parse_units_csv(TREE))
    moved = TREE.replace("C1,Xã Một,commune,P", "C1,Xã Một,commune,C2").replace(
        "C2,Xã Hai,commune,P", "C2,Xã Hai,district,P"
    )
    await load_units(session, parse_units_csv(moved))
    c2 = await unit_by_code(session, "C2")
    assert c2 is not None
    codes = [u.code for u in await subtree(session, c2)]
    assert codes == ["C2", "C1", "V1"]


@pytest.mark.parametrize(
    ("csv_text", "expected"),
    [
        ("name,code\n", "line 1: the header must be code,name,kind,parent_code"),
        ("code,name,kind,parent_code\nA,Xã A,hamlet,\n", "line 2: unknown kind 'hamlet'"),
        ("code,name,kind,parent_code\nA,,commune,\n", "line 2: name is empty"),
        ("code,name,kind,parent_code\nA,X,commune\n", "line 2: expected 4 columns, found 3"),
        (
            "code,name,kind,parent_code\nA,X,commune,\nA,Y,commune,\n",
            "line 3: code 'A' already used on line 2",
        ),
        ("code,name,kind,parent_code\nA,X,commune,A\n", "line 2: a unit cannot be its own parent"),
    ],
)
def test_bad_rows_are_refused_with_line_numbers(csv_text: str, expected: str) -> None:
    with pytest.raises(UnitsFileError) as info:
        parse_units_csv(csv_text)
    assert expected in info.value.problems


async def test_unknown_parent_refuses_whole_file(session: AsyncSession) -> None:
    rows = parse_units_csv("code,name,kind,parent_code\nP,Tỉnh,province,\nC,Xã,commune,NOPE\n")
    with pytest.raises(UnitsFileError) as info:
        await load_units(session, rows)
    assert info.value.problems == ["line 3: parent 'NOPE' is neither in the file nor loaded"]
    assert await session.scalar(select(func.count()).select_from(Unit)) == 0


async def test_cycle_is_refused(session: AsyncSession) -> None:
    rows = parse_units_csv("code,name,kind,parent_code\nA,X,commune,B\nB,Y,commune,A\n")
    with pytest.raises(UnitsFileError) as info:
        await load_units(session, rows)
    assert "form a cycle" in info.value.problems[0]


async def test_demo_tree_loads(session: AsyncSession) -> None:
    rows = parse_units_csv(DEMO.read_text(encoding="utf-8"))
    await load_units(session, rows)
    kinds = {u.kind for u in (await session.scalars(select(Unit))).all()}
    assert {
        "province",
        "district",
        "commune",
        "village",
        "police",
        "military",
        "health_station",
        "school",
        "farmers_association",
        "youth_union",
        "womens_union",
        "fatherland_front",
    } <= kinds
    districts = (await session.scalars(select(Unit).where(Unit.kind == "district"))).all()
    communes = (await session.scalars(select(Unit).where(Unit.kind == "commune"))).all()
    assert (len(districts), len(communes)) == (2, 4)


async def test_admin_homes_of_many_units_in_one_query(session: AsyncSession) -> None:
    await load_units(session, parse_units_csv(DEMO.read_text(encoding="utf-8")))
    await session.commit()
    units = (await session.scalars(select(Unit).order_by(Unit.path))).all()
    session.expunge_all()  # none of them in the session: their ancestors must be read
    with statements_sent(session) as statements:
        homes = await admin_homes(session, units)
    assert len(statements) == 1
    for unit in units:  # the same answer as asking unit by unit
        assert homes[unit.id].id == (await admin_home(session, unit)).id
    by_code = {u.code: homes[u.id].code for u in units}
    assert by_code["KT-KR-DRU-HND"] == "KT-KR-DRU"  # a commune body belongs to its commune
    assert by_code["KT-KR-NV"] == "KT-KR"  # a district office to its district
    assert by_code["KT-KR-DRU-T3"] == "KT-KR-DRU-T3"  # a village is administrative itself


async def _demo_village(session: AsyncSession) -> Unit:
    """The demo tree, committed, and one village in it (KT-KR-DRU-T3)."""
    await load_units(session, parse_units_csv(DEMO.read_text(encoding="utf-8")))
    await session.commit()
    village = await session.scalar(select(Unit).where(Unit.code == "KT-KR-DRU-T3"))
    assert village is not None
    return village


async def test_units_the_session_holds_cost_no_query(session: AsyncSession) -> None:
    village = await _demo_village(session)
    session.expunge_all()
    with statements_sent(session) as statements:
        first = [u.code for u in await ancestors_and_self(session, village)]
        again = [u.code for u in await ancestors_and_self(session, village)]
        assert len(statements) == 1  # the second walk up is answered by what the session read
        await session.rollback()  # expires what the session held: read again, not trusted
        after = [u.code for u in await ancestors_and_self(session, village)]
    assert first == again == after == ["KT-KR-DRU-T3", "KT-KR-DRU", "KT-KR", "KT"]
    assert len(statements) == 2


async def test_a_partly_expired_unit_is_read_again(session: AsyncSession) -> None:
    village = await _demo_village(session)
    chain = await ancestors_and_self(session, village)
    session.expire(chain[1], ["name"])  # the commune, in part
    with statements_sent(session) as statements:
        again = await ancestors_and_self(session, village)
    assert len(statements) == 1
    assert again[1].name == "Xã Đăk Ruồng"
