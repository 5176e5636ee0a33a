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


async def test_the_same_buttons_are_taken_away_once() -> None:
    """A person who acts before the new screen is recorded must not cost a refused call."""
    from bot.handlers.live_screen import strip_buttons

    calls: list[tuple[int, int]] = []

    class Bot:  # records the one Bot API call strip_buttons makes
        async def edit_message_reply_markup(self, *, chat_id: int, message_id: int) -> None:
            calls.append((chat_id, message_id))

    bot = Bot()
    await strip_buttons(bot, 7, 70)  # type: ignore[arg-type]
    await strip_buttons(bot, 7, 70)  # type: ignore[arg-type]
    await strip_buttons(bot, 7, 71)  # type: ignore[arg-type]
    assert calls == [(7, 70), (7, 71)]
