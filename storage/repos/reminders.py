"""Set-based reads for the reminder planner: one statement per question, however many studios there are."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Executable, Result, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    OFFICER_ROLES,
    Application,
    ApplicationStage,
    ChannelIdentity,
    Cycle,
    Decision,
    Delegation,
    EntryStatus,
    LedgerEntry,
    LedgerKind,
    Person,
    ReviewDecision,
    Role,
    RoleKind,
    Studio,
    StudioStatus,
    Union,
    UnionLevel,
)


class PersonRow(NamedTuple):
    id: int
    name: str
    locale: str
    paused_until: date | None


class UnionRow(NamedTuple):
    id: int
    name: str
    level: UnionLevel
    parent_id: int | None


class OfficerRow(NamedTuple):
    union_id: int
    person_id: int
    kind: RoleKind


class StudioRow(NamedTuple):
    id: int
    name: str
    union_id: int
    named_on: date | None
    created_at: datetime
    cycle_id: int | None
    cycle_number: int | None
    cycle_ends_on: date | None
    cycle_assessed: bool
    named: bool
    last_activity: datetime | None  # when the newest activity entry was created


class EntryRow(NamedTuple):
    id: int
    version: int
    studio_id: int
    kind: LedgerKind
    status: EntryStatus
    title: str
    status_changed_at: datetime
    author_id: int


class NoticeRow(NamedTuple):
    application_id: int
    studio_id: int
    notice_ends_on: date


class DelegationRow(NamedTuple):
    reviewer_id: int
    delegate_id: int
    ends_on: date


async def _execute(session: AsyncSession, query: Executable) -> Result[*tuple[Any, ...]]:
    """Run a read as Core on the session's connection: plain rows, none of the ORM's result machinery."""
    return await (await session.connection()).execute(query)


async def recipients(*, session: AsyncSession) -> dict[int, PersonRow]:
    """Everybody a reminder can reach: bound to a channel and holding a lead, reviewer or admin role."""
    bound = exists().where(ChannelIdentity.person_id == Person.id)
    acting = exists().where(
        Role.person_id == Person.id, Role.active.is_(True), Role.kind.in_([RoleKind.LEAD, *OFFICER_ROLES])
    )
    query = select(Person.id, Person.name, Person.locale, Person.reminders_paused_until).where(
        bound, acting, Person.active.is_(True)
    )
    return {row[0]: PersonRow(*row) for row in (await _execute(session, query)).all()}


async def unions(*, session: AsyncSession) -> list[UnionRow]:
    """Every active union with its parent (a deactivated one has no active unions or studios under it)."""
    rows = await _execute(
        session, select(Union.id, Union.name, Union.level, Union.parent_id).where(Union.active.is_(True))
    )
    return [UnionRow(*row) for row in rows.all()]


async def roles(*, session: AsyncSession) -> tuple[list[tuple[int, int]], list[OfficerRow]]:
    """Active studio leads as (studio id, person id), and active reviewer and admin roles of unions."""
    query = select(Role.studio_id, Role.union_id, Role.person_id, Role.kind).where(
        Role.active.is_(True), Role.kind.in_([RoleKind.LEAD, *OFFICER_ROLES])
    )
    leads: list[tuple[int, int]] = []
    officers: list[OfficerRow] = []
    for studio_id, union_id, person_id, kind in (await _execute(session, query)).all():
        if kind is RoleKind.LEAD and studio_id is not None:
            leads.append((int(studio_id), int(person_id)))
        elif kind is not RoleKind.LEAD and union_id is not None:
            officers.append(OfficerRow(int(union_id), int(person_id), kind))
    return leads, officers


async def studios(*, session: AsyncSession) -> list[StudioRow]:
    """Every active named studio, and every other active one with an entry waiting, with its newest cycle and
    when it last logged an activity."""
    newest = (
        select(Cycle.studio_id, func.max(Cycle.number).label("number")).group_by(Cycle.studio_id).subquery("newest")
    )
    # reminders about entries concern any studio that has them (applying, never named, not retained)
    waiting = select(LedgerEntry.studio_id).where(LedgerEntry.status.in_([EntryStatus.SUBMITTED, EntryStatus.RETURNED]))
    # one probe of ix_entries_studio_kind_id per studio, not a pass over the whole ledger
    newest_activity = (
        select(LedgerEntry.created_at)
        .where(LedgerEntry.studio_id == Studio.id, LedgerEntry.kind == LedgerKind.ACTIVITY)
        .order_by(LedgerEntry.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(
            Studio.id,
            Studio.name,
            Studio.union_id,
            Studio.named_on,
            Studio.created_at,
            Cycle.id,
            Cycle.number,
            Cycle.ends_on,
            Cycle.result.is_not(None),
            Studio.status,
            newest_activity,
        )
        .outerjoin(newest, newest.c.studio_id == Studio.id)
        .outerjoin(Cycle, and_(Cycle.studio_id == Studio.id, Cycle.number == newest.c.number))
        .where(or_(Studio.status == StudioStatus.NAMED, Studio.id.in_(waiting)), Studio.active.is_(True))
    )
    return [
        StudioRow(
            sid, name, uid, named_on, created, cid, number, ends, bool(assessed), status == StudioStatus.NAMED, last
        )
        for sid, name, uid, named_on, created, cid, number, ends, assessed, status, last in (
            await _execute(session, query)
        ).all()
    ]


async def waiting_entries(
    *, session: AsyncSession, returned_before: datetime, submitted_before: datetime
) -> list[EntryRow]:
    """Entries returned before `returned_before` or submitted before `submitted_before`, oldest first."""
    query = (
        select(
            LedgerEntry.id,
            LedgerEntry.version,
            LedgerEntry.studio_id,
            LedgerEntry.kind,
            LedgerEntry.status,
            LedgerEntry.title,
            LedgerEntry.status_changed_at,
            LedgerEntry.author_id,
        )
        .where(
            or_(
                and_(LedgerEntry.status == EntryStatus.RETURNED, LedgerEntry.status_changed_at < returned_before),
                and_(LedgerEntry.status == EntryStatus.SUBMITTED, LedgerEntry.status_changed_at < submitted_before),
            )
        )
        .order_by(LedgerEntry.status_changed_at, LedgerEntry.id)
    )
    return [EntryRow(*row) for row in (await _execute(session, query)).all()]


async def ended_notices(*, session: AsyncSession, before: date) -> list[NoticeRow]:
    """Applications still in public notice whose notice period ended before `before`."""
    query = select(Application.id, Application.studio_id, Application.notice_ends_on).where(
        Application.stage == ApplicationStage.PUBLIC_NOTICE,
        Application.notice_ends_on.is_not(None),
        Application.notice_ends_on < before,
    )
    return [NoticeRow(a, s, ends) for a, s, ends in (await _execute(session, query)).all() if ends is not None]


async def studios_by_id(*, session: AsyncSession, ids: Iterable[int]) -> dict[int, tuple[str, int]]:
    """Name and union of each of these studios (studios in public notice are not named yet)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await _execute(session, select(Studio.id, Studio.name, Studio.union_id).where(Studio.id.in_(wanted)))
    return {int(sid): (name, int(uid)) for sid, name, uid in rows.all()}


async def active_delegations(*, session: AsyncSession, on: date) -> list[DelegationRow]:
    """Delegations in force on a day, newest first."""
    query = (
        select(Delegation.reviewer_id, Delegation.delegate_id, Delegation.ends_on)
        .where(Delegation.revoked_at.is_(None), Delegation.starts_on <= on, Delegation.ends_on >= on)
        .order_by(Delegation.id.desc())
    )
    return [DelegationRow(*row) for row in (await _execute(session, query)).all()]


class MonthCounts(NamedTuple):
    """Per studio, entries created and entries approved in a month, and each counted studio's name and union."""

    created: dict[int, int]
    approved: dict[int, int]
    studio_of: dict[int, tuple[str, int]]


async def month_counts(*, session: AsyncSession, start: datetime, end: datetime) -> MonthCounts:
    """Per active studio, named or not, entries created and entries approved in [start, end)."""
    created = await _execute(
        session,
        select(Studio.id, Studio.name, Studio.union_id, func.count())
        .select_from(LedgerEntry)
        .join(Studio, Studio.id == LedgerEntry.studio_id)
        .where(LedgerEntry.created_at >= start, LedgerEntry.created_at < end, Studio.active.is_(True))
        .group_by(Studio.id),  # name and union depend on the key: PostgreSQL and SQLite both allow them
    )
    approved = await _execute(
        session,
        # entries, not decisions: an entry approved again after an edit counts once
        select(Studio.id, Studio.name, Studio.union_id, func.count(func.distinct(LedgerEntry.id)))
        .select_from(LedgerEntry)
        .join(Studio, Studio.id == LedgerEntry.studio_id)
        .join(ReviewDecision, ReviewDecision.entry_id == LedgerEntry.id)
        .where(
            ReviewDecision.decision == Decision.APPROVE,
            ReviewDecision.decided_at >= start,
            ReviewDecision.decided_at < end,
            Studio.active.is_(True),
        )
        .group_by(Studio.id),  # name and union depend on the key: PostgreSQL and SQLite both allow them
    )
    counts = MonthCounts({}, {}, {})
    for target, rows in ((counts.created, created.all()), (counts.approved, approved.all())):
        for studio_id, name, union_id, n in rows:
            target[int(studio_id)] = int(n)
            counts.studio_of[int(studio_id)] = (name, int(union_id))
    return counts
