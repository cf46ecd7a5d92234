"""Seen inbound deliveries: each platform delivery is taken in at most once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import utcnow
from storage.models import SeenDelivery


async def mark_seen(*, session: AsyncSession, channel: str, delivery_id: str) -> bool:
    """Record the delivery; False if it was recorded before (a retry or a redelivery)."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert(SeenDelivery)
        .values(channel=channel, delivery_id=delivery_id[:191], seen_at=utcnow())
        .on_conflict_do_nothing(index_elements=["channel", "delivery_id"])
    )
    result = await session.execute(stmt)
    return bool(getattr(result, "rowcount", 0) == 1)


async def store_response(*, session: AsyncSession, channel: str, delivery_id: str, response: dict[str, Any]) -> None:
    """Keep what was answered, so a platform retry can be answered the same way."""
    await session.execute(
        update(SeenDelivery)
        .where(SeenDelivery.channel == channel, SeenDelivery.delivery_id == delivery_id[:191])
        .values(response=response)
    )


async def stored_response(*, session: AsyncSession, channel: str, delivery_id: str) -> dict[str, Any] | None:
    """What was answered to this delivery the first time, if anything."""
    return await session.scalar(
        select(SeenDelivery.response).where(
            SeenDelivery.channel == channel, SeenDelivery.delivery_id == delivery_id[:191]
        )
    )
