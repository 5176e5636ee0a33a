"""The nomination wizard: one step at a time, every answer saved before the reply.

Entry points take a ``Ctx`` (session, actor, today) and return a ``Reply`` of transport-free
screens. Buttons carry ``w:<nomination>:<version>:<op>[:<arg>]``; a version that is not the
draft's current one is a stale screen, and does nothing but say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs.nomination import cards
from bot.dialogs.nomination.inputs import BadInput, parse_int, parse_number, parse_phone, parse_year
from bot.dialogs.nomination.steps import (
    FIELDS,
    MAX_LENGTH,
    Step,
    first_open,
    is_answered,
    next_step,
    previous_step,
    steps_for,
    years_asked,
)
from bot.dialogs.review import after_submit
from bot.dialogs.screen import Choice, Notice, Screen, match_typed, rows_of
from bot.i18n import _, get_locale
from bot.plans.schema import Criterion, Plan
from bot.workflow import audit
from bot.workflow.activations import RunningPlan, running_plans_at
from bot.workflow.actor import Actor, Role
from bot.workflow.criteria import Verdict, judge
from bot.workflow.kinds import level_of_kind
from bot.workflow.lifecycle import DRAFT
from bot.workflow.nominations import (
    NotAllowed,
    discard,
    drafts_of,
    editable,
    evidence_counts,
    nominee_key,
    now,
    plan_of,
    set_active,
    start_draft,
    submit,
    touch,
    unit_kind_of,
)
from bot.workflow.roles import COMMUNE_OFFICER, VILLAGE_HEAD
from bot.workflow.text import TooLong, clean_text
from bot.workflow.units import admin_home
from storage.models import Evidence, Nomination, Unit, User

MAX_FILE_BYTES = 20 * 1024 * 1024  # what a bot may download from Telegram

ETHNICITIES = (
    "Kinh", "Ba Na", "Xơ Đăng", "Gia Rai", "Giẻ Triêng", "Brâu", "Rơ Măm", "Ê Đê", "M'Nông",
    "Tày", "Nùng", "Thái", "Mường", "Mông", "Dao", "Khmer",
)  # fmt: skip


@dataclass
class Ctx:
    session: AsyncSession
    actor: Actor
    today: date


@dataclass(frozen=True, slots=True)
class Download:
    """A received file to fetch into the store once its evidence row is committed."""

    evidence_id: int
    file_id: str
    size: int | None


@dataclass
class Reply:
    screens: list[Screen] = field(default_factory=list)
    toast: str | None = None
    downloads: list[Download] = field(default_factory=list)  # to fetch after the commit
    outgoing: list[tuple[int, Screen]] = field(default_factory=list)  # to other people
    notices: list[Notice] = field(default_factory=list)  # to other people, after the commit


@dataclass(frozen=True, slots=True)
class IncomingFile:
    kind: str  # photo | document | voice
    file_id: str
    file_unique_id: str
    file_name: str | None = None
    mime_type: str | None = None
    size: int | None = None


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
        _auto_category(nomination, plan)
    if level_of_kind(role.unit_kind) == "village":
        nomination.nominee_unit_id = role.unit_id  # a village head proposes people of the village
    reply = await _goto(ctx, nomination, None, intro=cards.started(plan))
    # After the first step is set, so that the draft is written once.
    await set_active(ctx.session, ctx.actor.user_id, nomination.id)
    return reply


async def resume(ctx: Ctx, nomination_id: int) -> Reply:
    nomination = await editable(ctx.session, ctx.actor, nomination_id)
    if nomination is None:
        return Reply([Screen(_("That draft is no longer open."), edit=False)])
    await set_active(ctx.session, ctx.actor.user_id, nomination.id)
    steps = _steps(ctx, nomination)
    keys = [s.key for s in steps]
    current = nomination.step if nomination.step in keys else first_open(steps, nomination).key
    nomination.step = current
    return Reply([await _screen(ctx, nomination, Step(current), steps)])


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


# --- buttons -------------------------------------------------------------------------------


async def press(ctx: Ctx, nomination_id: int, version: int, op: str, arg: str) -> Reply:
    nomination = await editable(ctx.session, ctx.actor, nomination_id)
    if nomination is None:
        return Reply(toast=_("This draft is no longer open."))
    steps = _steps(ctx, nomination)
    if version != nomination.version:
        await set_active(ctx.session, ctx.actor.user_id, nomination.id)
        current = Step(nomination.step or first_open(steps, nomination).key)
        reply = Reply([await _screen(ctx, nomination, current, steps)])
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
                [await _screen(ctx, nomination, step, steps)], toast=_("This is the first step.")
            )
        return await _goto(ctx, nomination, before.key, exact=True)
    if op == "e" and arg.isdigit() and int(arg) < len(steps):
        return await _goto(ctx, nomination, steps[int(arg)].key, exact=True)
    if op == "m":
        return Reply([cards.edit_menu(nomination, plan, steps)])
    if op == "sum":
        return await _goto(ctx, nomination, "summary", exact=True)
    if op == "sub":
        return await _submit(ctx, nomination)
    if op == "r":  # change the answer: the same question again
        return Reply([await _screen(ctx, nomination, step, steps)])
    if op == "cat":
        nomination.category_id = None
        touch(nomination)
        return await _goto(ctx, nomination, "category", exact=True)
    if op == "k":  # go on despite an unmet criterion
        return await _advance(ctx, nomination, step.key)
    if op == "d" and step.prefix == "e":
        return await _files_done(ctx, nomination, step)
    if op == "x" and step.prefix == "f" and step.arg == "phone":
        nomination.nominee = {**nomination.nominee, "phone": None}
        touch(nomination)
        return await _advance(ctx, nomination, step.key)
    if op == "a" and arg.isdigit():
        options = await _options(ctx, nomination, plan, step)
        index = int(arg)
        if index < len(options):
            return await _answer_choice(ctx, nomination, plan, step, options[index][0])
    return Reply([await _screen(ctx, nomination, step, steps)])


# --- typed answers and files ---------------------------------------------------------------


async def typed(ctx: Ctx, user: User, text: str) -> Reply | None:
    """A text message while a draft is active; None when no draft is waiting for one."""
    if user.active_nomination_id is None:
        return None
    nomination = await editable(ctx.session, ctx.actor, user.active_nomination_id)
    if nomination is None:
        await set_active(ctx.session, ctx.actor.user_id, None)
        return None
    steps = _steps(ctx, nomination)
    step = Step(nomination.step or first_open(steps, nomination).key)
    choice = match_typed(text, await _buttons(ctx, nomination, step, steps))
    if choice is not None and choice.action.startswith("w:"):
        parts = choice.action.split(":")
        return await _act(ctx, nomination, steps, parts[3], parts[4] if len(parts) > 4 else "")
    if step.prefix in TEXT_STEPS or (step.prefix == "f" and step.arg in TEXT_FIELDS):
        return await _answer_text(ctx, nomination, step, steps, text)
    if step.prefix == "f" and step.arg == "ethnicity":
        return await _answer_text(ctx, nomination, step, steps, text)
    if step.prefix == "c" and plan_of(nomination).criterion(step.arg).kind in ("number", "text"):
        return await _answer_text(ctx, nomination, step, steps, text)
    hint = _("Please answer with one of the buttons, or type its number.")
    if step.prefix == "e":
        hint = _("Please send a photo or a document, or press Done.")
    return Reply([_with_note(hint, await _screen(ctx, nomination, step, steps))])


TEXT_STEPS = frozenset({"achievements"})
TEXT_FIELDS = frozenset({"name", "birth_year", "position", "address", "head", "members", "phone"})


async def received_file(ctx: Ctx, user: User, incoming: IncomingFile) -> Reply | None:
    if user.active_nomination_id is None:
        return None
    nomination = await editable(ctx.session, ctx.actor, user.active_nomination_id)
    if nomination is None:
        return None
    steps = _steps(ctx, nomination)
    step = Step(nomination.step or first_open(steps, nomination).key)
    accepts = step.prefix == "e" or (step.prefix == "achievements" and incoming.kind == "voice")
    if not accepts:
        screen = await _screen(ctx, nomination, step, steps)
        return Reply([_with_note(_("I was not expecting a file at this step."), screen)])
    if incoming.size is not None and incoming.size > MAX_FILE_BYTES:
        screen = await _screen(ctx, nomination, step, steps)
        note = _(
            "This file is too large ({size} MB). A bot can only receive files up to 20 MB: "
            "please send a smaller file or a photo of it."
        ).format(size=round(incoming.size / 1024 / 1024, 1))
        return Reply([_with_note(note, screen)])
    evidence = Evidence(
        nomination_id=nomination.id,
        criterion_id=step.arg if step.prefix == "e" else None,
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
        advanced = await _advance(ctx, nomination, step.key, note=_("Voice note saved."))
        advanced.downloads = reply.downloads
        return advanced
    count = (await evidence_counts(ctx.session, nomination.id)).get(step.arg, 0)
    screen = await _screen(ctx, nomination, step, _steps(ctx, nomination))
    reply.screens.append(
        _with_note(
            _("Received: {count} file(s) for this criterion. Send more, or press Done.").format(
                count=count
            ),
            screen,
        )
    )
    return reply


# --- drafts ---------------------------------------------------------------------------------


async def list_drafts(ctx: Ctx) -> Reply:
    drafts = await drafts_of(ctx.session, ctx.actor.user_id)
    if not drafts:
        return Reply([Screen(_("You have no drafts. Type /propose to start one."), edit=False)])
    lines = [_("Your drafts:")]
    choices: list[Choice] = []
    for number, nomination in enumerate(drafts, start=1):
        steps = _steps(ctx, nomination)
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


# --- moving between steps ------------------------------------------------------------------


def _steps(ctx: Ctx, nomination: Nomination) -> list[Step]:
    skip_home = _home_is_fixed(nomination)
    return steps_for(nomination, plan_of(nomination), ctx.today, skip_home)


def _home_is_fixed(nomination: Nomination) -> bool:
    """A village's own proposals are of its people: no question of where they live."""
    return level_of_kind(unit_kind_of(nomination)) == "village"


async def _goto(
    ctx: Ctx, nomination: Nomination, key: str | None, *, exact: bool = False, intro: str = ""
) -> Reply:
    steps = _steps(ctx, nomination)
    keys = [s.key for s in steps]
    if exact and key in keys:
        target = Step(key)
    else:
        target = next_step(steps, key, nomination) if key else first_open(steps, nomination)
    nomination.step = target.key
    screen = await _screen(ctx, nomination, target, steps)
    return Reply([_with_note(intro, screen) if intro else screen])


async def _advance(ctx: Ctx, nomination: Nomination, done: str, note: str = "") -> Reply:
    """After an answer: the next unanswered step (back to the summary when editing from it)."""
    steps = _steps(ctx, nomination)
    target = next_step(steps, done, nomination)
    nomination.step = target.key
    screen = await _screen(ctx, nomination, target, steps)
    return Reply([_with_note(note, screen) if note else screen])


def _with_note(note: str, screen: Screen) -> Screen:
    if not note:
        return screen
    return Screen(
        f"{note}\n\n{screen.text}",
        screen.rows,
        screen.request_contact,
        screen.contact_label,
        screen.edit,
        screen.files,
    )


# --- answers -------------------------------------------------------------------------------


async def _answer_choice(
    ctx: Ctx, nomination: Nomination, plan: Plan, step: Step, value: str
) -> Reply:
    prefix = step.prefix
    touch(nomination)
    if prefix == "kind":
        if nomination.subject_kind != value:
            nomination.subject_kind = value
            nomination.category_id = None
            _auto_category(nomination, plan)
        return await _advance(ctx, nomination, step.key)
    if prefix == "category":
        nomination.category_id = value
        return await _advance(ctx, nomination, step.key)
    if prefix == "consent":
        if value == "yes":
            nomination.consent_at = now()
            audit.record(
                ctx.session,
                actor_id=ctx.actor.user_id,
                action="nomination.consent",
                object_type="nomination",
                object_id=nomination.id,
            )
            return await _advance(ctx, nomination, step.key)
        nomination.step = step.key
        return Reply([cards.consent_needed(nomination)])
    if prefix == "f":
        if step.arg == "home":
            home = await ctx.session.get(Unit, int(value))
            assert home is not None
            nomination.nominee_unit_id = home.id
            nomination.nominee = {**nomination.nominee, "home_name": home.name}
        else:
            nomination.nominee = {**nomination.nominee, step.arg: value}
        return await _advance(ctx, nomination, step.key)
    criterion = plan.criterion(step.arg)
    if prefix == "y":
        answer = dict(nomination.answers.get(criterion.id) or {})
        held = dict(answer.get("years") or {})
        held[str(step.year)] = value == "yes"
        answer["years"] = held
        nomination.answers = {**nomination.answers, criterion.id: answer}
        if value != "yes" or len(held) >= len(years_asked(criterion, ctx.today)):
            return await _judged(ctx, nomination, criterion, step)
        return await _advance(ctx, nomination, step.key)
    answer_value: object = value == "yes" if criterion.kind in ("attest", "evidence") else value
    previous = dict(nomination.answers.get(criterion.id) or {})
    nomination.answers = {**nomination.answers, criterion.id: {**previous, "value": answer_value}}
    if criterion.kind == "evidence" and answer_value is True:
        return await _advance(ctx, nomination, step.key)  # the files come next
    return await _judged(ctx, nomination, criterion, step)


async def _answer_text(
    ctx: Ctx, nomination: Nomination, step: Step, steps: list[Step], text: str
) -> Reply:
    plan = plan_of(nomination)
    try:
        value = _read(step, plan, text, ctx.today)
    except (BadInput, TooLong) as problem:
        screen = await _screen(ctx, nomination, step, steps)
        return Reply([_with_note(cards.bad_input(problem), screen)])
    touch(nomination)
    if step.prefix == "achievements":
        nomination.achievements = str(value)
        return await _advance(ctx, nomination, step.key)
    if step.prefix == "f":
        nomination.nominee = {**nomination.nominee, step.arg: value}
        if step.arg in ("name", "birth_year"):
            nomination.nominee_key = nominee_key(
                str(nomination.nominee.get("name", "")), nomination.nominee.get("birth_year")
            )
        return await _advance(ctx, nomination, step.key)
    criterion = plan.criterion(step.arg)
    nomination.answers = {**nomination.answers, criterion.id: {"value": value}}
    return await _judged(ctx, nomination, criterion, step)


def _read(step: Step, plan: Plan, text: str, today: date) -> object:
    if step.prefix == "achievements":
        value = clean_text(text, MAX_LENGTH["achievements"])
        if len(value) < 10:
            raise BadInput("too_short", minimum=10)
        return value
    if step.prefix == "f":
        name = step.arg
        if name == "birth_year":
            return parse_year(text, today.year - 110, today.year - 6)
        if name == "members":
            return parse_int(text, 1, 1_000_000)
        if name == "phone":
            return parse_phone(text)
        value = clean_text(text, MAX_LENGTH.get(name, 200))
        if len(value) < 2:
            raise BadInput("too_short", minimum=2)
        return value
    criterion = plan.criterion(step.arg)
    if criterion.kind == "number":
        return parse_number(text, criterion.unit)
    value = clean_text(text, criterion.text_max_length)
    if len(value) < criterion.text_min_length:
        raise BadInput("too_short", minimum=criterion.text_min_length)
    return value


async def _judged(ctx: Ctx, nomination: Nomination, criterion: Criterion, step: Step) -> Reply:
    files = 0
    if criterion.kind == "evidence":  # no other kind of criterion looks at the files
        files = (await evidence_counts(ctx.session, nomination.id)).get(criterion.id, 0)
    verdict = judge(criterion, nomination.answers.get(criterion.id), files, ctx.today)
    if verdict is Verdict.NOT_MET and criterion.required:
        nomination.step = step.key
        return Reply([cards.unmet(nomination, plan_of(nomination), criterion)])
    note = cards.verdict_note(criterion, verdict)
    return await _advance(ctx, nomination, step.key, note=note)


async def _files_done(ctx: Ctx, nomination: Nomination, step: Step) -> Reply:
    criterion = plan_of(nomination).criterion(step.arg)
    answer = dict(nomination.answers.get(criterion.id) or {})
    answer["files_done"] = True
    nomination.answers = {**nomination.answers, criterion.id: answer}
    touch(nomination)
    return await _judged(ctx, nomination, criterion, step)


async def _submit(ctx: Ctx, nomination: Nomination) -> Reply:
    try:
        outcome = await submit(ctx.session, ctx.actor, nomination, ctx.today)
    except NotAllowed:
        return Reply(toast=_("This draft is no longer open."))
    if not outcome.submitted:
        return await _goto(
            ctx,
            nomination,
            "summary",
            exact=True,
            intro=_("It cannot be sent yet: see what is missing below."),
        )
    reviewers = await after_submit(ctx.session, nomination, ctx.today)
    return Reply([cards.submitted(nomination)], notices=[reviewers])


def _auto_category(nomination: Nomination, plan: Plan) -> None:
    if nomination.subject_kind is None:
        return
    categories = plan.categories_for(nomination.subject_kind)
    if len(categories) == 1:
        nomination.category_id = categories[0].id


# --- screens -------------------------------------------------------------------------------


async def _options(
    ctx: Ctx, nomination: Nomination, plan: Plan, step: Step
) -> list[tuple[str, str]]:
    """(value, label) of the choices a step offers; buttons carry their index in this list."""
    prefix = step.prefix
    locale = get_locale()
    yes_no = [("yes", _("Yes")), ("no", _("No"))]
    if prefix == "kind":
        return [(kind, cards.subject_label(kind)) for kind in plan.subject_kinds()]
    if prefix == "category":
        return [
            (c.id, c.title_for(locale)) for c in plan.categories_for(nomination.subject_kind or "")
        ]
    if prefix == "consent":
        return [("yes", _("Yes, they agreed")), ("no", _("Not yet"))]
    if prefix == "f" and step.arg == "sex":
        return [("male", _("Male")), ("female", _("Female"))]
    if prefix == "f" and step.arg == "ethnicity":
        return [(name, name) for name in ETHNICITIES]
    if prefix == "f" and step.arg == "home":
        return [(str(unit.id), unit.name) for unit in await _home_units(ctx, nomination)]
    if prefix in ("c", "y"):
        criterion = plan.criterion(step.arg)
        if criterion.kind == "choice":
            return [(option, option) for option in criterion.options or []]
        if criterion.kind in ("attest", "evidence", "years"):
            return yes_no
    return []


async def _home_units(ctx: Ctx, nomination: Nomination) -> list[Unit]:
    """Where a nominee may live: the proposer's administrative unit and the villages in it."""
    unit = await ctx.session.get(Unit, nomination.unit_id)
    assert unit is not None
    base = await admin_home(ctx.session, unit)
    below = (
        await ctx.session.scalars(
            select(Unit)
            .where(Unit.path.startswith(base.path), Unit.id != base.id)
            .order_by(Unit.path)
        )
    ).all()
    level = level_of_kind(base.kind)
    wanted = {"province": "district", "district": "commune", "commune": "village"}.get(level or "")
    return [
        base,
        *sorted((u for u in below if level_of_kind(u.kind) == wanted), key=lambda u: u.name),
    ]


async def _screen(ctx: Ctx, nomination: Nomination, step: Step, steps: list[Step]) -> Screen:
    plan = plan_of(nomination)
    keys = [s.key for s in steps]
    position = keys.index(step.key) + 1 if step.key in keys else len(keys)
    header = _("Step {k}/{n}").format(k=position, n=len(keys))
    if step.prefix == "summary":
        counts = await evidence_counts(ctx.session, nomination.id)
        return await cards.summary(ctx.session, nomination, plan, steps, counts, header, ctx.today)
    rows = await _rows(ctx, nomination, plan, step)
    question = await cards.question(ctx.session, nomination, plan, step, ctx.today)
    current = cards.current_value(nomination, plan, step) if is_answered(step, nomination) else ""
    body = "\n\n".join(part for part in (header, question, current) if part)
    return Screen(body, rows)


async def _buttons(ctx: Ctx, nomination: Nomination, step: Step, steps: list[Step]) -> Screen:
    """Only what a typed answer is matched against: a step's buttons, without its text.

    The text can cost queries (quota progress, possible duplicates) that matching never reads.
    """
    plan = plan_of(nomination)
    if step.prefix == "summary":
        counts = await evidence_counts(ctx.session, nomination.id)
        verdict = cards.summary_verdict(nomination, plan, steps, counts, ctx.today)
        return Screen("", cards.summary_rows(nomination, verdict.ok))
    return Screen("", await _rows(ctx, nomination, plan, step))


async def _rows(
    ctx: Ctx, nomination: Nomination, plan: Plan, step: Step
) -> tuple[tuple[Choice, ...], ...]:
    nav = _nav(nomination, step)
    options = await _options(ctx, nomination, plan, step)
    action = f"w:{nomination.id}:{nomination.version}"
    choices = [
        Choice(label, f"{action}:a:{index}", aliases=(value,))
        for index, (value, label) in enumerate(options)
    ]
    extra: list[Choice] = []
    if step.prefix == "e":
        extra.append(Choice(_("Done"), f"{action}:d", aliases=("xong", "done"), numbered=False))
    if step.prefix == "f" and step.arg == "phone":
        extra.append(Choice(_("Skip"), f"{action}:x", aliases=("bo qua", "skip"), numbered=False))
    per_row = (
        3 if step.prefix == "f" and step.arg == "ethnicity" else (2 if len(options) == 2 else 1)
    )
    return (*rows_of(choices, per_row), *((tuple(extra),) if extra else ()), nav)


def _nav(nomination: Nomination, step: Step) -> tuple[Choice, ...]:
    action = f"w:{nomination.id}:{nomination.version}"
    return (
        Choice(_("◀ Back"), f"{action}:b", aliases=("quay lai", "back", "lui"), numbered=False),
        Choice(
            _("Save & leave"),
            f"{action}:s",
            aliases=("luu", "thoat", "save", "exit"),
            numbered=False,
        ),
    )


__all__ = [
    "FIELDS",
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
    "received_file",
    "resume",
    "typed",
]
