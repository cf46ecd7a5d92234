"""The planner's reads of entries and applications waiting: returned, submitted, public notices ended."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Application,
    ApplicationStage,
    EntryStatus,
    LedgerEntry,
)
from storage.repos.reminder_rows import (
    EntryRow,
    NoticeRow,
    execute,
)


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
    return [EntryRow(*row) for row in (await execute(session, query)).all()]


async def ended_notices(*, session: AsyncSession, before: date) -> list[NoticeRow]:
    """Applications still in public notice whose notice period ended before `before`."""
    query = select(Application.id, Application.studio_id, Application.notice_ends_on).where(
        Application.stage == ApplicationStage.PUBLIC_NOTICE,
        Application.notice_ends_on.is_not(None),
        Application.notice_ends_on < before,
    )
    return [NoticeRow(a, s, ends) for a, s, ends in (await execute(session, query)).all() if ends is not None]
