"""Nominations: drafts that remember every answer, and the move into the review chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Select, bindparam, delete, func, inspect, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, raiseload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from bot.plans.schema import Plan
from bot.workflow import audit
from bot.workflow.activations import RunningPlan
from bot.workflow.actor import Actor, Role
from bot.workflow.criteria import Finding, eligible, findings
from bot.workflow.kinds import level_of_kind
from bot.workflow.lifecycle import DRAFT, EDITABLE, SUBMITTED, WITHDRAWN, can_move
from bot.workflow.plans import parsed, parsed_digest
from bot.workflow.roles import PROPOSER_ROLES
from bot.workflow.text import fold
from bot.workflow.units import ancestors_and_self
from storage.models import Evidence, Nomination, PlanVersion, Unit, User


class NotAllowed(Exception):
    """The actor may not do this to this nomination (already written to the audit log)."""


def now() -> datetime:
    return datetime.now(UTC)


def nominee_key(name: str, birth_year: int | None) -> str:
    """Name without diacritics plus year of birth: how duplicates are recognised."""
    return f"{fold(name)}|{birth_year or ''}"


@dataclass(frozen=True, slots=True)
class _ReadWith:
    """What ``editable`` read beside a draft instead of its related objects."""

    plan: Plan
    unit_kind: str
    unit_path: str


_READ_WITH: WeakKeyDictionary[Nomination, _ReadWith] = WeakKeyDictionary()


def plan_of(nomination: Nomination) -> Plan:
    read = _READ_WITH.get(nomination)
    return read.plan if read is not None else parsed(nomination.plan_version)


def unit_kind_of(nomination: Nomination) -> str:
    """The kind of the proposer's unit (village, commune…)."""
    read = _READ_WITH.get(nomination)
    return read.unit_kind if read is not None else nomination.unit.kind


async def unit_path_of(session: AsyncSession, nomination: Nomination) -> str:
    """The proposer's unit's materialised path: what its chain of units is read by."""
    read = _READ_WITH.get(nomination)
    if read is not None:
        return read.unit_path
    unit = await session.get(Unit, nomination.unit_id)  # loaded with it, as a rule: no query
    assert unit is not None
    return unit.path


async def start_draft(
    session: AsyncSession, actor: Actor, role: Role, running: RunningPlan
) -> Nomination:
    if role.role not in PROPOSER_ROLES or role not in actor.roles:
        raise NotAllowed("not a proposer")
    if not role.unit_path.startswith(running.activation.unit.path):
        raise NotAllowed("plan does not run in this unit")
    nomination = Nomination(
        plan_version_id=running.version.id,
        plan_id=running.version.plan_id,
        proposer_id=actor.user_id,
        unit_id=role.unit_id,
        state=DRAFT,
        version=1,
        nominee={},
        answers={},
    )
    session.add(nomination)
    await session.flush()
    # What plan_of and unit_kind_of need is at hand (the running plan, the role's unit kind):
    # no query for what was just written.
    set_committed_value(nomination, "plan_version", running.version)
    _READ_WITH[nomination] = _ReadWith(running.plan, role.unit_kind, role.unit_path)
    audit.record(
        session,
        actor.user_id,
        "nomination.create",
        nomination,
        to_state=DRAFT,
        details={"plan": running.version.plan_id, "version": running.version.version},
    )
    return nomination


#: Every wizard step reads its draft here. Its plan version's digest and its unit's kind come
#: as two columns, and the plan from the parse cache: loading the plan version and the unit as
#: related objects, as other reads do, made this read a third dearer. Neither is loaded later
#: either (raiseload): plan_of and unit_kind_of answer from what was read.
_EDITABLE = (
    select(Nomination, PlanVersion.digest, Unit.kind, Unit.path)
    .join(PlanVersion, PlanVersion.id == Nomination.plan_version_id)
    .join(Unit, Unit.id == Nomination.unit_id)
    .where(Nomination.id == bindparam("nomination_id"))
    .options(raiseload(Nomination.plan_version), raiseload(Nomination.unit))
)


_DRAFT_UNIT = aliased(Unit, name="draft_unit")


#: How many columns ``with_active_draft`` adds at the end of each row.
ACTIVE_DRAFT_COLUMNS = 4


def with_active_draft(query: Select[Any]) -> Select[Any]:
    """``query``, which selects users, with each one's active draft read as ``editable`` reads it.

    Nearly every update from someone with an active draft is a step of that draft, and the
    first query of every update is the person's (users.identify): reading the draft there
    saves the step a query of its own. Hand the rows' last ``ACTIVE_DRAFT_COLUMNS`` columns
    to ``remember_active_draft``.
    """
    return (
        query.add_columns(Nomination, PlanVersion.digest, _DRAFT_UNIT.kind, _DRAFT_UNIT.path)
        .outerjoin(Nomination, Nomination.id == User.active_nomination_id)
        .outerjoin(PlanVersion, PlanVersion.id == Nomination.plan_version_id)
        .outerjoin(_DRAFT_UNIT, _DRAFT_UNIT.id == Nomination.unit_id)
        .options(raiseload(Nomination.plan_version), raiseload(Nomination.unit))
    )


_ACTIVE_DRAFT = "active_draft"  # session.info key


def remember_active_draft(
    session: AsyncSession,
    nomination: Nomination | None,
    digest: str | None,
    unit_kind: str | None,
    unit_path: str | None,
) -> None:
    """Keep what ``with_active_draft`` read, for ``editable`` in the same session."""
    if nomination is None or digest is None or unit_kind is None or unit_path is None:
        return
    plan = parsed_digest(digest)
    if plan is not None:  # otherwise editable reads the version and parses it
        _READ_WITH[nomination] = _ReadWith(plan, unit_kind, unit_path)
        # The session's identity map holds objects weakly: this keeps the draft for the update.
        session.info[_ACTIVE_DRAFT] = nomination


def _already_read(session: AsyncSession, nomination_id: int) -> Nomination | None:
    """The draft if this session read it with its plan and unit kind, and it is still loaded."""
    nomination: Nomination | None = session.info.get(_ACTIVE_DRAFT)
    if nomination is None:
        return None
    state = inspect(nomination)
    if state.identity != (nomination_id,):
        return None
    if state.session_id != session.sync_session.hash_key or state.expired_attributes:
        return None  # expunged, or expired by a rollback: read it again
    if state.deleted or state.was_deleted:
        return None  # discarded in this update
    return nomination


async def editable(session: AsyncSession, actor: Actor, nomination_id: int) -> Nomination | None:
    """The actor's own draft (or returned nomination), or None; see ``_EDITABLE``."""
    nomination = _already_read(session, nomination_id)
    if nomination is None:
        row = (await session.execute(_EDITABLE, {"nomination_id": nomination_id})).one_or_none()
        if row is None:
            return None
        nomination, digest, unit_kind, unit_path = row
        plan = parsed_digest(digest)
        if plan is None:  # the first read of this version in this process
            version = await session.get(PlanVersion, nomination.plan_version_id)
            assert version is not None
            plan = parsed(version)
        _READ_WITH[nomination] = _ReadWith(plan, unit_kind, unit_path)
    if nomination.proposer_id != actor.user_id or nomination.state not in EDITABLE:
        return None
    return nomination


def touch(nomination: Nomination) -> None:
    """Every saved change makes earlier screens stale."""
    nomination.version += 1
    nomination.updated_at = now()


async def set_active(session: AsyncSession, user_id: int, nomination_id: int | None) -> None:
    """Point typed answers at a draft; written only when it changes (most steps it does not).

    Written with the update's next flush, together with the draft's own changes: flush
    before refreshing or expiring the user, or the change is lost.
    """
    # The middleware loaded this user: take it from the session without a round trip, unless
    # a rollback has expired it since.
    user = session.identity_map.get(identity_key(User, user_id))
    if user is None or "active_nomination_id" in inspect(user).unloaded:
        user = await session.get(User, user_id)
    if user is not None and user.active_nomination_id != nomination_id:
        user.active_nomination_id = nomination_id


async def drafts_of(session: AsyncSession, user_id: int) -> list[Nomination]:
    query = (
        select(Nomination)
        .where(Nomination.proposer_id == user_id, Nomination.state.in_(EDITABLE))
        .order_by(Nomination.updated_at.desc())
    )
    return list((await session.scalars(query)).all())


async def discard(session: AsyncSession, actor: Actor, nomination: Nomination) -> None:
    """A draft never submitted leaves nothing behind but the audit entry."""
    if nomination.state != DRAFT or nomination.proposer_id != actor.user_id:
        raise NotAllowed("only your own unsubmitted draft can be discarded")
    await session.execute(
        update(User)
        .where(User.active_nomination_id == nomination.id)
        .values(active_nomination_id=None)
    )
    await session.execute(delete(Evidence).where(Evidence.nomination_id == nomination.id))
    audit.record(
        session,
        actor.user_id,
        "nomination.discard",
        nomination,
        from_state=DRAFT,
        details={"nominee": nomination.nominee.get("name")},
    )
    await session.delete(nomination)
    await session.flush()


_evidence = Evidence.__table__.c
#: Built once: every judged criterion and every summary counts the files.
_EVIDENCE_COUNTS = (
    select(_evidence.criterion_id, func.count(_evidence.id))
    .where(_evidence.nomination_id == bindparam("nomination_id"))
    .group_by(_evidence.criterion_id)
)


async def evidence_counts(session: AsyncSession, nomination_id: int) -> dict[str, int]:
    """Files kept per criterion ("" for the achievements).

    Only unsaved evidence can change this count. The draft's own unsaved answers are left to
    the commit: flushed here, they made a second UPDATE of the same row in most steps.
    """
    pending = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, Evidence) for obj in pending):
        await session.flush()
    with session.no_autoflush:
        rows = await session.execute(_EVIDENCE_COUNTS, {"nomination_id": nomination_id})
    return {criterion_id or "": count for criterion_id, count in rows.all()}


async def evaluate(session: AsyncSession, nomination: Nomination, today: date) -> list[Finding]:
    plan = plan_of(nomination)
    if not nomination.category_id or not nomination.subject_kind:
        return []
    criteria = plan.criteria_for(nomination.category_id, nomination.subject_kind)
    counts = await evidence_counts(session, nomination.id)
    return findings(criteria, nomination.answers, counts, today)


async def commune_of(session: AsyncSession, unit: Unit) -> Unit:
    """The commune-level unit a unit lies in (itself if it is one; the unit if none above)."""
    for candidate in await ancestors_and_self(session, unit):
        if level_of_kind(candidate.kind) == "commune":
            return candidate
    return unit


_nominee_unit = aliased(Unit)
#: Built once: the summary and the card ask it on every showing.
_DUPLICATES = (
    select(Nomination)
    .join(Unit, Unit.id == Nomination.unit_id)
    .outerjoin(_nominee_unit, _nominee_unit.id == Nomination.nominee_unit_id)
    .where(
        Nomination.plan_id == bindparam("plan_id"),
        Nomination.nominee_key == bindparam("nominee_key"),
        Nomination.id != bindparam("nomination_id"),
        Nomination.state != WITHDRAWN,
        or_(
            Unit.path.startswith(bindparam("path")),
            _nominee_unit.path.startswith(bindparam("path")),
        ),
    )
)


async def possible_duplicates(session: AsyncSession, nomination: Nomination) -> list[Nomination]:
    """Other nominations in the same plan for the same person in the same commune."""
    if not nomination.nominee_key:
        return []
    assert nomination.id is not None  # "!= :id" with None would match nothing
    home = await session.get(Unit, nomination.nominee_unit_id or nomination.unit_id)
    assert home is not None
    commune = await commune_of(session, home)
    params = {
        "plan_id": nomination.plan_id,
        "nominee_key": nomination.nominee_key,
        "nomination_id": nomination.id,
        "path": commune.path,
    }
    return list((await session.scalars(_DUPLICATES, params)).all())


@dataclass(frozen=True, slots=True)
class SubmitOutcome:
    submitted: bool
    blocking: list[Finding]


async def submit(
    session: AsyncSession, actor: Actor, nomination: Nomination, today: date
) -> SubmitOutcome:
    """Hand a complete, eligible nomination to the first level of the plan's review chain."""
    if nomination.proposer_id != actor.user_id or not can_move(nomination.state, SUBMITTED):
        raise NotAllowed("not your draft")
    found = await evaluate(session, nomination, today)
    blocking = [f for f in found if f.blocks]
    if not found or not eligible(found) or nomination.consent_at is None:
        return SubmitOutcome(False, blocking)
    previous = nomination.state
    nomination.state = SUBMITTED
    nomination.submitted_at = now()
    nomination.step = None
    touch(nomination)
    await set_active(session, actor.user_id, None)
    audit.record(
        session,
        actor.user_id,
        "nomination.submit",
        nomination,
        from_state=previous,
        to_state=SUBMITTED,
    )
    return SubmitOutcome(True, [])


def answer_summary(nomination: Nomination) -> dict[str, Any]:
    """What the nomination holds, for the audit log's details."""
    return {"nominee": nomination.nominee, "answers": nomination.answers}
