"""/progress: where the person's units stand in each running plan, with a chart, and the lists
by state, each nomination one tap (or one typed number) from its card.

Buttons: ``pg:<plan>:<page>`` a page of units, ``pl:<plan>:<state or c<field>>:<page>`` a list
by state or field, ``px:<plan>`` the registration list as Excel, ``py:<plan>`` the yearly report
as Word (``<plan>`` is the plan's place among those running at the person's unit). Page buttons are
labelled with their numbers, so typing "2" turns to page 2 where there are no buttons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs.plan_names import plan_short
from bot.dialogs.review_replies import Reply
from bot.dialogs.screen import Choice, Screen, page_within, rows_of
from bot.i18n import N_, _, format_date, format_datetime, get_locale
from bot.plans.schema import Plan
from bot.reports.progress import SHOWN, Progress, UnitRow, progress_of
from bot.reports.registration import Entry, listed
from bot.reports.yearly import yearly_context
from bot.workflow.activations import RunningPlan, running_plans
from bot.workflow.actor import Actor
from bot.workflow.roles import ADMIN, REVIEWER_ROLES
from bot.workflow.units import admin_home
from storage.models import Nomination, Unit

PAGE = 10  # units on a page (and bars in its chart): readable on a phone
LIST_PAGE = 8
STATE_WORDS = {
    "draft": N_("drafts"),
    "submitted": N_("submitted"),
    "under_review": N_("in review"),
    "returned": N_("returned"),
    "approved": N_("approved"),
    "rejected": N_("rejected"),
}
MAY_FOLLOW = frozenset({*REVIEWER_ROLES, ADMIN})


@dataclass
class Chart:
    """What the chart of a page shows; drawn by the caller (it takes a second of CPU)."""

    rows: list[UnitRow]
    title: str
    state_labels: dict[str, str]
    quota_label: str


async def root_of(session: AsyncSession, actor: Actor) -> Unit | None:
    """The widest administrative unit the person follows (an office's district)."""
    held = sorted(actor.holding(*MAY_FOLLOW), key=lambda r: r.unit_path.count("/"))
    if not held:
        return None
    unit = await session.get(Unit, held[0].unit_id)
    return await admin_home(session, unit) if unit is not None else None


@dataclass(frozen=True)
class Followed:
    """The unit a person follows, the plans running there, and the one they look at."""

    root: Unit
    running: list[RunningPlan]
    index: int

    @property
    def plan(self) -> Plan:
        return self.running[self.index].plan


async def _context(
    session: AsyncSession, actor: Actor, today: date, plan_index: int
) -> Followed | Reply:
    root = await root_of(session, actor)
    if root is None:
        return Reply(
            [
                Screen(
                    _("Progress is for commune officers, reviewers and administrators."), edit=False
                )
            ]
        )
    running = await running_plans(session, root, today)
    if not running:
        return Reply(
            [Screen(_("No plan is running at {unit}.").format(unit=root.name), edit=False)]
        )
    return Followed(root, running, min(max(plan_index, 0), len(running) - 1))


async def show_progress(
    session: AsyncSession, actor: Actor, today: date, plan_index: int = 0, page: int = 0
) -> tuple[Reply, Chart | None]:
    found = await _context(session, actor, today, plan_index)
    if isinstance(found, Reply):
        return found, None
    root, running, plan_index, plan = found.root, found.running, found.index, found.plan
    progress = await progress_of(session, plan, root, today)
    page, pages = page_within(len(progress.rows), PAGE, page)
    rows = progress.rows[page * PAGE : (page + 1) * PAGE]
    lines = _heading(progress, today)
    if progress.rows:
        lines.append(
            _("Units (page {page}/{pages}; ⚠️ below their minimum: {behind}):").format(
                page=page + 1, pages=pages, behind=len(progress.behind)
            )
        )
        lines += [_unit_line(page * PAGE + i, row) for i, row in enumerate(rows, start=1)]
    else:
        lines.append(_("No unit below owes a quota, and nothing was proposed yet."))
    choices = [
        Choice(
            f"{_(STATE_WORDS[state])} ({progress.totals[state]})",
            f"pl:{plan_index}:{state}:0",
            aliases=(_(STATE_WORDS[state]),),
            numbered=False,
        )
        for state in SHOWN
        if progress.totals[state]
    ]
    nav = (
        [
            Choice(
                f"·{n}·" if n == page + 1 else str(n), f"pg:{plan_index}:{n - 1}", (str(n),), False
            )
            for n in range(1, pages + 1)
        ]
        if pages > 1
        else []
    )
    fields = [
        Choice(
            _("Field {number} ({count})").format(number=i + 1, count=sum(counts.values())),
            f"pl:{plan_index}:c{i}:0",
            numbered=False,
        )
        for i, category in enumerate(plan.categories)
        if (counts := progress.categories.get(category.id))
    ]
    fields.append(Choice(_("📄 Excel list"), f"px:{plan_index}", numbered=False))
    fields.append(Choice(_("📝 Yearly report"), f"py:{plan_index}", numbered=False))
    others = [
        Choice(plan_short(r.plan), f"pg:{i}:0", numbered=False)
        for i, r in enumerate(running)
        if i != plan_index
    ]
    screen_rows = (
        *rows_of(choices, per_row=3),
        *rows_of(fields, per_row=3),
        *rows_of(nav, per_row=6),
        *rows_of(others),
    )
    reply = Reply([Screen("\n".join(lines), screen_rows, edit=False)])
    if not rows:
        return reply, None
    chart = Chart(
        rows,
        _("{plan} — {unit}").format(plan=plan_short(plan), unit=root.name),
        {state: _(STATE_WORDS[state]) for state in SHOWN},
        _("minimum"),
    )
    return reply, chart


def _heading(progress: Progress, today: date) -> list[str]:
    locale = get_locale()
    lines = [
        _("📊 Progress: {plan}").format(plan=plan_short(progress.plan)),
        _("Unit: {unit}").format(unit=progress.root.name),
    ]
    if progress.next_deadline is not None:
        day, deadline = progress.next_deadline
        lines.append(
            _("⏰ Next deadline: {day} — {title} ({left} days left)").format(
                day=format_date(day), title=deadline.title, left=(day - today).days
            )
        )
    if progress.own is not None:
        mark = "⚠️ " if progress.own.behind else ""
        lines.append(
            mark
            + _("Quota of {unit}: {count}").format(
                unit=progress.root.name, count=_quota_text(progress.own)
            )
        )
    lines.append(_("All: {states}").format(states=_states(progress.totals) or _("nothing yet")))
    numbers = {c.id: i + 1 for i, c in enumerate(progress.plan.categories)}
    for category_id, states in progress.categories.items():
        if category_id:
            title = progress.plan.category(category_id).title_for(locale)
            lines.append(f"  {numbers[category_id]}. {title}: {_states(states)}")
        else:
            lines.append(f"  • {_('no field chosen yet')}: {_states(states)}")
    return lines


def _states(counts: dict[str, int]) -> str:
    return " · ".join(
        f"{_(STATE_WORDS[state])} {counts[state]}" for state in SHOWN if counts.get(state)
    )


def _unit_line(number: int, row: UnitRow) -> str:
    mark = "⚠️ " if row.behind else ""
    quota = _quota_text(row) if row.quota is not None else ""
    states = _states(row.states)
    tail = " · ".join(part for part in (quota, states) if part) or _("nothing yet")
    return f"{number}. {mark}{row.unit.name} — {tail}"


def _quota_text(row: UnitRow) -> str:
    """ "2/3 (at most 5)", with ✓ once the minimum is reached (and ⚠️ before the row if not)."""
    assert row.quota is not None
    most = row.quota.max
    text = (
        _("{count}/{min} (at most {max})").format(count=row.counted, min=row.quota.min, max=most)
        if most is not None
        else _("{count}/{min}").format(count=row.counted, min=row.quota.min)
    )
    return text + ("" if row.behind else " ✓")


# --- lists by state -------------------------------------------------------------------------


async def show_list(
    session: AsyncSession, actor: Actor, today: date, plan_index: int, what: str, page: int
) -> Reply:
    """``what``: a state, or ``c<n>`` for the plan's n-th category (every state shown)."""
    found = await _context(session, actor, today, plan_index)
    if isinstance(found, Reply):
        return found
    root, plan, plan_index = found.root, found.plan, found.index
    where = [Nomination.plan_id == plan.id, Unit.path.startswith(root.path)]
    if what in SHOWN:
        where.append(Nomination.state == what)
        heading = _(STATE_WORDS[what]).capitalize()
    elif what[:1] == "c" and what[1:].isdigit() and int(what[1:]) < len(plan.categories):
        category = plan.categories[int(what[1:])]
        where += [Nomination.category_id == category.id, Nomination.state.in_(SHOWN)]
        heading = category.title_for(get_locale())
    else:
        return Reply(toast=_("This button no longer works. Type /help to start again."))
    total = int(
        await session.scalar(
            select(func.count(Nomination.id))
            .join(Unit, Unit.id == Nomination.unit_id)
            .where(*where)
        )
        or 0
    )
    page, pages = page_within(total, LIST_PAGE, page)
    items = (
        await session.execute(
            select(Nomination, Unit.name)
            .join(Unit, Unit.id == Nomination.unit_id)
            .where(*where)
            .order_by(Nomination.updated_at.desc(), Nomination.id.desc())
            .limit(LIST_PAGE)
            .offset(page * LIST_PAGE)
        )
    ).all()
    lines = [
        _("{state} — {plan} — {unit}: {count} (page {page}/{pages})").format(
            state=heading,
            plan=plan_short(plan),
            unit=root.name,
            count=total,
            page=page + 1,
            pages=pages,
        )
    ]
    choices: list[Choice] = []
    for number, (nomination, unit_name) in enumerate(items, start=1):
        state = "" if what in SHOWN else f" — {_(STATE_WORDS[nomination.state])}"
        lines.append(
            f"{number}. #{nomination.id} {nomination.nominee.get('name') or '—'} — {unit_name}"
            f"{state} — {format_datetime(nomination.updated_at)}"
        )
        choices.append(
            Choice(
                _("Open {number}").format(number=number),
                f"rv:{nomination.id}:{nomination.version}:o",
            )
        )
    if not items:
        lines.append(_("None."))
    nav = []
    if page > 0:
        nav.append(Choice(_("◀ Previous"), f"pl:{plan_index}:{what}:{page - 1}", numbered=False))
    if page + 1 < pages:
        nav.append(Choice(_("Next ▶"), f"pl:{plan_index}:{what}:{page + 1}", numbered=False))
    nav.append(Choice(_("Back to progress"), f"pg:{plan_index}:0", numbered=False))
    rows = (*rows_of(choices, per_row=2), tuple(nav))
    return Reply([Screen("\n".join(lines), rows, edit=False)])


# --- the registration list ------------------------------------------------------------------


@dataclass
class Export:
    """The list to write (it takes a second for thousands of rows: the caller writes it)."""

    plan: Plan
    root: Unit
    year: int
    entries: list[Entry]


async def export_list(
    session: AsyncSession, actor: Actor, today: date, plan_index: int
) -> tuple[Reply, Export | None]:
    """The registration list of the person's own subtree, this year: nobody gets another's."""
    found = await _context(session, actor, today, plan_index)
    if isinstance(found, Reply):
        return found, None
    root, plan = found.root, found.plan
    entries = await listed(session, plan, root, today.year)
    text = _("📄 Registration list of {unit}, {plan}, {year}: {count} nomination(s).").format(
        unit=root.name, plan=plan_short(plan), year=today.year, count=len(entries)
    )
    return Reply([Screen(text, edit=False)]), Export(plan, root, today.year, entries)


async def yearly_report(
    session: AsyncSession, actor: Actor, today: date, plan_index: int
) -> tuple[Reply, dict[str, object] | None]:
    """The yearly report of the person's own subtree (the caller renders the Word file)."""
    found = await _context(session, actor, today, plan_index)
    if isinstance(found, Reply):
        return found, None
    root, plan = found.root, found.plan
    context = await yearly_context(session, plan, root, today, today.year)
    text = _("📝 Yearly report of {unit}, {plan}, {year}.").format(
        unit=root.name, plan=plan_short(plan), year=today.year
    )
    return Reply([Screen(text, edit=False)]), context
