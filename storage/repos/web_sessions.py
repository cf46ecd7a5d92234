"""The web console's sign-in links and sessions: secrets kept only as sha256, single use by conditional UPDATE."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import WebLink, WebSession


def hash_token(token: str) -> str:
    """The sha256 under which a link's or a session's secret is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


async def add_link(
    *, session: AsyncSession, person_id: int, token: str, expires_at: datetime, now: datetime
) -> WebLink:
    """Store a new sign-in link for a person."""
    row = WebLink(token_hash=hash_token(token), person_id=person_id, expires_at=expires_at, created_at=now)
    session.add(row)
    await session.flush()
    return row


async def links_since(*, session: AsyncSession, person_id: int, since: datetime) -> int:
    """How many links were issued to this person since a moment (the rate limit counts them)."""
    query = select(func.count(WebLink.id)).where(WebLink.person_id == person_id, WebLink.created_at >= since)
    return int(await session.scalar(query) or 0)


async def find_link(*, session: AsyncSession, token: str) -> WebLink | None:
    """The link stored under this secret, used or not."""
    return await session.scalar(select(WebLink).where(WebLink.token_hash == hash_token(token)))


async def use_link(*, session: AsyncSession, link_id: int, now: datetime) -> bool:
    """Mark a link used if it is still unused and unexpired; of two concurrent uses exactly one gets True."""
    result = await session.execute(
        update(WebLink)
        .where(WebLink.id == link_id, WebLink.used_at.is_(None), WebLink.expires_at > now)
        .values(used_at=now)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def open_session(*, session: AsyncSession, person_id: int, token: str, now: datetime) -> WebSession:
    """Store a new session for a person under the hash of its cookie."""
    row = WebSession(token_hash=hash_token(token), person_id=person_id, last_seen_at=now, created_at=now)
    session.add(row)
    await session.flush()
    return row


async def live_session(
    *, session: AsyncSession, token: str, now: datetime, idle: timedelta, lifetime: timedelta
) -> WebSession | None:
    """The session behind a cookie if it is not revoked, not idle longer than `idle`, not older than `lifetime`."""
    query = select(WebSession).where(
        WebSession.token_hash == hash_token(token),
        WebSession.revoked_at.is_(None),
        WebSession.last_seen_at > now - idle,
        WebSession.created_at > now - lifetime,
    )
    return await session.scalar(query)


async def touch(*, session: AsyncSession, session_id: int, now: datetime) -> None:
    """Note that the session was used now (its idle time starts again)."""
    await session.execute(update(WebSession).where(WebSession.id == session_id).values(last_seen_at=now))


async def revoke(*, session: AsyncSession, session_id: int, now: datetime) -> None:
    """End one session (signing out)."""
    await session.execute(
        update(WebSession).where(WebSession.id == session_id, WebSession.revoked_at.is_(None)).values(revoked_at=now)
    )


async def revoke_all(*, session: AsyncSession, person_id: int, now: datetime) -> int:
    """End every session of a person, and void their unused links; how many sessions were open."""
    await session.execute(
        update(WebLink).where(WebLink.person_id == person_id, WebLink.used_at.is_(None)).values(expires_at=now)
    )
    result = await session.execute(
        update(WebSession)
        .where(WebSession.person_id == person_id, WebSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)
