"""Set-based reads for `studio-bot doctor`: who holds which role, who is bound, what waits, what failed."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Application,
    ApplicationStage,
    ChannelIdentity,
    Cycle,
    EntryStatus,
    LedgerEntry,
    OutboxMessage,
    OutboxStatus,
    Person,
    Role,
    RoleKind,
    Studio,
    StudioStatus,
    Union,
    UnionLevel,
)

WAITING_STAGES = (
    ApplicationStage.SUBMITTED,
    ApplicationStage.RECOMMENDED,
    ApplicationStage.REVIEWED,
    ApplicationStage.EVALUATED,
)


class UnionFact(NamedTuple):
    id: int
    name: str
    level: UnionLevel
    parent_id: int | None


class StudioFact(NamedTuple):
    id: int
    name: str
    union_id: int
    status: StudioStatus


class RoleFact(NamedTuple):
    kind: RoleKind
    person_id: int
    person_name: str
    studio_id: int | None
    union_id: int | None
    bound: bool


class WaitingEntry(NamedTuple):
    studio_id: int
    since: datetime


class WaitingApplication(NamedTuple):
    studio_id: int
    stage: ApplicationStage
    since: datetime
    notice_ends_on: date | None


class EndingCycle(NamedTuple):
    studio_id: int
    ends_on: date


async def unions(*, session: AsyncSession) -> list[UnionFact]:
    """Every union."""
    rows = await session.execute(select(Union.id, Union.name, Union.level, Union.parent_id).order_by(Union.id))
    return [UnionFact(*row) for row in rows.all()]


async def studios(*, session: AsyncSession) -> list[StudioFact]:
    """Every studio with its union and status."""
    rows = await session.execute(select(Studio.id, Studio.name, Studio.union_id, Studio.status).order_by(Studio.id))
    return [StudioFact(*row) for row in rows.all()]


async def active_roles(*, session: AsyncSession) -> list[RoleFact]:
    """Every active role with its holder's name and whether the holder is bound to any channel."""
    bound = exists().where(ChannelIdentity.person_id == Role.person_id)
    query = (
        select(Role.kind, Role.person_id, Person.name, Role.studio_id, Role.union_id, bound)
        .join(Person, Person.id == Role.person_id)
        .where(Role.active.is_(True))
        .order_by(Role.id)
    )
    return [
        RoleFact(kind, pid, name, sid, uid, bool(b)) for kind, pid, name, sid, uid, b in (await session.execute(query))
    ]


async def entries_waiting(*, session: AsyncSession, before: datetime) -> list[WaitingEntry]:
    """Entries submitted for review before `before` and still waiting, oldest first."""
    query = (
        select(LedgerEntry.studio_id, LedgerEntry.status_changed_at)
        .where(LedgerEntry.status == EntryStatus.SUBMITTED, LedgerEntry.status_changed_at < before)
        .order_by(LedgerEntry.status_changed_at)
    )
    return [WaitingEntry(*row) for row in (await session.execute(query)).all()]


async def applications_waiting(*, session: AsyncSession, before: datetime, today: date) -> list[WaitingApplication]:
    """Applications at a deciding stage since before `before`, and those whose public notice has ended."""
    at_stage = (Application.stage.in_(WAITING_STAGES)) & (Application.stage_changed_at < before)
    notice_over = (Application.stage == ApplicationStage.PUBLIC_NOTICE) & (Application.notice_ends_on < today)
    query = (
        select(Application.studio_id, Application.stage, Application.stage_changed_at, Application.notice_ends_on)
        .where(at_stage | notice_over)
        .order_by(Application.stage_changed_at)
    )
    return [WaitingApplication(*row) for row in (await session.execute(query)).all()]


async def outbox_trouble(*, session: AsyncSession) -> dict[OutboxStatus, int]:
    """How many outbox rows failed or need a look."""
    wanted = (OutboxStatus.FAILED, OutboxStatus.NEEDS_LOOK)
    query = (
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.status.in_(wanted))
        .group_by(OutboxMessage.status)
    )
    return {OutboxStatus(status): int(n) for status, n in (await session.execute(query)).all()}


async def cycles_ending(*, session: AsyncSession, start: date, end: date) -> list[EndingCycle]:
    """Unassessed cycles of named studios ending in [start, end]."""
    query = (
        select(Cycle.studio_id, Cycle.ends_on)
        .join(Studio, Studio.id == Cycle.studio_id)
        .where(
            Studio.status == StudioStatus.NAMED,
            Cycle.result.is_(None),
            Cycle.ends_on >= start,
            Cycle.ends_on <= end,
        )
        .order_by(Cycle.ends_on)
    )
    return [EndingCycle(*row) for row in (await session.execute(query)).all()]


async def current_revision(*, session: AsyncSession) -> str | None:
    """The Alembic revision the database is at (None: never migrated)."""
    connection = await session.connection()
    return await connection.run_sync(_revision)


def _revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()
