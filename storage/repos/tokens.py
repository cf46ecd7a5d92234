"""Platform access tokens, cached with their expiry so that every process shares one token.

A token is refreshed only while its row is locked (row lock on PostgreSQL; SQLite's writer lock),
and only if it is still expired once the lock is held: two processes never fetch twice in a row
and so never invalidate each other's token.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AccessToken
from storage.repos.upsert import insert_for

# A token this close to its end is treated as expired: calls made with it must not fail mid-flight.
MARGIN = timedelta(seconds=120)
_EPOCH = datetime.fromisoformat("1970-01-01T00:00:00+00:00")


async def valid_token(*, session: AsyncSession, key: str, now: datetime) -> AccessToken | None:
    """The stored token under `key` if it is still good for a while, else None."""
    row = await session.scalar(select(AccessToken).where(AccessToken.key == key))
    if row is None or not row.token or row.expires_at - MARGIN <= now:
        return None
    return row


async def lock_for_refresh(*, session: AsyncSession, key: str, now: datetime) -> AccessToken:
    """The row under `key`, created if missing and locked until the caller's transaction ends."""
    await session.execute(
        insert_for(session)(AccessToken)
        .values(key=key, token="", expires_at=_EPOCH, updated_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    row = await session.scalar(
        select(AccessToken).where(AccessToken.key == key).with_for_update().execution_options(populate_existing=True)
    )
    assert row is not None
    return row


async def save_token(
    *, session: AsyncSession, row: AccessToken, token: str, expires_at: datetime, now: datetime
) -> None:
    """Store a freshly fetched token on the locked row."""
    row.token = token
    row.expires_at = expires_at
    row.updated_at = now
    await session.flush()


async def invalidate(*, session: AsyncSession, key: str, token: str, now: datetime) -> bool:
    """Mark `token` expired if it is still the stored one (a rejected token); False if it was replaced already."""
    result = await session.execute(
        update(AccessToken)
        .where(AccessToken.key == key, AccessToken.token == token)
        .values(expires_at=_EPOCH, updated_at=now)
    )
    return bool(getattr(result, "rowcount", 0) == 1)
