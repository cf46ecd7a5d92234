"""The web console's overview figures, read for many studios at once (a fixed number of statements)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Cycle, EntryStatus, LedgerEntry, LedgerKind

COUNTED = (EntryStatus.SUBMITTED, EntryStatus.APPROVED)  # what a studio did: waiting or approved, not refused


async def waiting_counts(*, session: AsyncSession, studio_ids: Collection[int]) -> dict[int, int]:
    """How many entries of each studio wait for review."""
    if not studio_ids:
        return {}
    query = (
        select(LedgerEntry.studio_id, func.count(LedgerEntry.id))
        .where(LedgerEntry.studio_id.in_(list(studio_ids)), LedgerEntry.status == EntryStatus.SUBMITTED)
        .group_by(LedgerEntry.studio_id)
    )
    return {int(s): int(n) for s, n in (await session.execute(query)).all()}


async def last_activities(*, session: AsyncSession, studio_ids: Collection[int]) -> dict[int, date]:
    """The date of each studio's newest activity that is waiting or approved."""
    if not studio_ids:
        return {}
    query = (
        select(LedgerEntry.studio_id, func.max(LedgerEntry.occurred_on))
        .where(
            LedgerEntry.studio_id.in_(list(studio_ids)),
            LedgerEntry.kind == LedgerKind.ACTIVITY,
            LedgerEntry.status.in_(COUNTED),
        )
        .group_by(LedgerEntry.studio_id)
    )
    return {int(s): d for s, d in (await session.execute(query)).all() if d is not None}


async def cycle_ends(*, session: AsyncSession, studio_ids: Collection[int]) -> dict[int, date]:
    """The end of each studio's newest cycle."""
    if not studio_ids:
        return {}
    newest = (
        select(Cycle.studio_id, func.max(Cycle.number).label("number"))
        .where(Cycle.studio_id.in_(list(studio_ids)))
        .group_by(Cycle.studio_id)
        .subquery()
    )
    query = select(Cycle.studio_id, Cycle.ends_on).join(
        newest, (newest.c.studio_id == Cycle.studio_id) & (newest.c.number == Cycle.number)
    )
    return {int(s): d for s, d in (await session.execute(query)).all()}


async def activity_dates(*, session: AsyncSession, studio_ids: Collection[int], since: date, until: date) -> list[date]:
    """The dates of the activities (waiting or approved) of these studios in a period, for monthly counts."""
    if not studio_ids:
        return []
    query = select(LedgerEntry.occurred_on).where(
        LedgerEntry.studio_id.in_(list(studio_ids)),
        LedgerEntry.kind == LedgerKind.ACTIVITY,
        LedgerEntry.status.in_(COUNTED),
        LedgerEntry.occurred_on >= since,
        LedgerEntry.occurred_on <= until,
    )
    return list(await session.scalars(query))


async def status_counts(*, session: AsyncSession, studio_ids: Collection[int]) -> dict[EntryStatus, int]:
    """How many entries of these studios stand in each status."""
    if not studio_ids:
        return {}
    query = (
        select(LedgerEntry.status, func.count(LedgerEntry.id))
        .where(LedgerEntry.studio_id.in_(list(studio_ids)))
        .group_by(LedgerEntry.status)
    )
    return {EntryStatus(s): int(n) for s, n in (await session.execute(query)).all()}
