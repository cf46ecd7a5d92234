"""Conversation state, persisted after every step and guarded by a version number."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation
from storage.repos.conversation_steps import StaleConversation as StaleConversation  # the engine's name for it
from storage.repos.conversation_steps import advance, advance_many

# A turn's conversation step is written at the end of its transaction, in as few statements as the turns that share
# it allow: `defer` lets `save` keep the UPDATE's parameters in the session until `take_deferred`, and the caller
# (deliveries.record_many) runs them all as one statement, which on PostgreSQL is also the one that records the
# turns' deliveries. Every other function here runs the kept UPDATEs first, so the session reads its own writes.
_DEFERS, _KEPT = "studio_defer_advance", "studio_kept_advance"
# The (channel, user) conversations this session created, moved or ended: for those a read made before is out of date.
_WRITTEN, _ALL = "studio_conversations_written", ("*", "*")


def defer(session: AsyncSession) -> None:
    """Let `save` keep this session's conversation UPDATEs for the turns' last statements (see take_deferred)."""
    session.info[_DEFERS] = True


def take_deferred(session: AsyncSession) -> list[dict[str, Any]]:
    """The kept conversation UPDATEs' parameters (one per conversation), now the caller's to run (advance_many)."""
    kept: dict[tuple[str, str], dict[str, Any]] = session.info.pop(_KEPT, {})
    return list(kept.values())


async def _run_kept(session: AsyncSession) -> None:
    await advance_many(session=session, params=take_deferred(session))


_OF_USER = (Conversation.channel == bindparam("channel"), Conversation.user_id == bindparam("user_id"))
_LOAD = select(Conversation).where(*_OF_USER)
_CLEAR = delete(Conversation).where(*_OF_USER).execution_options(synchronize_session=False)


async def load(*, session: AsyncSession, channel: str, user_id: str) -> Conversation | None:
    """The conversation of this channel user, if one is open."""
    await _run_kept(session)
    return await session.scalar(_LOAD, {"channel": channel, "user_id": user_id})


async def still_open(
    *, session: AsyncSession, channel: str, user_id: str, read: Conversation | None
) -> Conversation | None:
    """The conversation of this channel user: `read`, this session's earlier read of it, unless the session has
    written that conversation since (then it is read again)."""
    written = session.info.get(_WRITTEN, ())
    if (channel, user_id) in written or _ALL in written:
        return await load(session=session, channel=channel, user_id=user_id)
    return read


def _wrote(session: AsyncSession, channel: str, user_id: str) -> None:
    session.info.setdefault(_WRITTEN, set()).add((channel, user_id))


def wrote_any(session: AsyncSession) -> bool:
    """Whether this session created, moved (other than by a kept step) or ended any conversation."""
    return bool(session.info.get(_WRITTEN))


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

    In a session given to `defer`, an UPDATE is kept for the turns' last statements, which raise StaleConversation.
    """
    if (channel, user_id) in session.info.get(_KEPT, {}):
        await _run_kept(session)  # this conversation's kept step first: this one expects its version
    _wrote(session, channel, user_id)
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
        session.info.setdefault(_KEPT, {})[(channel, user_id)] = params
    else:
        await advance(session=session, params=params)
    return expected_version + 1


async def clear(*, session: AsyncSession, channel: str, user_id: str) -> None:
    """End the conversation (submitted, cancelled or expired)."""
    await _run_kept(session)
    _wrote(session, channel, user_id)
    await session.execute(_CLEAR, {"channel": channel, "user_id": user_id})
    # the row is gone but a loaded object of it stays in the session; SQLite may give its id to the next new
    # conversation in the same transaction (another person's turn under group commit): forget the old object
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Conversation) and (obj.channel, obj.user_id) == (channel, user_id):
            session.expunge(obj)


async def clear_many(*, session: AsyncSession, ids: Collection[int]) -> None:
    """End these conversations in one statement (the expiry sweep)."""
    await _run_kept(session)
    _wrote(session, *_ALL)
    if ids:
        await session.execute(
            delete(Conversation).where(Conversation.id.in_(list(ids))).execution_options(synchronize_session=False)
        )


async def expired(*, session: AsyncSession, now: datetime, limit: int = 500) -> list[Conversation]:
    """Conversations whose time ran out."""
    await _run_kept(session)
    query = select(Conversation).where(Conversation.expires_at <= now).order_by(Conversation.expires_at).limit(limit)
    return list(await session.scalars(query))
