"""Review decisions on ledger entries, who reviews, and what waits for them.

"Exactly one decision" per entry version holds under real concurrency: the decider first moves
the entry with ledgers.set_status's conditional UPDATE (only one transaction can), then writes its
decision row, which the unique constraint (entry_id, entry_version) guards as a backstop.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Decision,
    EntryStatus,
    LedgerEntry,
    Person,
    ReviewDecision,
    Role,
    RoleKind,
    Studio,
)
from storage.repos import ledgers

ENTRY_OUTCOME = {
    Decision.APPROVE: EntryStatus.APPROVED,
    Decision.RETURN: EntryStatus.RETURNED,
    Decision.REJECT: EntryStatus.REJECTED,
}


async def decision_for_entry(*, session: AsyncSession, entry_id: int, version: int) -> ReviewDecision | None:
    """The decision taken on this version of the entry, if any (read fresh from the database)."""
    query = (
        select(ReviewDecision)
        .where(ReviewDecision.entry_id == entry_id, ReviewDecision.entry_version == version)
        .execution_options(populate_existing=True)
    )
    return await session.scalar(query)


async def last_approved_version(*, session: AsyncSession, entry_id: int, below: int) -> int | None:
    """The newest version of the entry before `below` that a reviewer approved, if any."""
    query = select(func.max(ReviewDecision.entry_version)).where(
        ReviewDecision.entry_id == entry_id,
        ReviewDecision.decision == Decision.APPROVE,
        ReviewDecision.entry_version < below,
    )
    return await session.scalar(query)


async def approved_earlier(*, session: AsyncSession, entry_ids: Collection[int]) -> set[int]:
    """Which of these entries have a version before their current one that a reviewer approved (one query)."""
    if not entry_ids:
        return set()
    query = (
        select(ReviewDecision.entry_id)
        .join(LedgerEntry, LedgerEntry.id == ReviewDecision.entry_id)
        .where(
            ReviewDecision.entry_id.in_(entry_ids),
            ReviewDecision.decision == Decision.APPROVE,
            ReviewDecision.entry_version < LedgerEntry.version,
        )
        .distinct()
    )
    return set(await session.scalars(query))


async def decide_entry(
    *,
    session: AsyncSession,
    entry_id: int,
    version: int,
    decision: Decision,
    reviewer_id: int,
    channel: str,
    now: datetime,
    reason: str | None = None,
    on_behalf_of_id: int | None = None,
) -> ReviewDecision | None:
    """Decide a submitted entry version; None if it no longer waits (another decision, an edit, a withdrawal)."""
    moved = await ledgers.set_status(
        session=session,
        entry_id=entry_id,
        expected={EntryStatus.SUBMITTED},
        to=ENTRY_OUTCOME[decision],
        now=now,
        version=version,
    )
    if not moved:
        return None
    row = ReviewDecision(
        entry_id=entry_id,
        entry_version=version,
        decision=decision,
        reviewer_id=reviewer_id,
        on_behalf_of_id=on_behalf_of_id,
        channel=channel,
        reason=reason,
        decided_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def fresh_entry(*, session: AsyncSession, entry_id: int) -> LedgerEntry | None:
    """The entry as the database has it now (not as this session last saw it)."""
    query = select(LedgerEntry).where(LedgerEntry.id == entry_id).execution_options(populate_existing=True)
    return await session.scalar(query)


async def waiting_entries(
    *, session: AsyncSession, union_ids: Collection[int], limit: int = 20
) -> list[tuple[LedgerEntry, Studio]]:
    """Submitted entries of the active studios of these unions, oldest first (a deactivated studio waits for nobody)."""
    if not union_ids:
        return []
    query = (
        select(LedgerEntry, Studio)
        .join(Studio, Studio.id == LedgerEntry.studio_id)
        .where(
            Studio.union_id.in_(list(union_ids)),
            Studio.active.is_(True),
            LedgerEntry.status == EntryStatus.SUBMITTED,
        )
        .order_by(LedgerEntry.status_changed_at, LedgerEntry.id)
        .limit(limit)
    )
    return [(entry, studio) for entry, studio in (await session.execute(query)).all()]


# Built once: every submission asks who reviews it and who stands in for them.
_OFFICERS = (
    select(Person)
    .join(Role, Role.person_id == Person.id)
    .where(
        Role.union_id.in_(bindparam("union_ids", expanding=True)),
        Role.kind == bindparam("kind", type_=Role.kind.type),
        Role.active.is_(True),
    )
    .distinct()
    .order_by(Person.id)
)


async def officers(*, session: AsyncSession, union_ids: Collection[int], kind: RoleKind) -> list[Person]:
    """People holding an active role of this kind in one of these unions."""
    if not union_ids:
        return []
    return list(await session.scalars(_OFFICERS, {"union_ids": list(union_ids), "kind": kind}))
