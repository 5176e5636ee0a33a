"""What each step of /broadcast shows, and how a typed answer is read against it."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs.plan_names import plan_name, plan_short
from bot.dialogs.screen import Choice, Screen, match_typed, rows_of
from bot.i18n import DISPLAY_TZ, N_, _, get_locale
from bot.plans.schema import Plan
from bot.workflow import broadcasts
from bot.workflow.activations import running_plans_at
from bot.workflow.actor import Actor
from bot.workflow.plans import find_version, parsed
from bot.workflow.roles import AUDIENCES
from bot.workflow.units import children, unit_by_code
from storage.models import Unit

AUDIENCE_LABELS: Final = {
    "village_heads": N_("Village heads"),
    "commune_officers": N_("Commune officers"),
    "reviewers": N_("District and province reviewers"),
    "consultees": N_("Consulted bodies (police, Fatherland Front…)"),
    "everyone": N_("Everyone"),
}


def again(screen: Screen, problem: str) -> Screen:
    return Screen(f"{problem}\n\n{screen.text}", screen.rows, edit=False)


async def unit_options(session: AsyncSession, actor: Actor) -> list[Unit]:
    """The units offered: where the person works, and the units right under each."""
    options: list[Unit] = []
    for home in await broadcasts.home_units(session, actor):
        options.append(home)
        options += await children(session, home.id)
    return options


async def typed_unit(session: AsyncSession, actor: Actor, screen: Screen, text: str) -> Unit | None:
    choice = match_typed(text, screen)
    if choice is not None:
        return await session.get(Unit, int(choice.action.split(":")[2]))
    return await unit_by_code(session, text.strip().upper())


def typed_audiences(text: str) -> list[str]:
    """ "1, 3" or "1 3": the groups by their numbers; empty if it is not only numbers."""
    numbers = re.findall(r"\d+", text)
    if not numbers or re.sub(r"[\d\s,;.]", "", text):
        return []
    keys = list(AUDIENCES)
    picked = [keys[int(n) - 1] for n in numbers if 1 <= int(n) <= len(keys)]
    return list(dict.fromkeys(picked)) if len(picked) == len(numbers) else []


async def plans_at(session: AsyncSession, state: dict[str, Any]) -> list[Plan]:
    """The plans running at the broadcast's unit, that a broadcast may be about."""
    unit = await session.get(Unit, int(state["unit"]))
    if unit is None:
        return []
    today = datetime.now(DISPLAY_TZ).date()
    return [running.plan for running in await running_plans_at(session, unit.path, today)]


async def screen_for(session: AsyncSession, actor: Actor, state: dict[str, Any]) -> Screen:
    step = state.get("step")
    if step == "unit":
        units = await unit_options(session, actor)
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
    if step == "plan":
        plans = await plans_at(session, state)
        lines = [
            _(
                "Which plan is it about? Its proposers will get a button to propose under it. "
                "Tap one or type its number."
            ),
            _("1. No plan"),
        ]
        lines += [
            f"{n}. {plan_name(plan)}, {plan.plan.issuer}" for n, plan in enumerate(plans, start=2)
        ]
        choices = [Choice(_("No plan"), "bc:pl:none")]
        choices += [Choice(plan_short(plan), f"bc:pl:{index}") for index, plan in enumerate(plans)]
        return Screen("\n".join(lines), rows_of(choices), edit=False)
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
    plan_id = state.get("plan")
    if plan_id:
        version = await find_version(session, plan_id)
        title = parsed(version).title_for(get_locale()) if version else plan_id
        lines.append(_("About the plan: {title}").format(title=title))
    if blocked:
        lines.append(
            _("{blocked} of them have blocked the bot and will not get it.").format(blocked=blocked)
        )
    lines += ["", _("Type 1 (or send) to send it, 2 to link it to a plan, or /cancel.")]
    return Screen(
        "\n".join(lines),
        rows_of([Choice(_("Send"), "bc:go"), Choice(_("Link a plan"), "bc:p")]),
        edit=False,
    )
