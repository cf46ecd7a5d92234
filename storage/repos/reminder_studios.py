"""The planner's reads of studios: every studio a pass concerns with its newest cycle and activity, and names by id."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Cycle,
    EntryStatus,
    LedgerEntry,
    LedgerKind,
    Studio,
    StudioStatus,
)
from storage.repos.reminder_rows import (
    StudioRow,
    execute,
)


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
            await execute(session, query)
        ).all()
    ]


async def studios_by_id(*, session: AsyncSession, ids: Iterable[int]) -> dict[int, tuple[str, int]]:
    """Name and union of each of these studios (studios in public notice are not named yet)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await execute(session, select(Studio.id, Studio.name, Studio.union_id).where(Studio.id.in_(wanted)))
    return {int(sid): (name, int(uid)) for sid, name, uid in rows.all()}
