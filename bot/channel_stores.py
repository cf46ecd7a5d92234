"""Channel refs and platform access tokens in the database, as the channel port's RefStore and TokenStore."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.services import StoredToken
from storage.database import is_sqlite_fast_path
from storage.repos import channel_refs, tokens


class StoredRefs:
    """One channel's refs of one kind, in the `channel_refs` table (a session per call)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], channel: str, kind: str) -> None:
        self.sessions, self.channel, self.kind = sessions, channel, kind
        bind = sessions.kw.get("bind")
        # behind on PostgreSQL too: a burst of refs costs one transaction instead of one each
        self.write_behind = is_sqlite_fast_path(bind) or bind is None or bind.dialect.name != "sqlite"

    async def get(self, key: str, *, now: datetime) -> dict[str, Any] | None:
        """The live value under `key`, if any."""
        async with self.sessions() as session:
            return await channel_refs.get(session=session, channel=self.channel, kind=self.kind, key=key, now=now)

    async def put(self, key: str, value: dict[str, Any], *, now: datetime, expires_at: datetime | None) -> None:
        """Store `value` under `key`, replacing what was there."""
        async with self.sessions() as session, session.begin():
            await channel_refs.put(
                session=session,
                channel=self.channel,
                kind=self.kind,
                key=key,
                value=value,
                now=now,
                expires_at=expires_at,
            )

    async def claim(self, key: str, value: dict[str, Any], *, now: datetime, expires_at: datetime | None) -> bool:
        """Store `value` unless `key` is taken; True if this call stored it."""
        async with self.sessions() as session, session.begin():
            return await channel_refs.claim(
                session=session,
                channel=self.channel,
                kind=self.kind,
                key=key,
                value=value,
                now=now,
                expires_at=expires_at,
            )

    async def claim_all(self, refs: dict[str, tuple[dict[str, Any], datetime | None]], *, now: datetime) -> None:
        """Store many refs at once, keeping those that exist."""
        async with self.sessions() as session, session.begin():
            await channel_refs.claim_all(session=session, channel=self.channel, kind=self.kind, refs=refs, now=now)

    async def remove(self, key: str) -> bool:
        """Forget `key`; True if it was there."""
        async with self.sessions() as session, session.begin():
            return await channel_refs.remove(session=session, channel=self.channel, kind=self.kind, key=key)

    async def take_prefixed(self, prefix: str, *, now: datetime) -> list[dict[str, Any]]:
        """Remove and return the live values whose keys start with `prefix`, oldest first."""
        async with self.sessions() as session, session.begin():
            return await channel_refs.take_prefixed(
                session=session, channel=self.channel, kind=self.kind, prefix=prefix, now=now
            )

    async def live_keys(self, *, now: datetime) -> list[str]:
        """The keys that have not expired."""
        async with self.sessions() as session:
            return await channel_refs.live_keys(session=session, channel=self.channel, kind=self.kind, now=now)


class StoredTokens:
    """Access tokens in the `access_tokens` table, renewed under its row lock (see storage.repos.tokens)."""

    margin = tokens.MARGIN

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def valid(self, key: str, *, now: datetime) -> StoredToken | None:
        """The stored token under `key` if it is good for a while yet."""
        async with self.sessions() as session:
            row = await tokens.valid_token(session=session, key=key, now=now)
        return StoredToken(row.token, row.expires_at) if row is not None else None

    async def refresh(
        self, key: str, *, clock: Callable[[], datetime], fetch: Callable[[datetime], Awaitable[StoredToken]]
    ) -> tuple[StoredToken, bool]:
        """Under the key's lock: the stored token if another process renewed it, else `fetch`'s, stored; fetched?"""
        async with self.sessions() as session, session.begin():
            now = clock()
            row = await tokens.lock_for_refresh(session=session, key=key, now=now)
            if row.token and row.expires_at - tokens.MARGIN > now:
                return StoredToken(row.token, row.expires_at), False
            fresh = await fetch(now)  # the row stays locked meanwhile: no other process fetches too
            await tokens.save_token(session=session, row=row, token=fresh.value, expires_at=fresh.expires_at, now=now)
        return fresh, True

    async def invalidate(self, key: str, token: str, *, now: datetime) -> None:
        """Mark a rejected token expired, if it is still the stored one."""
        async with self.sessions() as session, session.begin():
            await tokens.invalidate(session=session, key=key, token=token, now=now)
