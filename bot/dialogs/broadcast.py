"""/broadcast: write a notice, choose a unit and who in it, see how many it reaches, send.

The dialog's state is the person's ``pending_action`` (``{"op": "broadcast", …}``): it
survives a restart, and /cancel ends it at any step. Every choice can be typed as well as
tapped: a number, a unit's code, "1, 3" for several groups, "gửi" to send.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from babel.dates import format_timedelta
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs.screen import Choice, Notice, Screen, match_typed, rows_of
from bot.i18n import N_, _, get_locale, use_locale
from bot.outbox.queue import BROADCAST as BROADCAST_PRIORITY
from bot.outbox.queue import Outgoing, write
from bot.workflow import broadcasts
from bot.workflow.actor import Actor
from bot.workflow.broadcasts import BroadcastRefused, Progress
from bot.workflow.roles import AUDIENCES
from bot.workflow.text import fold
from bot.workflow.units import children, unit_by_code
from bot.workflow.users import actor_for
from storage.models import Broadcast, Unit, User

#: The outbox kind of a broadcast message (bot.outbox.render draws it).
BROADCAST: Final = "broadcast"
OP: Final = "broadcast"

AUDIENCE_LABELS: Final = {
    "village_heads": N_("Village heads"),
    "commune_officers": N_("Commune officers"),
    "reviewers": N_("District and province reviewers"),
    "consultees": N_("Consulted bodies (police, Fatherland Front…)"),
    "everyone": N_("Everyone"),
}

REFUSALS: Final = {
    "outside": N_("That unit is outside what you may broadcast to."),
    "nobody": N_("Nobody holds those roles there: nothing to send."),
    "empty": N_("The notice is empty. Please write its text."),
    "too_long": N_("That is too long: at most 3500 characters. Please shorten it."),
    "no_audience": N_("Choose at least one group."),
    "not_yours": N_("Only who sent it, or an administrator above, can stop it."),
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
    screen = await _screen(session, actor, state)
    if step == "unit":
        unit = await _typed_unit(session, actor, screen, text)
        if unit is None:
            return Reply([_again(screen, _("Type the number or the code of a unit."))])
        return await _choose_unit(session, actor, user, state, unit)
    if step == "scope":
        choice = match_typed(text, screen)
        if choice is None:
            return Reply([_again(screen, _("Type 1 or 2."))])
        return await pressed(session, actor, user, choice.action)
    if step == "roles":
        picked = _typed_audiences(text)
        if picked:
            state["roles"] = picked
            state["step"] = "confirm"
            user.pending_action = state
            return Reply([await _screen(session, actor, state)])
        choice = match_typed(text, screen)
        if choice is not None:
            return await pressed(session, actor, user, choice.action)
        return Reply([_again(screen, _("Type the numbers of the groups, such as 1, 3."))])
    if step == "confirm":
        if fold(text).strip() in SEND_WORDS:
            return await _send(session, actor, user, state)
        choice = match_typed(text, screen)
        if choice is not None:
            return await pressed(session, actor, user, choice.action)
        return Reply([_again(screen, _("Type 1 to send, or /cancel."))])
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
        return Reply([await _screen(session, actor, state)])
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
        return Reply([await _screen(session, actor, state)])
    if parts[1] == "go" and step == "confirm":
        return await _send(session, actor, user, state)
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
    return Reply([await _screen(session, actor, state)])


async def _choose_unit(
    session: AsyncSession, actor: Actor, user: User, state: dict[str, Any], unit: Unit
) -> Reply:
    if not await broadcasts.may_reach(session, actor, unit):
        screen = await _screen(session, actor, state)
        return Reply([_again(screen, _(REFUSALS["outside"]))])
    state["unit"] = unit.id
    state["step"] = "scope"
    user.pending_action = state
    return Reply([await _screen(session, actor, state)])


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


# --- what each step shows ------------------------------------------------------------------


def _again(screen: Screen, problem: str) -> Screen:
    return Screen(f"{problem}\n\n{screen.text}", screen.rows, edit=False)


async def _unit_options(session: AsyncSession, actor: Actor) -> list[Unit]:
    """The units offered: where the person works, and the units right under each."""
    options: list[Unit] = []
    for home in await broadcasts.home_units(session, actor):
        options.append(home)
        options += await children(session, home.id)
    return options


async def _typed_unit(
    session: AsyncSession, actor: Actor, screen: Screen, text: str
) -> Unit | None:
    choice = match_typed(text, screen)
    if choice is not None:
        return await session.get(Unit, int(choice.action.split(":")[2]))
    return await unit_by_code(session, text.strip().upper())


def _typed_audiences(text: str) -> list[str]:
    """ "1, 3" or "1 3": the groups by their numbers; empty if it is not only numbers."""
    numbers = re.findall(r"\d+", text)
    if not numbers or re.sub(r"[\d\s,;.]", "", text):
        return []
    keys = list(AUDIENCES)
    picked = [keys[int(n) - 1] for n in numbers if 1 <= int(n) <= len(keys)]
    return list(dict.fromkeys(picked)) if len(picked) == len(numbers) else []


async def _screen(session: AsyncSession, actor: Actor, state: dict[str, Any]) -> Screen:
    step = state.get("step")
    if step == "unit":
        units = await _unit_options(session, actor)
        choices = [Choice(f"{u.name} ({u.code})", f"bc:u:{u.id}") for u in units]
        return Screen(
            _(
                "Send it to which unit? Tap one, or type its number or its code (such as {code})."
            ).format(code=units[-1].code if units else "KT"),
            rows_of(choices),
            edit=False,
        )
    unit = await session.get(Unit, int(state["unit"]))
    assert unit is not None
    if step == "scope":
        return Screen(
            _("To {unit}: all of it, or that unit alone?").format(unit=unit.name),
            rows_of(
                [
                    Choice(
                        _("All of {unit} and the units under it").format(unit=unit.name), "bc:s:a"
                    ),
                    Choice(_("{unit} alone").format(unit=unit.name), "bc:s:o"),
                ]
            ),
            edit=False,
        )
    roles = list(state.get("roles") or [])
    if step == "roles":
        choices = [
            Choice(("✓ " if key in roles else "") + _(label), f"bc:r:{key}")
            for key, label in AUDIENCE_LABELS.items()
        ]
        choices.append(Choice(_("Continue ▶"), "bc:r:done", numbered=False))
        return Screen(
            _(
                "Who should receive it? Tap the groups, then Continue; or type their numbers, "
                "such as 1, 3."
            ),
            rows_of(choices),
            edit=False,
        )
    people = await broadcasts.audience(session, unit, bool(state.get("only")), roles)
    blocked = broadcasts.unreachable(people)
    lines = [
        _("Check before sending:"),
        "",
        str(state.get("text", "")),
        "",
        _("To: {unit}").format(
            unit=unit.name
            if state.get("only")
            else _("{unit} and the units under it").format(unit=unit.name)
        ),
        _("Groups: {groups}").format(groups=", ".join(_(AUDIENCE_LABELS[r]) for r in roles)),
        _("Recipients: {count}").format(count=len(people)),
    ]
    if state.get("file"):
        lines.append(_("With one file."))
    if blocked:
        lines.append(
            _("{blocked} of them have blocked the bot and will not get it.").format(blocked=blocked)
        )
    lines += ["", _("Type 1 (or send) to send it, or /cancel.")]
    return Screen(
        "\n".join(lines),
        rows_of([Choice(_("Send"), "bc:go")]),
        edit=False,
    )


# --- what recipients and the sender see -------------------------------------------------------


async def render_broadcast(
    session: AsyncSession, payload: dict[str, Any], locale: str
) -> Screen | None:
    """The notice, headed with who sent it; None once the broadcast was stopped."""
    broadcast = await session.get(Broadcast, int(payload["broadcast"]))
    if broadcast is None or broadcast.state == broadcasts.STOPPED:
        return None
    sender = await session.get(User, broadcast.sender_id) if broadcast.sender_id else None
    with use_locale(locale):
        if sender is not None:
            head = _("📢 Notice from {name} ({unit}):").format(
                name=sender.full_name, unit=await _sender_unit(session, broadcast)
            )
        else:
            head = _("📢 Notice to {unit}:").format(unit=broadcast.unit.name)
    files = ((broadcast.file_kind, broadcast.file_id),) if broadcast.file_id else ()
    return Screen(f"{head}\n\n{broadcast.text}", edit=False, files=files)  # type: ignore[arg-type]


async def _sender_unit(session: AsyncSession, broadcast: Broadcast) -> str:
    """The unit the sender broadcast as: their home unit that holds the audience's unit."""
    sender = await session.get(User, broadcast.sender_id)
    if sender is None:
        return broadcast.unit.name
    actor = await actor_for(session, sender)
    homes = await broadcasts.home_units(session, actor)
    home = next((h for h in homes if broadcast.unit.path.startswith(h.path)), None)
    return home.name if home else broadcast.unit.name


def progress_screen(broadcast: Broadcast, found: Progress, rate: float) -> Screen:
    """The sender's progress message, edited in place until it says done."""
    locale = get_locale()
    lines = [
        _("📢 Broadcast no. {id} to {count} people").format(
            id=broadcast.id, count=broadcast.recipients
        ),
        _("Sent {sent} · failed {failed} · blocked {blocked} · left {left}").format(
            sent=found.sent, failed=found.failed, blocked=found.blocked, left=found.left
        ),
    ]
    if broadcast.state == broadcasts.STOPPED:
        lines.append(_("Stopped: {held} were not sent.").format(held=found.cancelled + found.left))
        return Screen("\n".join(lines), edit=False)
    if found.finished:
        lines.append(_("✅ Done."))
        return Screen("\n".join(lines), edit=False)
    eta = format_timedelta(
        timedelta(seconds=max(1, round(found.left / rate))), threshold=1.5, locale=locale
    )
    lines.append(_("About {time} left.").format(time=eta))
    return Screen(
        "\n".join(lines),
        rows_of([Choice(_("Stop"), f"bc:stop:{broadcast.id}", numbered=False)]),
        edit=False,
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
