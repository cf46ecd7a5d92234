"""Conversation state, persisted after every step and guarded by a version number."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation

# Built once: every step of every conversation runs it. On the table, not the entity, and run on the
# session's connection: the ORM's UPDATE path synchronises loaded objects, which is not wanted here and
# costs more than the statement itself (bench/README.md).
_TABLE = cast(Table, Conversation.__table__)
ADVANCE = (  # deliveries.record_many folds it into its INSERT on PostgreSQL
    update(_TABLE)
    .where(
        _TABLE.c.channel == bindparam("of_channel"),
        _TABLE.c.user_id == bindparam("of_user"),
        _TABLE.c.version == bindparam("expected"),
    )
    .values(
        {
            _TABLE.c.flow: bindparam("new_flow"),
            _TABLE.c.step: bindparam("new_step"),
            _TABLE.c.data: bindparam("new_data", type_=_TABLE.c.data.type),
            _TABLE.c.version: bindparam("next_version"),
            _TABLE.c.expires_at: bindparam("new_expiry", type_=_TABLE.c.expires_at.type),
            _TABLE.c.updated_at: bindparam("now", type_=_TABLE.c.updated_at.type),
        }
    )
)


class StaleConversation(Exception):
    """Another turn changed the conversation since it was read; the caller retries."""


# A turn on PostgreSQL writes its conversation step in the statement that records the delivery (deliveries.
# record_many), one round trip instead of two: `defer` lets `save` keep the UPDATE's parameters in the session
# until `take_deferred`; every other function here runs a kept UPDATE first, so the session reads its own writes.
_DEFERS, _KEPT = "studio_defer_advance", "studio_kept_advance"


def defer(session: AsyncSession) -> None:
    """Let `save` keep this session's conversation UPDATE for the turn's last statement (see take_deferred)."""
    session.info[_DEFERS] = True


def take_deferred(session: AsyncSession) -> dict[str, Any] | None:
    """The kept conversation UPDATE's parameters, now the caller's to run (deliveries.record_many), if any."""
    return cast("dict[str, Any] | None", session.info.pop(_KEPT, None))


async def _run_kept(session: AsyncSession) -> None:
    if (params := take_deferred(session)) is not None:
        await advance(session=session, params=params)


async def advance(*, session: AsyncSession, params: dict[str, Any]) -> None:
    """Run one version-checked conversation UPDATE; StaleConversation if another turn moved it first."""
    result = await (await session.connection()).execute(ADVANCE, params)
    if getattr(result, "rowcount", 0) != 1:
        raise StaleConversation(f"{params['of_channel']}:{params['of_user']}")


_OF_USER = (Conversation.channel == bindparam("channel"), Conversation.user_id == bindparam("user_id"))
_LOAD = select(Conversation).where(*_OF_USER)
_CLEAR = delete(Conversation).where(*_OF_USER).execution_options(synchronize_session=False)


async def load(*, session: AsyncSession, channel: str, user_id: str) -> Conversation | None:
    """The conversation of this channel user, if one is open."""
    await _run_kept(session)
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
    """Create or update the conversation; raise StaleConversation if its version moved. Returns the new version.

    In a session given to `defer`, an UPDATE is kept for the turn's last statement, which raises StaleConversation.
    """
    await _run_kept(session)
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
    if session.info.get(_DEFERS):
        session.info[_KEPT] = params
    else:
        await advance(session=session, params=params)
    return expected_version + 1


async def clear(*, session: AsyncSession, channel: str, user_id: str) -> None:
    """End the conversation (submitted, cancelled or expired)."""
    await _run_kept(session)
    await session.execute(_CLEAR, {"channel": channel, "user_id": user_id})
    # the row is gone but a loaded object of it stays in the session; SQLite may give its id to the next new
    # conversation in the same transaction (another person's turn under group commit): forget the old object
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Conversation) and (obj.channel, obj.user_id) == (channel, user_id):
            session.expunge(obj)


async def clear_many(*, session: AsyncSession, ids: Collection[int]) -> None:
    """End these conversations in one statement (the expiry sweep)."""
    await _run_kept(session)
    if ids:
        await session.execute(
            delete(Conversation).where(Conversation.id.in_(list(ids))).execution_options(synchronize_session=False)
        )


async def expired(*, session: AsyncSession, now: datetime, limit: int = 500) -> list[Conversation]:
    """Conversations whose time ran out."""
    await _run_kept(session)
    query = select(Conversation).where(Conversation.expires_at <= now).order_by(Conversation.expires_at).limit(limit)
    return list(await session.scalars(query))
