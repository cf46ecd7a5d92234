"""The outbox: messages to push, each under a unique idempotency key, sent exactly once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import utcnow
from storage.models import OutboxMessage, OutboxStatus
from storage.repos import outbox_batch
from storage.repos.upsert import dialect_of


async def enqueue(
    *,
    session: AsyncSession,
    key: str,
    person_id: int,
    payload: dict[str, Any],
    kind: str = "notice",
    due_at: datetime | None = None,
    channel: str | None = None,
) -> bool:
    """Add a message unless one with this key exists; True if it was added."""
    now = utcnow()
    row = outbox_batch.new_row(
        key=key, person_id=person_id, payload=payload, kind=kind, due_at=due_at or now, now=now, channel=channel
    )
    result = await session.execute(outbox_batch.INSERT[dialect_of(session)], row)
    return bool(getattr(result, "rowcount", 0) == 1)


async def claim(*, session: AsyncSession, message_id: int, holder: str, now: datetime) -> bool:
    """Mark a pending message as being sent by `holder`; False if another sender took it."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENDING, claimed_at=now, claimed_by=holder, attempts=OutboxMessage.attempts + 1)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def finish(
    *,
    session: AsyncSession,
    message_id: int,
    status: OutboxStatus,
    now: datetime,
    error: str | None = None,
    retry_at: datetime | None = None,
) -> None:
    """Record the outcome of a send: sent, failed, or back to pending for a retry at `retry_at`."""
    values: dict[str, Any] = {"status": status, "last_error": error}
    if status is OutboxStatus.SENT:
        values["sent_at"] = now
    if retry_at is not None:
        values["due_at"] = retry_at
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values))


async def stale_sending(*, session: AsyncSession, before: datetime) -> list[OutboxMessage]:
    """Messages claimed before `before` and never recorded: a sender died mid-send."""
    query = select(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at <= before
    )
    return list(await session.scalars(query))
