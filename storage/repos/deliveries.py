"""Seen inbound deliveries: each platform delivery is taken in at most once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import utcnow
from storage.models import SeenDelivery
from storage.repos.upsert import dialect_of, insert_ignoring

_RECORD = insert_ignoring(SeenDelivery.__table__, "channel", "delivery_id")  # every inbound event runs it
# For a batch: the rows actually inserted come back (an executemany's rowcount is not reliable on asyncpg)
_RECORD_MANY = {name: statement.returning(SeenDelivery.__table__.c.delivery_id) for name, statement in _RECORD.items()}


async def record(*, session: AsyncSession, channel: str, delivery_id: str, response: dict[str, Any]) -> bool:
    """Keep what was answered to a delivery; False if it was recorded before (a retry or a redelivery).

    Written at the end of the turn, in its transaction: one statement instead of a mark before and an
    update after. A duplicate did the turn's work for nothing, and the caller rolls that back.
    """
    params = {"channel": channel, "delivery_id": delivery_id[:191], "seen_at": utcnow(), "response": response}
    result = await session.execute(_RECORD[dialect_of(session)], params)
    return bool(getattr(result, "rowcount", 0) == 1)


async def record_many(*, session: AsyncSession, channel_answers: list[tuple[str, str, dict[str, Any]]]) -> bool:
    """Keep several deliveries' answers (channel, delivery id, response) in one statement; False if any was seen."""
    now = utcnow()
    rows = [
        {"channel": channel, "delivery_id": delivery_id[:191], "seen_at": now, "response": response}
        for channel, delivery_id, response in channel_answers
    ]
    inserted = (await session.execute(_RECORD_MANY[dialect_of(session)], rows)).all()
    return len(inserted) == len(rows)


async def stored_response(*, session: AsyncSession, channel: str, delivery_id: str) -> dict[str, Any] | None:
    """What was answered to this delivery the first time, if anything."""
    return await session.scalar(
        select(SeenDelivery.response).where(
            SeenDelivery.channel == channel, SeenDelivery.delivery_id == delivery_id[:191]
        )
    )
