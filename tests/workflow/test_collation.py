"""Vietnamese alphabetical order, pinned on names that byte order gets wrong."""

from __future__ import annotations

from bot.workflow.collation import vi_key, vi_sorted

# In the order a Vietnamese dictionary gives: a ă â b c d đ e ê … o ô ơ … u ư … y; a tone after
# its bare letter (ngang, huyền, hỏi, ngã, sắc, nặng); small before capital; numbers by value.
TRICKY = [
    "An",
    "Ăn",
    "Ân",
    "Âu",
    "Duy",
    "Dương",
    "Đào",
    "Đinh",
    "En",
    "Ê Đê",
    "Ha",
    "Hà",
    "Hả",
    "Hã",
    "Há",
    "Hạ",
    "hoa",
    "Hoa",
    "Hòa",
    "Hỏa",
    "Ong",
    "Ô Lý",
    "Ôn",
    "Ơn",
    "Thôn 2",
    "Thôn 10",
    "Ung",
    "Uy",
    "Ưng",
    "Ý",  # a shorter name first: "Ý" is "Y" with a tone, and "Y Blơng" goes on
    "Y Blơng",
    "Yên",
]


def test_tricky_names_in_vietnamese_order() -> None:
    shuffled = TRICKY[::-1][1::2] + TRICKY[::-1][::2]
    assert sorted(shuffled, key=vi_key) == TRICKY
    assert sorted(shuffled) != TRICKY  # what code-point order would have given


def test_vi_sorted_orders_by_the_key_and_keeps_the_items() -> None:
    units = [(3, "Xã Đăk Ruồng"), (1, "Xã Tân Lập"), (2, "Xã Dăk Pne")]
    assert vi_sorted(units, key=lambda u: u[1]) == [
        (2, "Xã Dăk Pne"),
        (3, "Xã Đăk Ruồng"),
        (1, "Xã Tân Lập"),
    ]
