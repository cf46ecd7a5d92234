"""Whether the database takes writes: one row written in a transaction that is always rolled back."""

from __future__ import annotations

from uuid import uuid4

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.base import utcnow
from storage.models import SeenDelivery


async def probe_write(engine: AsyncEngine) -> None:
    """Raise what the database raises if it cannot be written (read-only, down, full); nothing is kept."""
    # `select 1` answers on a read-only file or a standby too, where every turn would fail
    async with engine.connect() as conn:
        transaction = await conn.begin()
        try:
            await conn.execute(
                insert(SeenDelivery).values(
                    channel="health", delivery_id=f"probe:{uuid4().hex}", seen_at=utcnow(), response=None
                )
            )
        finally:
            await transaction.rollback()
