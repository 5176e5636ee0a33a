from __future__ import annotations

import pytest

from bot.dialogs.screen import Choice, Screen, match_typed, number_labels, rows_of


def _screen() -> Screen:
    choices = [Choice("Cá nhân", "k:i"), Choice("Hộ gia đình", "k:h"), Choice("Tập thể", "k:c")]
    back = Choice("◀ Quay lại", "nav:back", numbered=False)
    return Screen("?", (*rows_of(choices), (back,)))


@pytest.mark.parametrize(
    ("typed", "action"),
    [
        ("1", "k:i"),
        ("3", "k:c"),
        ("ca nhan", "k:i"),
        ("HỘ GIA ĐÌNH", "k:h"),
        ("tap the", "k:c"),
        ("quay lai", "nav:back"),
        ("2.", "k:h"),
    ],
)
def test_typed_answers_match_choices(typed: str, action: str) -> None:
    choice = match_typed(typed, _screen())
    assert choice is not None and choice.action == action


@pytest.mark.parametrize("typed", ["4", "0", "xyz", ""])
def test_unknown_typed_answer(typed: str) -> None:
    assert match_typed(typed, _screen()) is None


def test_numbers_shown_on_buttons_skip_navigation() -> None:
    labels = [c.label for c in number_labels(_screen().choices)]
    assert labels == ["1. Cá nhân", "2. Hộ gia đình", "3. Tập thể", "◀ Quay lại"]


def test_callback_data_limit() -> None:
    with pytest.raises(ValueError):
        Choice("x", "a" * 65)
    Choice("x", "ư" * 32)  # 64 bytes in UTF-8


def test_a_typed_number_beyond_the_numbered_choices_may_name_a_page_button() -> None:
    pages = Screen(
        "x",
        (
            (Choice("Open", "o:1"),),
            (Choice("·1·", "pg:0", ("1",), False), Choice("2", "pg:1", ("2",), False)),
        ),
    )
    assert match_typed("1", pages) == pages.choices[0]  # a numbered choice comes first
    assert match_typed("2", pages) == pages.choices[2]
    assert match_typed("3", pages) is None
