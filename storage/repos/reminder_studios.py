"""The planner's reads of studios: every studio a pass concerns with its newest cycle and activity, and names by id."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

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
    newest_cycle = aliased(Cycle)
    newest_number = select(func.max(newest_cycle.number)).where(newest_cycle.studio_id == Studio.id).scalar_subquery()
    # reminders about entries concern any studio that has them (applying, never named, not retained): the waiting
    # entries' studios read once from ix_entries_status_changed. Not as EXISTS: PostgreSQL then costs the read as a
    # probe per studio, over its jit_above_cost at 10,000 studios, and compiled the query (~40 ms) for a 0.1 s read
    waiting = Studio.id.in_(
        select(LedgerEntry.studio_id).where(LedgerEntry.status.in_([EntryStatus.SUBMITTED, EntryStatus.RETURNED]))
    )
    # one probe of ix_entries_studio_kind_id per studio, not a pass over the whole ledger
    newest_activity = (
        select(LedgerEntry.created_at)
        .where(LedgerEntry.studio_id == Studio.id, LedgerEntry.kind == LedgerKind.ACTIVITY)
        .order_by(LedgerEntry.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    named = Studio.status == StudioStatus.NAMED
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
            named,
            newest_activity,
        )
        .outerjoin(Cycle, and_(Cycle.studio_id == Studio.id, Cycle.number == newest_number))
        .where(or_(named, waiting), Studio.active.is_(True))
    )
    return [
        StudioRow(sid, name, uid, named_on, created, cid, number, ends, bool(assessed), bool(is_named), last)
        for sid, name, uid, named_on, created, cid, number, ends, assessed, is_named, last in (
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
