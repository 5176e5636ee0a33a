"""/broadcast: write a notice, choose a unit and who in it, see how many it reaches, send.

The dialog's state is the person's ``pending_action`` (``{"op": "broadcast", …}``): it
survives a restart, and /cancel ends it at any step. Every choice can be typed as well as
tapped: a number, a unit's code, "1, 3" for several groups, "gửi" to send.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs.broadcast_screens import (
    again,
    plans_at,
    screen_for,
    typed_audiences,
    typed_unit,
)
from bot.dialogs.broadcast_views import BROADCAST
from bot.dialogs.screen import Choice, Notice, Screen, match_typed, rows_of
from bot.i18n import N_, _
from bot.outbox.queue import BROADCAST as BROADCAST_PRIORITY
from bot.outbox.queue import Outgoing, write
from bot.workflow import broadcasts
from bot.workflow.actor import Actor
from bot.workflow.broadcasts import BroadcastRefused
from bot.workflow.roles import AUDIENCES
from bot.workflow.text import fold
from storage.models import Broadcast, Unit, User

OP: Final = "broadcast"


REFUSALS: Final = {
    "outside": N_("That unit is outside what you may broadcast to."),
    "nobody": N_("Nobody holds those roles there: nothing to send."),
    "empty": N_("The notice is empty. Please write its text."),
    "too_long": N_("That is too long: at most 3500 characters. Please shorten it."),
    "no_audience": N_("Choose at least one group."),
    "not_yours": N_("Only who sent it, or an administrator above, can stop it."),
    "unknown_plan": N_("No plan has that id."),
}

SEND_WORDS: Final = frozenset({"gui", "send", "xac nhan", "ok", "dong y"})


@dataclass
class Reply:
    screens: list[Screen] = field(default_factory=list)
    toast: str | None = None
    outgoing: list[tuple[int, Screen]] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)


def _say(text: str, choices: list[Choice] | None = None, per_row: int = 1) -> Reply:
    return Reply([Screen(text, rows_of(choices or [], per_row), edit=False)])


def composing(user: User) -> bool:
    return bool(user.pending_action) and user.pending_action.get("op") == OP  # type: ignore[union-attr]


# --- the steps ------------------------------------------------------------------------------


async def start(session: AsyncSession, actor: Actor, user: User) -> Reply:
    if not await broadcasts.home_units(session, actor):
        return _say(_("Only administrators and reviewers can send a broadcast."))
    user.pending_action = {"op": OP, "step": "text"}
    return _say(
        _(
            "📢 New broadcast. Write the notice (you may send one photo or document with it, "
            "its caption as the text). Type /cancel to stop at any step."
        )
    )


async def typed(session: AsyncSession, actor: Actor, user: User, text: str) -> Reply:
    state = dict(user.pending_action or {})
    step = state.get("step")
    if step == "text":
        return await _got_text(session, actor, user, state, text, None)
    screen = await screen_for(session, actor, state)
    if step == "unit":
        unit = await typed_unit(session, actor, screen, text)
        if unit is None:
            return Reply([again(screen, _("Type the number or the code of a unit."))])
        return await _choose_unit(session, actor, user, state, unit)
    if step == "scope":
        choice = match_typed(text, screen)
        if choice is None:
            return Reply([again(screen, _("Type 1 or 2."))])
        return await pressed(session, actor, user, choice.action)
    if step == "roles":
        picked = typed_audiences(text)
        if picked:
            state["roles"] = picked
            state["step"] = "confirm"
            user.pending_action = state
            return Reply([await screen_for(session, actor, state)])
        choice = match_typed(text, screen)
        if choice is not None:
            return await pressed(session, actor, user, choice.action)
        return Reply([again(screen, _("Type the numbers of the groups, such as 1, 3."))])
    if step == "plan":
        choice = match_typed(text, screen)
        if choice is None:
            return Reply([again(screen, _("Type the number of a plan."))])
        return await pressed(session, actor, user, choice.action)
    if step == "confirm":
        if fold(text).strip() in SEND_WORDS:
            return await _send(session, actor, user, state)
        choice = match_typed(text, screen)
        if choice is not None:
            return await pressed(session, actor, user, choice.action)
        return Reply([again(screen, _("Type 1 to send, or /cancel."))])
    user.pending_action = None
    return _say(_("That broadcast was not found. Type /broadcast to start again."))


async def file_sent(
    session: AsyncSession, actor: Actor, user: User, kind: str, file_id: str, caption: str
) -> Reply:
    state = dict(user.pending_action or {})
    if state.get("step") != "text":
        return _say(_("A file goes with the text, at the first step. Type /cancel to start again."))
    return await _got_text(session, actor, user, state, caption, (kind, file_id))


async def pressed(session: AsyncSession, actor: Actor, user: User, action: str) -> Reply:
    """A button of the dialog (``bc:…``); a stale one does nothing but say so."""
    state = dict(user.pending_action or {})
    parts = action.split(":")
    step = state.get("step")
    if parts[1] == "u" and step == "unit" and parts[2].isdigit():
        unit = await session.get(Unit, int(parts[2]))
        if unit is not None:
            return await _choose_unit(session, actor, user, state, unit)
    if parts[1] == "s" and step == "scope":
        state["only"] = parts[2] == "o"
        state["step"] = "roles"
        state["roles"] = []
        user.pending_action = state
        return Reply([await screen_for(session, actor, state)])
    if parts[1] == "r" and step == "roles":
        if parts[2] == "done":
            if not state.get("roles"):
                return Reply(toast=_(REFUSALS["no_audience"]))
            state["step"] = "confirm"
        elif parts[2] in AUDIENCES:
            roles = list(state.get("roles") or [])
            roles = [r for r in roles if r != parts[2]] if parts[2] in roles else [*roles, parts[2]]
            state["roles"] = roles
        user.pending_action = state
        return Reply([await screen_for(session, actor, state)])
    if parts[1] == "go" and step == "confirm":
        return await _send(session, actor, user, state)
    if parts[1] == "p" and step == "confirm":
        state["step"] = "plan"
        user.pending_action = state
        return Reply([await screen_for(session, actor, state)])
    if parts[1] == "pl" and step == "plan":
        plans = await plans_at(session, state)
        if parts[2] == "none":
            state["plan"] = None
        elif parts[2].isdigit() and int(parts[2]) < len(plans):
            state["plan"] = plans[int(parts[2])].id
        state["step"] = "confirm"
        user.pending_action = state
        return Reply([await screen_for(session, actor, state)])
    return Reply(toast=_("That screen is out of date. Type /broadcast to start again."))


async def _got_text(
    session: AsyncSession,
    actor: Actor,
    user: User,
    state: dict[str, Any],
    text: str,
    file: tuple[str, str] | None,
) -> Reply:
    if file is not None:
        state["file"] = list(file)
    try:
        state["text"] = broadcasts.check_text(text)
    except BroadcastRefused as refused:
        user.pending_action = state  # a file sent without a caption is kept
        if refused.reason == "empty" and file is not None:
            return _say(_("File kept. Now write the text of the notice."))
        return _say(_(REFUSALS[refused.reason]))
    state["step"] = "unit"
    user.pending_action = state
    return Reply([await screen_for(session, actor, state)])


async def _choose_unit(
    session: AsyncSession, actor: Actor, user: User, state: dict[str, Any], unit: Unit
) -> Reply:
    if not await broadcasts.may_reach(session, actor, unit):
        screen = await screen_for(session, actor, state)
        return Reply([again(screen, _(REFUSALS["outside"]))])
    state["unit"] = unit.id
    state["step"] = "scope"
    user.pending_action = state
    return Reply([await screen_for(session, actor, state)])


async def _send(session: AsyncSession, actor: Actor, user: User, state: dict[str, Any]) -> Reply:
    unit = await session.get(Unit, int(state["unit"]))
    if unit is None:
        user.pending_action = None
        return _say(_("That unit is gone. Type /broadcast to start again."))
    file = tuple(state["file"]) if state.get("file") else None
    try:
        broadcast, people = await broadcasts.create(
            session,
            actor,
            unit,
            only_unit=bool(state.get("only")),
            audiences=list(state.get("roles") or []),
            text=str(state.get("text", "")),
            file=file,  # type: ignore[arg-type]
            plan_id=state.get("plan"),
        )
    except BroadcastRefused as refused:
        return _say(_(REFUSALS[refused.reason]))
    await queue(session, broadcast, people)
    user.pending_action = None
    return _say(
        _("Broadcast no. {id} is on its way to {count} people. Its progress follows.").format(
            id=broadcast.id, count=len(people)
        )
    )


async def queue(session: AsyncSession, broadcast: Broadcast, people: list[User]) -> None:
    """One outbox row per person, in the caller's transaction, due now (bulk: after notices)."""
    await write(
        session,
        [
            Outgoing(
                user.id,
                BROADCAST,
                {"broadcast": broadcast.id},
                cause=broadcasts.cause_of(broadcast.id),
                priority=BROADCAST_PRIORITY,
            )
            for user in people
        ],
        due=datetime.now(UTC),
    )


async def stop_pressed(session: AsyncSession, actor: Actor, broadcast_id: int) -> Reply:
    broadcast = await session.get(Broadcast, broadcast_id)
    if broadcast is None:
        return Reply(toast=_("That broadcast was not found."))
    try:
        held = await broadcasts.stop(session, actor, broadcast)
    except BroadcastRefused as refused:
        return Reply(toast=_(REFUSALS[refused.reason]))
    return Reply(toast=_("Stopped: {held} were not sent.").format(held=held))
