"""What the WeChat-family channels read and write in storage: locales, bound people, numbers, seen deliveries, media."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from pathlib import Path
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core.types import Reply, reply_to_dict
from storage.media import StoredFile, store_bytes
from storage.models import Person
from storage.repos import channel_refs, deliveries, outbox, people

log = logging.getLogger(__name__)
NUMBERS_TTL = timedelta(days=2)


async def locale_of(sessions: async_sessionmaker[AsyncSession], channel: str, user_id: str, default: str) -> str:
    """The language of the person behind a channel user (the default for strangers)."""
    async with sessions() as session:
        identity = await people.identity(session=session, channel=channel, external_id=user_id)
        person = await session.get(Person, identity.person_id) if identity else None
        return person.locale if person and person.locale else default


async def person_of(sessions: async_sessionmaker[AsyncSession], channel: str, user_id: str) -> int | None:
    """The id of the person a channel user is bound to, if any."""
    async with sessions() as session:
        identity = await people.identity(session=session, channel=channel, external_id=user_id)
        return identity.person_id if identity else None


async def remember_numbers(
    sessions: async_sessionmaker[AsyncSession], channel: str, user_id: str, mapping: dict[str, str], now: datetime
) -> None:
    """Keep which payload each number shown to this user stands for (a typed number presses it)."""
    if not mapping:
        return
    async with sessions() as session, session.begin():
        await channel_refs.put(
            session=session,
            channel=channel,
            kind="numbers",
            key=user_id,
            value=mapping,
            now=now,
            expires_at=now + NUMBERS_TTL,
        )


async def typed_number(
    sessions: async_sessionmaker[AsyncSession], channel: str, user_id: str, text: str, now: datetime
) -> str | None:
    """The payload a typed number stands for, if the user was last shown numbered buttons."""
    word = text.strip()
    if not word.isdigit() or len(word) > 3:
        return None
    async with sessions() as session:
        mapping = await channel_refs.get(session=session, channel=channel, kind="numbers", key=user_id, now=now)
    return str(mapping[word]) if mapping and word in mapping else None


async def seen_before(sessions: async_sessionmaker[AsyncSession], channel: str, delivery_id: str) -> bool:
    """Whether this delivery was taken in already (a retry: no need to download its media again)."""
    async with sessions() as session:
        return await deliveries.stored_response(session=session, channel=channel, delivery_id=delivery_id) is not None


async def store_media(media_dir: Path, data: bytes, *, filename: str, media_type: str) -> StoredFile:
    """Write a downloaded file under MEDIA_DIR without blocking the loop."""
    return await asyncio.to_thread(store_bytes, media_dir, data, filename=filename, media_type=media_type)


async def rescue(sessions: async_sessionmaker[AsyncSession], channel: str, user_id: str, reply: Reply) -> bool:
    """Hand a reply that could not be sent to the outbox, whose sender retries it; False for strangers."""
    person_id = await person_of(sessions, channel, user_id)
    if person_id is None:
        log.error("%s: a message to an unbound user could not be sent and is dropped", channel)
        return False
    async with sessions() as session, session.begin():
        await outbox.enqueue(
            session=session,
            key=f"{channel}-rescue:{uuid4().hex}",
            person_id=person_id,
            payload=reply_to_dict(reply),
            channel=channel,
        )
    return True
