"""Named leases: one holder at a time until it lapses (the SQLite stand-in for an advisory lock)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Lease


async def take(*, session: AsyncSession, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease if it is free, lapsed or already ours; True if `holder` now holds it."""
    lease = await session.get(Lease, name, with_for_update=True)
    if lease is None:
        session.add(Lease(name=name, holder=holder, expires_at=now + ttl))
    elif lease.holder == holder or lease.expires_at <= now:
        lease.holder, lease.expires_at = holder, now + ttl
    else:
        return False
    await session.flush()
    return True


async def give_up(*, session: AsyncSession, name: str, holder: str) -> None:
    """Release the lease if `holder` has it."""
    await session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))
