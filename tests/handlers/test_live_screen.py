"""Which wizard screen keeps its buttons after an update (bot.handlers.live_screen)."""

from __future__ import annotations

from bot.handlers.live_screen import Shown, left_behind


def test_a_new_screen_with_buttons_replaces_the_current_one() -> None:
    assert left_behind(10, Shown(12, has_buttons=True)) == (10, 12)


def test_the_first_screen_has_nothing_to_replace() -> None:
    assert left_behind(None, Shown(4, has_buttons=True)) == (None, 4)


def test_a_screen_edited_in_place_stays_current() -> None:
    assert left_behind(10, Shown(10, has_buttons=True)) == (None, 10)


def test_a_question_to_type_leaves_no_screen_to_press() -> None:
    assert left_behind(10, Shown(12, has_buttons=False)) == (10, None)
    assert left_behind(10, Shown(10, has_buttons=False)) == (None, None)


def test_an_update_without_a_wizard_screen_changes_nothing() -> None:
    assert left_behind(10, None) == (None, 10)
    assert left_behind(None, None) == (None, None)
