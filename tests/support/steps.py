"""Conversation steps as a batch of turns keeps them (conversations.defer), for the tests of the batch's write."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.base import utcnow
from storage.repos import conversations


async def open_conversation(sessions: async_sessionmaker[AsyncSession], user: str) -> None:
    """A conversation of this test user at step "a" (version 1)."""
    async with sessions() as s, s.begin():
        await conversations.save(session=s, **step_args(user, "a"), expected_version=None)


def step_args(user: str, at: str) -> dict[str, Any]:
    """save()'s arguments for this user's conversation at step `at`."""
    now = utcnow()
    return {
        "channel": "test",
        "user_id": user,
        "flow": "activity",
        "step": at,
        "data": {"values": {}},
        "expires_at": now + timedelta(hours=1),
        "now": now,
    }


async def kept_steps(s: AsyncSession, users: list[str], at: str) -> list[dict[str, object]]:
    """Several people's steps kept in one session, as a batch of turns keeps them (group commit)."""
    conversations.defer(s)
    for user in users:
        assert await conversations.save(session=s, **step_args(user, at), expected_version=1) == 2
    kept = conversations.take_deferred(s)
    assert len(kept) == len(users)
    return kept
