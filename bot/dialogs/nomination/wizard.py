"""The nomination wizard: one step at a time, every answer saved before the reply.

Entry points take a ``Ctx`` (session, actor, today) and return a ``Reply`` of transport-free
screens. Buttons carry ``w:<nomination>:<version>:<op>[:<arg>]``; a version that is not the
draft's current one is a stale screen, and does nothing but say so.

This module takes buttons, typed answers and files; starting and the list of drafts are in
``starting``, what an answer does in ``answers``, moving between steps and their screens in
``screens``, and the types every step shares in ``context``. It exports the entry points of all.
"""

from __future__ import annotations

from bot.dialogs.nomination import cards, group_answers, summary_card
from bot.dialogs.nomination.answers import (
    answer_choice,
    answer_typed,
    answer_years_typed,
    files_done,
    submit_draft,
)
from bot.dialogs.nomination.context import (
    MAX_FILE_BYTES,
    Ctx,
    Download,
    IncomingFile,
    Reply,
)
from bot.dialogs.nomination.group_card import group_of, proof_target
from bot.dialogs.nomination.screens import (
    advance,
    buttons_of,
    goto,
    options_of,
    returned_note,
    screen_of,
    steps_of,
    with_note,
)
from bot.dialogs.nomination.starting import (
    choose_plan,
    drafts_pressed,
    leave,
    list_drafts,
    propose,
    propose_in,
    resume,
)
from bot.dialogs.nomination.steps import (
    ADDING_PROOF,
    EDITING,
    Step,
    criteria_of,
    first_open,
    previous_step,
)
from bot.dialogs.screen import match_typed
from bot.i18n import _
from bot.workflow.criteria import proof_files
from bot.workflow.nominations import (
    editable,
    evidence_counts,
    plan_of,
    set_active,
    touch,
)
from storage.models import Evidence, Nomination, User

__all__ = [
    "Ctx",
    "Download",
    "IncomingFile",
    "Reply",
    "choose_plan",
    "drafts_pressed",
    "leave",
    "list_drafts",
    "press",
    "propose",
    "propose_in",
    "received_file",
    "resume",
    "typed",
]


# --- buttons -------------------------------------------------------------------------------


async def press(ctx: Ctx, nomination_id: int, version: int, op: str, arg: str) -> Reply:
    nomination = await editable(ctx.session, ctx.actor, nomination_id)
    if nomination is None:
        return Reply(toast=_("This draft is no longer open."))
    steps = steps_of(ctx, nomination)
    if version != nomination.version:
        await set_active(ctx.session, ctx.actor.user_id, nomination.id)
        current = Step(nomination.step or first_open(steps, nomination).key)
        reply = Reply([await screen_of(ctx, nomination, current, steps)])
        reply.toast = _(
            "That screen was out of date; nothing was changed. Here is where your draft stands now."
        )
        return reply
    await set_active(ctx.session, ctx.actor.user_id, nomination.id)
    return await _act(ctx, nomination, steps, op, arg)


async def _act(ctx: Ctx, nomination: Nomination, steps: list[Step], op: str, arg: str) -> Reply:
    step = Step(nomination.step or first_open(steps, nomination).key)
    plan = plan_of(nomination)
    if op == "s":  # save and leave
        await set_active(ctx.session, ctx.actor.user_id, None)
        return Reply([cards.saved(nomination)])
    if op == "b":
        before = previous_step(steps, step.key)
        if before is None:
            return Reply(
                [await screen_of(ctx, nomination, step, steps)], toast=_("This is the first step.")
            )
        return await goto(ctx, nomination, before.key, exact=True)
    if op == "e" and arg.isdigit() and int(arg) < len(steps):
        return await goto(ctx, nomination, steps[int(arg)].key, exact=True)
    if op == "m":  # the list of answers to change; "m:e": of the proof steps, to add evidence
        nomination.step = ADDING_PROOF if arg == "e" else EDITING
        counts = await evidence_counts(ctx.session, nomination.id)
        menu = summary_card.edit_menu(nomination, plan, steps, counts, arg == "e")
        return Reply([with_note(returned_note(nomination), menu)])
    if op == "sum":
        return await goto(ctx, nomination, "summary", exact=True)
    if op == "sub":
        return await submit_draft(ctx, nomination)
    if op == "r":  # change the answer: the same question again
        return Reply([await screen_of(ctx, nomination, step, steps)])
    if op == "cat":
        nomination.category_id = None
        touch(nomination)
        return await goto(ctx, nomination, "category", exact=True)
    if op == "k":  # go on despite an unmet criterion
        return await advance(ctx, nomination, step.key)
    if op == "all" and step.prefix == "g":
        return await group_answers.all_met(ctx, nomination, step)
    if op == "one" and step.prefix == "g":
        return await group_answers.one_by_one(ctx, nomination, step)
    if op == "d" and step.prefix == "e":
        return await files_done(ctx, nomination, step)
    if op == "x" and step.prefix == "f" and step.arg == "phone":
        nomination.nominee = {**nomination.nominee, "phone": None}
        touch(nomination)
        return await advance(ctx, nomination, step.key)
    if op == "a" and arg.isdigit():
        options = await options_of(ctx, nomination, plan, step)
        index = int(arg)
        if index < len(options):
            return await answer_choice(ctx, nomination, plan, step, options[index][0])
    return Reply([await screen_of(ctx, nomination, step, steps)])


# --- typed answers and files ---------------------------------------------------------------


async def typed(ctx: Ctx, user: User, text: str) -> Reply | None:
    """A text message while a draft is active; None when no draft is waiting for one."""
    if user.active_nomination_id is None:
        return None
    nomination = await editable(ctx.session, ctx.actor, user.active_nomination_id)
    if nomination is None:
        await set_active(ctx.session, ctx.actor.user_id, None)
        return None
    steps = steps_of(ctx, nomination)
    step = Step(nomination.step or first_open(steps, nomination).key)
    choice = match_typed(text, await buttons_of(ctx, nomination, step, steps))
    if choice is not None and choice.action.startswith("w:"):
        parts = choice.action.split(":")
        return await _act(ctx, nomination, steps, parts[3], parts[4] if len(parts) > 4 else "")
    if step.prefix in TEXT_STEPS or (step.prefix == "f" and step.arg in TEXT_FIELDS):
        return await answer_typed(ctx, nomination, step, steps, text)
    if step.prefix == "f" and step.arg == "ethnicity":
        return await answer_typed(ctx, nomination, step, steps, text)
    if step.prefix == "c" and plan_of(nomination).criterion(step.arg).kind in ("number", "text"):
        return await answer_typed(ctx, nomination, step, steps, text)
    if step.prefix == "y":
        return await answer_years_typed(ctx, nomination, step, steps, text)
    if step.prefix == "g":
        return await group_answers.typed(ctx, nomination, step, steps, text)
    hint = _("Please answer with one of the buttons, or type its number.")
    if step.prefix == "e":
        hint = _("Please send a photo or a document, or press Done.")
    return Reply([with_note(hint, await screen_of(ctx, nomination, step, steps))])


TEXT_STEPS = frozenset({"achievements"})
TEXT_FIELDS = frozenset({"name", "birth_year", "position", "address", "head", "members", "phone"})


async def received_file(ctx: Ctx, user: User, incoming: IncomingFile) -> Reply | None:
    if user.active_nomination_id is None:
        return None
    nomination = await editable(ctx.session, ctx.actor, user.active_nomination_id)
    if nomination is None:
        return None
    steps = steps_of(ctx, nomination)
    step = Step(nomination.step or first_open(steps, nomination).key)
    target = proof_target(group_of(nomination, step)) if step.prefix == "g" else None
    accepts = (
        step.prefix == "e"
        or target is not None
        or (step.prefix == "achievements" and incoming.kind == "voice")
    )
    if not accepts:
        screen = await screen_of(ctx, nomination, step, steps)
        return Reply([with_note(_("I was not expecting a file at this step."), screen)])
    if incoming.size is not None and incoming.size > MAX_FILE_BYTES:
        screen = await screen_of(ctx, nomination, step, steps)
        note = _(
            "This file is too large ({size} MB). A bot can only receive files up to 20 MB: "
            "please send a smaller file or a photo of it."
        ).format(size=round(incoming.size / 1024 / 1024, 1))
        return Reply([with_note(note, screen)])
    evidence = Evidence(
        nomination_id=nomination.id,
        criterion_id=target.id if target else (step.arg if step.prefix == "e" else None),
        kind=incoming.kind,
        file_id=incoming.file_id,
        file_unique_id=incoming.file_unique_id,
        file_name=incoming.file_name,
        mime_type=incoming.mime_type,
        size=incoming.size,
    )
    ctx.session.add(evidence)
    await ctx.session.flush()
    touch(nomination)
    reply = Reply(downloads=[Download(evidence.id, incoming.file_id, incoming.size)])
    if step.prefix == "achievements":
        nomination.nominee = {**nomination.nominee, "voice_note": evidence.id}
        advanced = await advance(ctx, nomination, step.key, note=_("Voice note saved."))
        advanced.downloads = reply.downloads
        return advanced
    screen = await screen_of(ctx, nomination, step, steps_of(ctx, nomination))
    if target is not None:  # the group screen says how many came and what to press next
        note = _("File received. Send more, or press “All met” when done.")
        reply.screens.append(with_note(note, screen))
        return reply
    criterion = plan_of(nomination).criterion(step.arg)
    count = proof_files(
        criterion,
        criteria_of(nomination, plan_of(nomination)),
        await evidence_counts(ctx.session, nomination.id),
    )
    reply.screens.append(
        with_note(
            _("Received: {count} file(s) for this criterion. Send more, or press Done.").format(
                count=count
            ),
            screen,
        )
    )
    return reply
