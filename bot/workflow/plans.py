"""Plan versions in the database: a changed file is a new version, the old one stays.

Nominations point at the version they were made under, so a plan corrected in March does not
silently change the rules for a nomination proposed in February.
"""

from __future__ import annotations

from sqlalchemy import Subquery, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.plans.loader import load_plan_text, plan_digest
from bot.plans.schema import Plan
from bot.workflow import audit
from storage.models import PlanVersion


async def store_plan(
    session: AsyncSession, text: str, source_name: str, actor_id: int | None = None
) -> tuple[PlanVersion, bool]:
    """Validate and store; returns the version and whether it is new. Raises PlanError."""
    plan = load_plan_text(text, source_name)
    digest = plan_digest(text)
    same = await session.scalar(
        select(PlanVersion).where(PlanVersion.plan_id == plan.id, PlanVersion.digest == digest)
    )
    if same is not None:
        return same, False
    last = await session.scalar(
        select(func.max(PlanVersion.version)).where(PlanVersion.plan_id == plan.id)
    )
    version = PlanVersion(
        plan_id=plan.id,
        version=(last or 0) + 1,
        digest=digest,
        source_name=source_name,
        source_text=text,
        title=plan.plan.title,
    )
    await audit.added(
        session,
        actor_id,
        "plan.load",
        version,
        details={"plan": plan.id, "version": version.version, "digest": digest},
    )
    return version, True


def newest_version_ids() -> Subquery:
    """(plan_id, id) of each plan's newest version, to join against."""
    newest = (
        select(PlanVersion.plan_id, func.max(PlanVersion.version).label("v"))
        .group_by(PlanVersion.plan_id)
        .subquery()
    )
    return (
        select(PlanVersion.plan_id, PlanVersion.id)
        .join(
            newest,
            (PlanVersion.plan_id == newest.c.plan_id) & (PlanVersion.version == newest.c.v),
        )
        .subquery()
    )


async def latest_versions(session: AsyncSession) -> list[PlanVersion]:
    newest = newest_version_ids()
    query = (
        select(PlanVersion)
        .join(newest, PlanVersion.id == newest.c.id)
        .order_by(PlanVersion.plan_id)
    )
    return list((await session.scalars(query)).all())


async def find_version(
    session: AsyncSession, plan_id: str, version: int | None = None
) -> PlanVersion | None:
    query = select(PlanVersion).where(PlanVersion.plan_id == plan_id)
    if version is not None:
        query = query.where(PlanVersion.version == version)
    return await session.scalar(query.order_by(PlanVersion.version.desc()).limit(1))


#: Parsed plans by the sha256 of their text. Keyed by the digest, not the text: a version read
#: in a new session is a new 30 KB string, and hashing it on every call cost 7% of a step.
#: Versions are few (a plan changes a few times a year), so nothing is evicted.
_PARSED: dict[str, Plan] = {}


def parsed_digest(digest: str) -> Plan | None:
    """The plan of a text already parsed in this process, by its digest; None if not yet."""
    return _PARSED.get(digest)


def parsed(version: PlanVersion) -> Plan:
    """The plan a stored version holds; parsed once per distinct text."""
    plan = parsed_digest(version.digest)
    if plan is None:
        plan = _PARSED[version.digest] = load_plan_text(version.source_text, version.source_name)
    return plan
