"""Conversation state, persisted after every step and guarded by a version number."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation

# Built once: every step of every conversation runs it.
_ADVANCE = (
    update(Conversation)
    .where(
        Conversation.channel == bindparam("of_channel"),
        Conversation.user_id == bindparam("of_user"),
        Conversation.version == bindparam("expected"),
    )
    .values(
        {
            Conversation.flow: bindparam("new_flow"),
            Conversation.step: bindparam("new_step"),
            Conversation.data: bindparam("new_data", type_=Conversation.data.type),
            Conversation.version: bindparam("next_version"),
            Conversation.expires_at: bindparam("new_expiry", type_=Conversation.expires_at.type),
            Conversation.updated_at: bindparam("now", type_=Conversation.updated_at.type),
        }
    )
    .execution_options(synchronize_session=False)
)


class StaleConversation(Exception):
    """Another turn changed the conversation since it was read; the caller retries."""


_OF_USER = (Conversation.channel == bindparam("channel"), Conversation.user_id == bindparam("user_id"))
_LOAD = select(Conversation).where(*_OF_USER)
_CLEAR = delete(Conversation).where(*_OF_USER).execution_options(synchronize_session=False)


async def load(*, session: AsyncSession, channel: str, user_id: str) -> Conversation | None:
    """The conversation of this channel user, if one is open."""
    return await session.scalar(_LOAD, {"channel": channel, "user_id": user_id})


async def save(
    *,
    session: AsyncSession,
    channel: str,
    user_id: str,
    flow: str,
    step: str,
    data: dict[str, Any],
    expires_at: datetime,
    now: datetime,
    expected_version: int | None,
) -> int:
    """Create or update the conversation; raise StaleConversation if its version moved. Returns the new version."""
    if expected_version is None:
        session.add(
            Conversation(
                channel=channel,
                user_id=user_id,
                flow=flow,
                step=step,
                data=data,
                version=1,
                expires_at=expires_at,
                updated_at=now,
            )
        )
        await session.flush()
        return 1
    params = {
        "of_channel": channel,
        "of_user": user_id,
        "expected": expected_version,
        "next_version": expected_version + 1,
        "new_flow": flow,
        "new_step": step,
        "new_data": data,
        "new_expiry": expires_at,
        "now": now,
    }
    result = await session.execute(_ADVANCE, params)
    if getattr(result, "rowcount", 0) != 1:
        raise StaleConversation(f"{channel}:{user_id}")
    return expected_version + 1


async def clear(*, session: AsyncSession, channel: str, user_id: str) -> None:
    """End the conversation (submitted, cancelled or expired)."""
    await session.execute(_CLEAR, {"channel": channel, "user_id": user_id})


async def clear_many(*, session: AsyncSession, ids: Collection[int]) -> None:
    """End these conversations in one statement (the expiry sweep)."""
    if ids:
        await session.execute(
            delete(Conversation).where(Conversation.id.in_(list(ids))).execution_options(synchronize_session=False)
        )


async def expired(*, session: AsyncSession, now: datetime, limit: int = 500) -> list[Conversation]:
    """Conversations whose time ran out."""
    query = select(Conversation).where(Conversation.expires_at <= now).order_by(Conversation.expires_at).limit(limit)
    return list(await session.scalars(query))
