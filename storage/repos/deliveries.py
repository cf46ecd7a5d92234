"""Seen inbound deliveries: each platform delivery is taken in at most once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import utcnow
from storage.models import SeenDelivery
from storage.repos import batch_write, conversation_steps
from storage.repos.upsert import dialect_of, insert_ignoring

# Built once: every inbound event runs it. The rows actually inserted come back, which says whether
# another process had recorded one of them (an executemany's rowcount cannot say that on asyncpg).
_RECORD = {
    name: statement.returning(SeenDelivery.__table__.c.delivery_id)
    for name, statement in insert_ignoring(SeenDelivery.__table__, "channel", "delivery_id").items()
}


async def record_many(
    *,
    session: AsyncSession,
    channel_answers: list[tuple[str, str, dict[str, Any]]],
    owed_by: Sequence[str | None] = (),
    advance: Sequence[dict[str, Any]] = (),
) -> bool:
    """Keep what was answered to these deliveries (channel, delivery id, response); False if any was seen before.

    Written at the end of the turns, in their transaction: one statement instead of a mark before and an
    update after. A duplicate (a retry or a redelivery) did its turn's work for nothing; the caller rolls back.
    owed_by: per delivery, the sender whose replies stay owed until `replied` (None: sent as they are returned).
    advance: the conversation UPDATEs kept by conversations.defer, run here as one statement (on PostgreSQL, with
    the deliveries' INSERT in one, standing alone when nothing was written before: storage/repos/batch_write.py);
    StaleConversation if another turn moved one of those conversations first.
    """
    now = utcnow()
    owners = list(owed_by) or [None] * len(channel_answers)
    rows = [
        {
            "channel": channel,
            "delivery_id": delivery_id[:191],
            "seen_at": now,
            "response": response,
            "user_id": owner,
            "owed": owner is not None,
        }
        for (channel, delivery_id, response), owner in zip(channel_answers, owners, strict=True)
    ]
    if advance and dialect_of(session) == "postgresql":
        return await batch_write.record(session=session, rows=rows, advance=advance)
    await conversation_steps.advance_many(session=session, params=advance)
    inserted = (await session.execute(_RECORD[dialect_of(session)], rows)).all()
    return len(inserted) == len(rows)


async def stored_response(*, session: AsyncSession, channel: str, delivery_id: str) -> dict[str, Any] | None:
    """What was answered to this delivery the first time, if anything."""
    return await session.scalar(
        select(SeenDelivery.response).where(
            SeenDelivery.channel == channel, SeenDelivery.delivery_id == delivery_id[:191]
        )
    )


async def owed(
    *, session: AsyncSession, channel: str, user_id: str, before: datetime, limit: int = 20
) -> list[tuple[str, dict[str, Any] | None]]:
    """This sender's deliveries taken before `before` whose replies were never confirmed sent, oldest first."""
    rows = await session.execute(
        select(SeenDelivery.delivery_id, SeenDelivery.response)
        .where(
            SeenDelivery.channel == channel,
            SeenDelivery.user_id == user_id,
            SeenDelivery.owed.is_(True),
            SeenDelivery.seen_at < before,
        )
        .order_by(SeenDelivery.seen_at, SeenDelivery.id)
        .limit(limit)
    )
    return [(delivery_id, response) for delivery_id, response in rows.all()]


async def replied(*, session: AsyncSession, channel: str, delivery_ids: Sequence[str]) -> None:
    """These deliveries' replies went out (or were handed to the outbox): nothing of them is owed any more."""
    if delivery_ids:
        await session.execute(
            update(SeenDelivery)
            .where(SeenDelivery.channel == channel, SeenDelivery.delivery_id.in_([d[:191] for d in delivery_ids]))
            .values(owed=False)
        )


async def purge(*, session: AsyncSession, before: datetime) -> int:
    """Forget deliveries seen before `before` (long past any platform's retries); how many."""
    result = await session.execute(delete(SeenDelivery).where(SeenDelivery.seen_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


async def owing_senders(*, session: AsyncSession, after: datetime | None, before: datetime) -> list[tuple[str, str]]:
    """The senders of deliveries seen after `after` (None: ever) and before `before` whose replies are still owed."""
    query = select(SeenDelivery.channel, SeenDelivery.user_id).where(
        SeenDelivery.seen_at < before, SeenDelivery.owed.is_(True), SeenDelivery.user_id.is_not(None)
    )
    if after is not None:
        query = query.where(SeenDelivery.seen_at >= after)
    rows = await session.execute(query.distinct())
    return [(str(channel), str(user_id)) for channel, user_id in rows.all()]
