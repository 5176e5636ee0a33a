"""Which criteria share a screen: consecutive yes/no criteria, as long as one message holds them."""

from __future__ import annotations

from bot.dialogs.nomination.steps import GROUP_MAX_ITEMS, groups_of
from bot.plans.schema import Criterion


def crit(kind: str, n: int, text: str = "Gương mẫu chấp hành") -> Criterion:
    return Criterion(id=f"c{n}", text=text, kind=kind, cite="Mục 1")


def test_yes_no_criteria_in_a_row_share_a_screen() -> None:
    kinds = ["text", "attest", "evidence", "attest", "years", "attest", "number", "attest"]
    criteria = tuple(crit(kind, n) for n, kind in enumerate(kinds))
    runs = [[c.id for c in run] for run in groups_of(criteria)]
    assert runs == [["c0"], ["c1", "c2", "c3"], ["c4"], ["c5"], ["c6"], ["c7"]]


def test_a_group_stays_one_message() -> None:
    many = tuple(crit("attest", n) for n in range(GROUP_MAX_ITEMS + 3))
    assert [len(run) for run in groups_of(many)] == [GROUP_MAX_ITEMS, 3]
    long = tuple(crit("attest", n, text="x" * 900) for n in range(6))
    runs = groups_of(long)
    assert all(sum(len(c.text) for c in run) <= 3200 for run in runs) and len(runs) == 2
