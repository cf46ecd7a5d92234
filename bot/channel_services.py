"""The channel port (`bot.channels.services.ChannelServices`) over the runtime and storage's repositories."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import Pusher
from bot.channels.services import StoredToken
from bot.runtime import Runtime
from bot.settings import Settings
from handlers.core.config import HandlerConfig
from handlers.core.types import InboundFile, Incoming, Reply, Turn, reply_to_dict
from handlers.engine.router import Routes
from storage.base import utcnow
from storage.media import store_bytes
from storage.models import Person
from storage.repos import channel_refs, deliveries, outbox, people, tokens


class StoredRefs:
    """One channel's refs of one kind, in the `channel_refs` table (a session per call)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], channel: str, kind: str) -> None:
        self.sessions, self.channel, self.kind = sessions, channel, kind

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


class RuntimeServices:
    """What the channels of one runtime may use: its bot and sender, and storage through a few verbs."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.sessions = runtime.sessions
        self._tokens = StoredTokens(runtime.sessions)

    @property
    def settings(self) -> Settings:
        """The process's settings."""
        return self.runtime.settings

    @property
    def config(self) -> HandlerConfig:
        """The settings as the handlers see them."""
        return self.runtime.config

    @property
    def tokens(self) -> StoredTokens:
        """Platform access tokens in the database."""
        return self._tokens

    @property
    def routes(self) -> Routes:
        """The bot's commands."""
        return self.runtime.bot.routes

    def now(self) -> datetime:
        """The current time, in UTC."""
        return utcnow()

    async def handle(self, incoming: Incoming) -> Turn:
        """One inbound event through the bot; the sender is woken for what it queued."""
        return await self.runtime.handle(incoming)

    def add_pusher(self, pusher: Pusher) -> None:
        """Let the outbox sender reach people through this channel."""
        self.runtime.add_pusher(pusher)

    async def person_of(self, channel: str, user_id: str) -> int | None:
        """The id of the person this channel user is bound to, if any."""
        async with self.sessions() as session:
            identity = await people.identity(session=session, channel=channel, external_id=user_id)
        return identity.person_id if identity else None

    async def locale_of(self, channel: str, user_id: str) -> str | None:
        """The language the person behind this channel user chose; None for strangers."""
        async with self.sessions() as session:
            identity = await people.identity(session=session, channel=channel, external_id=user_id)
            person = await session.get(Person, identity.person_id) if identity else None
        return person.locale if person and person.locale else None

    async def person_name(self, person_id: int) -> str | None:
        """A person's name, if they exist."""
        async with self.sessions() as session:
            person = await session.get(Person, person_id)
        return person.name if person else None

    async def keep_for_later(self, channel: str, user_id: str, replies: Sequence[tuple[str, Reply]]) -> bool:
        """Queue replies that could not be sent now in the outbox, whose sender retries them; False for strangers."""
        async with self.sessions() as session, session.begin():
            identity = await people.identity(session=session, channel=channel, external_id=user_id)
            if identity is None:
                return False
            for key, reply in replies:
                await outbox.enqueue(
                    session=session,
                    key=key,
                    person_id=identity.person_id,
                    payload=reply_to_dict(reply),
                    kind="notice",
                    channel=channel,
                )
        self.runtime.outbox_wakeup.set()
        return True

    async def seen_before(self, channel: str, delivery_id: str) -> bool:
        """Whether the bot took in this delivery already."""
        async with self.sessions() as session:
            found = await deliveries.stored_response(session=session, channel=channel, delivery_id=delivery_id)
        return found is not None

    def refs(self, channel: str, kind: str) -> StoredRefs:
        """This channel's refs of one kind."""
        return StoredRefs(self.sessions, channel, kind)

    async def store_file(self, data: bytes, *, kind: str, file_ref: str, filename: str, media_type: str) -> InboundFile:
        """Keep a received file under MEDIA_DIR, off the event loop."""
        stored = await asyncio.to_thread(
            store_bytes, self.config.media_dir, data, filename=filename, media_type=media_type
        )
        return InboundFile(
            kind=kind,
            file_ref=file_ref,
            stored_path=stored.path,
            size=stored.size,
            media_type=stored.media_type,
            sha256=stored.sha256,
            filename=filename,
        )
