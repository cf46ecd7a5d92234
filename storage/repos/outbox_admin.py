"""What an operator does with the outbox: look at rows by status, put stuck ones back in the queue."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, OutboxStatus

REQUEUEABLE = (OutboxStatus.NEEDS_LOOK, OutboxStatus.FAILED)


async def listed(*, session: AsyncSession, status: OutboxStatus | None, limit: int) -> list[OutboxMessage]:
    """Rows in `status` (any when None), newest first."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    return list(await session.scalars(query))


async def requeue(
    *, session: AsyncSession, now: datetime, ids: Collection[int] | None, status: OutboxStatus
) -> list[tuple[int, OutboxStatus]]:
    """Back to pending, due now, with fresh attempts: the rows `ids` (if needs_look or failed), or all in `status`.

    Returns each requeued row's id and the status it had.
    """
    query = select(OutboxMessage.id, OutboxMessage.status).with_for_update()
    if ids is None:
        query = query.where(OutboxMessage.status == status)
    else:
        query = query.where(OutboxMessage.id.in_(sorted(ids)), OutboxMessage.status.in_(REQUEUEABLE))
    found = [(int(i), OutboxStatus(s)) for i, s in (await session.execute(query.order_by(OutboxMessage.id))).all()]
    if found:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([i for i, _ in found]))
            .values(status=OutboxStatus.PENDING, due_at=now, attempts=0, claimed_at=None, claimed_by=None)
            .execution_options(synchronize_session=False)
        )
    return found
