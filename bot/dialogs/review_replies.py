"""What the review dialogs answer, and how a refused decision is said."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.dialogs.review_cards import (
    STATE_LABELS,
)
from bot.dialogs.screen import Notice, Screen
from bot.i18n import N_, _, format_datetime
from bot.workflow import review

REFUSALS = {
    "unknown": N_("There is no such nomination."),
    "not_yours": N_("You cannot act on this nomination: it is not waiting at your level and unit."),
    "reason_needed": N_("A reason is needed."),
    "consultation_pending": N_(
        "The consulted bodies must give their opinion first: press "
        "“Ask for opinions”, then wait for their answers."
    ),
    "no_override": N_("The plan does not let a reviewer pass over a consulted body's objection."),
    "not_shown": N_("The plan does not show this part of the nomination to consulted bodies."),
}


@dataclass
class Reply:
    screens: list[Screen] = field(default_factory=list)
    toast: str | None = None
    outgoing: list[tuple[int, Screen]] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)  # to other people, after the commit


def refusal_text(problem: review.ReviewRefused) -> str:
    details = problem.details
    if problem.reason in ("stale", "moved_on"):
        when = format_datetime(details["at"]) if details.get("at") else ""
        state = _(STATE_LABELS.get(details.get("state", ""), "?"))
        if details.get("by"):
            return _(
                "Already decided by {name} at {when}: now {state}. Nothing was changed."
            ).format(name=details["by"], when=when, state=state)
        return _("This card is out of date: the nomination is now {state}.").format(state=state)
    if problem.reason == "quota_full":
        return _(
            "Not sent on: {unit} may forward at most {max} ({cite}), and {count} already "
            "went beyond this level."
        ).format(**details)
    if problem.reason == "objection":
        return objection_text(details)
    return _(REFUSALS.get(problem.reason, problem.reason))


def objection_text(details: dict[str, Any]) -> str:
    """Who objects and why, and the ways on: the reviewer must not be left at a dead end."""
    lines = [_("It cannot go on from your level while a consulted body objects:")]
    for body, note in details.get("bodies", []):
        lines.append(f"  ⚠️ {body}: {note}" if note else f"  ⚠️ {body}")
    lines.append(
        _(
            "Talk it over with them (they can change their opinion on their card), return it "
            "to the proposer for changes, or reject it."
        )
    )
    if details.get("may_override"):
        lines.append(
            _(
                "The plan lets you send it on anyway: press “Forward despite the objection” "
                "and give your reason, which is recorded."
            )
        )
    return "\n".join(lines)


def refused(problem: review.ReviewRefused) -> Reply:
    """Said twice on purpose: in the chat, and on the button as a toast."""
    text = refusal_text(problem)
    return Reply([Screen(text, edit=False)], toast=text)
