"""Starting a proposal (which plan), resuming a draft, the list of drafts."""

from __future__ import annotations

from bot.dialogs.nomination import cards
from bot.dialogs.nomination.answers import auto_category
from bot.dialogs.nomination.context import Ctx, Reply
from bot.dialogs.nomination.screens import goto, screen_of, steps_of
from bot.dialogs.nomination.steps import (
    Step,
    first_open,
)
from bot.dialogs.screen import Choice, Screen, rows_of
from bot.i18n import _
from bot.workflow.activations import RunningPlan, running_plans_at
from bot.workflow.actor import Role
from bot.workflow.kinds import level_of_kind
from bot.workflow.lifecycle import DRAFT
from bot.workflow.nominations import (
    discard,
    drafts_of,
    editable,
    set_active,
    start_draft,
)
from bot.workflow.roles import COMMUNE_OFFICER, VILLAGE_HEAD
from storage.models import Nomination, User

# --- starting and resuming -----------------------------------------------------------------


async def propose(ctx: Ctx) -> Reply:
    options = await _plan_options(ctx)
    roles = ctx.actor.holding(VILLAGE_HEAD, COMMUNE_OFFICER)
    if not roles:
        return Reply(
            [Screen(_("Only village heads and commune officers can propose."), edit=False)]
        )
    if not options:
        return Reply(
            [
                Screen(
                    _(
                        "No plan is open for proposals in your unit now. Your commune or "
                        "district will tell you when one opens."
                    ),
                    edit=False,
                )
            ]
        )
    if len(options) == 1:
        role, running = options[0]
        return await _create(ctx, role, running)
    choices = [
        Choice(
            cards.plan_label(running.plan, role, len(roles) > 1),
            f"wp:{running.activation.id}:{index}",
        )
        for index, (role, running) in enumerate(options)
    ]
    text = cards.plan_choice_text([running.plan for _role, running in options])
    return Reply([Screen(text, rows_of(choices), edit=False)])


async def choose_plan(ctx: Ctx, activation_id: int, index: int) -> Reply:
    options = await _plan_options(ctx)
    if 0 <= index < len(options) and options[index][1].activation.id == activation_id:
        role, running = options[index]
        return await _create(ctx, role, running)
    return Reply(toast=_("That plan is no longer open. Type /propose to see the open ones."))


async def propose_in(ctx: Ctx, plan_id: str) -> Reply:
    """``propose`` straight into one plan (a reminder's button names it); the choice of plans
    when this person may propose in it in more than one way, or not at all."""
    options = [option for option in await _plan_options(ctx) if option[1].plan.id == plan_id]
    if len(options) == 1:
        role, running = options[0]
        return await _create(ctx, role, running)
    return await propose(ctx)


async def _plan_options(ctx: Ctx) -> list[tuple[Role, RunningPlan]]:
    options: list[tuple[Role, RunningPlan]] = []
    for role in ctx.actor.holding(VILLAGE_HEAD, COMMUNE_OFFICER):
        running = await running_plans_at(ctx.session, role.unit_path, ctx.today)
        options += [(role, one) for one in running]
    return options


async def _create(ctx: Ctx, role: Role, running: RunningPlan) -> Reply:
    nomination = await start_draft(ctx.session, ctx.actor, role, running)
    plan = running.plan
    if len(plan.subject_kinds()) == 1:
        nomination.subject_kind = plan.subject_kinds()[0]
        auto_category(nomination, plan)
    if level_of_kind(role.unit_kind) == "village":
        nomination.nominee_unit_id = role.unit_id  # a village head proposes people of the village
    reply = await goto(ctx, nomination, None, intro=cards.started(plan))
    # After the first step is set, so that the draft is written once.
    await set_active(ctx.session, ctx.actor.user_id, nomination.id)
    return reply


async def resume(ctx: Ctx, nomination_id: int) -> Reply:
    nomination = await editable(ctx.session, ctx.actor, nomination_id)
    if nomination is None:
        return Reply([Screen(_("That draft is no longer open."), edit=False)])
    await set_active(ctx.session, ctx.actor.user_id, nomination.id)
    steps = steps_of(ctx, nomination)
    keys = [s.key for s in steps]
    current = nomination.step if nomination.step in keys else first_open(steps, nomination).key
    nomination.step = current
    return Reply([await screen_of(ctx, nomination, Step(current), steps)])


async def leave(ctx: Ctx, user: User) -> Screen | None:
    """A new command mid-wizard: the draft stays saved, and the user is told where."""
    if user.active_nomination_id is None:
        return None
    nomination = await ctx.session.get(Nomination, user.active_nomination_id)
    await set_active(ctx.session, ctx.actor.user_id, None)
    user.active_nomination_id = None
    if nomination is None or nomination.state not in (DRAFT, "returned"):
        return None
    return cards.left_saved(nomination)


# --- drafts ---------------------------------------------------------------------------------


async def list_drafts(ctx: Ctx) -> Reply:
    drafts = await drafts_of(ctx.session, ctx.actor.user_id)
    if not drafts:
        return Reply([Screen(_("You have no drafts. Type /propose to start one."), edit=False)])
    lines = [_("Your drafts:")]
    choices: list[Choice] = []
    for number, nomination in enumerate(drafts, start=1):
        steps = steps_of(ctx, nomination)
        lines.append(cards.draft_line(number, nomination, steps))
        choices.append(
            Choice(_("Continue {number}").format(number=number), f"dr:o:{nomination.id}")
        )
        if nomination.state == DRAFT:
            choices.append(
                Choice(
                    _("Delete {number}").format(number=number),
                    f"dr:x:{nomination.id}",
                    numbered=False,
                )
            )
    return Reply([Screen("\n".join(lines), rows_of(choices, per_row=2), edit=False)])


async def drafts_pressed(ctx: Ctx, op: str, nomination_id: int, version: int | None) -> Reply:
    nomination = await editable(ctx.session, ctx.actor, nomination_id)
    if op == "n":
        return Reply([Screen(_("Nothing was deleted."))])
    if nomination is None:
        return Reply(toast=_("That draft is no longer open."))
    if op == "o":
        return await resume(ctx, nomination_id)
    if op == "x":
        return Reply([cards.confirm_discard(nomination)])
    if op == "y" and version == nomination.version:
        name = nomination.nominee.get("name") or _("(no name yet)")
        await discard(ctx.session, ctx.actor, nomination)
        return Reply([Screen(_("The draft for {name} was deleted.").format(name=name))])
    return Reply(toast=_("That screen was out of date; nothing was changed."))
