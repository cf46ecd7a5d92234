"""Channel refs: what a channel must remember server-side (menu ids → payloads, WeCom cards, held messages)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChannelRef
from storage.repos.upsert import dialect_of, insert_for, insert_ignoring


async def claim(
    *,
    session: AsyncSession,
    channel: str,
    kind: str,
    key: str,
    value: dict[str, Any],
    now: datetime,
    expires_at: datetime | None = None,
) -> bool:
    """Store a ref unless one exists under (channel, kind, key); True if this call stored it."""
    stmt = (
        insert_for(session)(ChannelRef)
        .values(channel=channel, kind=kind, key=key[:191], value=value, created_at=now, expires_at=expires_at)
        .on_conflict_do_nothing(index_elements=["channel", "kind", "key"])
    )
    result = await session.execute(stmt)
    return bool(getattr(result, "rowcount", 0) == 1)


_CLAIM_ALL = insert_ignoring(ChannelRef.__table__, "channel", "kind", "key")


async def claim_all(
    *,
    session: AsyncSession,
    channel: str,
    kind: str,
    refs: dict[str, tuple[dict[str, Any], datetime | None]],
    now: datetime,
) -> None:
    """Store many refs (key → value, expiry) in one statement, keeping any that already exist."""
    if not refs:
        return
    rows = [
        {"channel": channel, "kind": kind, "key": key[:191], "value": value, "created_at": now, "expires_at": expires}
        for key, (value, expires) in refs.items()
    ]
    await session.execute(_CLAIM_ALL[dialect_of(session)], rows)


async def put(
    *,
    session: AsyncSession,
    channel: str,
    kind: str,
    key: str,
    value: dict[str, Any],
    now: datetime,
    expires_at: datetime | None = None,
) -> None:
    """Store a ref, replacing what was under (channel, kind, key)."""
    stmt = insert_for(session)(ChannelRef).values(
        channel=channel, kind=kind, key=key[:191], value=value, created_at=now, expires_at=expires_at
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["channel", "kind", "key"],
        set_={"value": stmt.excluded.value, "created_at": now, "expires_at": expires_at},
    )
    await session.execute(stmt)


async def get(*, session: AsyncSession, channel: str, kind: str, key: str, now: datetime) -> dict[str, Any] | None:
    """The value under (channel, kind, key) unless it is missing or expired."""
    row = await session.scalar(
        select(ChannelRef).where(ChannelRef.channel == channel, ChannelRef.kind == kind, ChannelRef.key == key[:191])
    )
    if row is None or (row.expires_at is not None and row.expires_at <= now):
        return None
    return dict(row.value)


async def remove(*, session: AsyncSession, channel: str, kind: str, key: str) -> bool:
    """Delete the ref under (channel, kind, key); True if there was one."""
    result = await session.execute(
        delete(ChannelRef).where(ChannelRef.channel == channel, ChannelRef.kind == kind, ChannelRef.key == key[:191])
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def take_prefixed(
    *, session: AsyncSession, channel: str, kind: str, prefix: str, now: datetime
) -> list[dict[str, Any]]:
    """Remove and return the live refs whose key starts with `prefix`, oldest first."""
    rows = list(
        await session.scalars(
            select(ChannelRef)
            .where(
                ChannelRef.channel == channel,
                ChannelRef.kind == kind,
                ChannelRef.key.startswith(prefix, autoescape=True),
                or_(ChannelRef.expires_at.is_(None), ChannelRef.expires_at > now),
            )
            .order_by(ChannelRef.id)
            .with_for_update()
        )
    )
    if rows:
        await session.execute(delete(ChannelRef).where(ChannelRef.id.in_([r.id for r in rows])))
    return [dict(r.value) for r in rows]


async def live_keys(*, session: AsyncSession, channel: str, kind: str, now: datetime) -> list[str]:
    """The keys of the live refs of one kind."""
    query = select(ChannelRef.key).where(
        ChannelRef.channel == channel,
        ChannelRef.kind == kind,
        or_(ChannelRef.expires_at.is_(None), ChannelRef.expires_at > now),
    )
    return list(await session.scalars(query))


async def purge_expired(*, session: AsyncSession, now: datetime) -> int:
    """Delete every ref past its expiry; how many went."""
    result = await session.execute(delete(ChannelRef).where(ChannelRef.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)
