"""The monthly digest's figures: entries created and approved per studio in a month, in two statements."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Decision,
    LedgerEntry,
    ReviewDecision,
    Studio,
)
from storage.repos.reminder_rows import (
    MonthCounts,
    execute,
)


async def month_counts(*, session: AsyncSession, start: datetime, end: datetime) -> MonthCounts:
    """Per active studio, named or not, entries created and entries approved in [start, end)."""
    created = await execute(
        session,
        select(Studio.id, Studio.name, Studio.union_id, func.count())
        .select_from(LedgerEntry)
        .join(Studio, Studio.id == LedgerEntry.studio_id)
        .where(LedgerEntry.created_at >= start, LedgerEntry.created_at < end, Studio.active.is_(True))
        .group_by(Studio.id),  # name and union depend on the key: PostgreSQL and SQLite both allow them
    )
    approved = await execute(
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
