"""Seen inbound deliveries: each platform delivery is taken in at most once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import utcnow
from storage.models import SeenDelivery
from storage.repos.upsert import dialect_of, insert_ignoring

# Built once: every inbound event runs it. The rows actually inserted come back, which says whether
# another process had recorded one of them (an executemany's rowcount cannot say that on asyncpg).
_RECORD = {
    name: statement.returning(SeenDelivery.__table__.c.delivery_id)
    for name, statement in insert_ignoring(SeenDelivery.__table__, "channel", "delivery_id").items()
}


async def record_many(*, session: AsyncSession, channel_answers: list[tuple[str, str, dict[str, Any]]]) -> bool:
    """Keep what was answered to these deliveries (channel, delivery id, response); False if any was seen before.

    Written at the end of the turns, in their transaction: one statement instead of a mark before and an
    update after. A duplicate (a retry or a redelivery) did its turn's work for nothing; the caller rolls back.
    """
    now = utcnow()
    rows = [
        {"channel": channel, "delivery_id": delivery_id[:191], "seen_at": now, "response": response}
        for channel, delivery_id, response in channel_answers
    ]
    inserted = (await session.execute(_RECORD[dialect_of(session)], rows)).all()
    return len(inserted) == len(rows)


async def stored_response(*, session: AsyncSession, channel: str, delivery_id: str) -> dict[str, Any] | None:
    """What was answered to this delivery the first time, if anything."""
    return await session.scalar(
        select(SeenDelivery.response).where(
            SeenDelivery.channel == channel, SeenDelivery.delivery_id == delivery_id[:191]
        )
    )
