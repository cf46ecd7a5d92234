"""PostgreSQL turns read outside a transaction and begin one at their first write: still all or nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import lazy_begin
from storage.base import utcnow
from storage.database import create_engine, session_factory
from storage.repos import conversations, deliveries


@pytest.fixture
async def pg(postgres_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a private PostgreSQL database (the fast path exists only there)."""
    engine = create_engine(postgres_url)
    yield session_factory(engine)
    await engine.dispose()


async def in_transaction(session: AsyncSession) -> bool:
    """Whether the session's connection is inside a transaction block on the server (asyncpg's own word)."""
    raw = await (await session.connection()).get_raw_connection()
    return bool(raw.driver_connection.is_in_transaction())  # type: ignore[union-attr]


async def save(session: AsyncSession, user: str, expected: int | None, *, defer: bool = False) -> None:
    if defer:
        conversations.defer(session)
    now = utcnow()
    await conversations.save(
        session=session,
        channel="test",
        user_id=user,
        flow="activity",
        step=f"after-{expected}",
        data={"values": {}},
        expires_at=now + timedelta(minutes=30),
        now=now,
        expected_version=expected,
    )


async def step(sessions: async_sessionmaker[AsyncSession], delivery: str, expected: int) -> bool:
    """One conversation step of user u1 as a plain turn writes it: its delivery and its step in one statement."""
    async with sessions() as session, session.begin():
        await lazy_begin.read_first(session)
        await save(session, "u1", expected, defer=True)
        recorded = await deliveries.record_many(
            session=session,
            channel_answers=[("test", delivery, {"replies": []})],
            advance=conversations.take_deferred(session),
        )
        assert not await in_transaction(session)  # nothing began one: the statement stood alone
        return recorded


async def version(sessions: async_sessionmaker[AsyncSession]) -> int | None:
    async with sessions() as session:
        found = await conversations.load(session=session, channel="test", user_id="u1")
        return found.version if found else None


async def test_reads_run_outside_a_transaction_and_a_turn_that_fails_after_writing_leaves_nothing(
    pg: async_sessionmaker[AsyncSession],
):
    with pytest.raises(RuntimeError):
        async with pg() as session, session.begin():
            await lazy_begin.read_first(session)
            assert not await in_transaction(session)
            await save(session, "u1", None)  # a new conversation: an INSERT, so a transaction begins before it
            assert await in_transaction(session)
            raise RuntimeError("the turn fails after its first write")
    assert await version(pg) is None
    async with pg() as session, session.begin():
        await lazy_begin.read_first(session)
        await save(session, "u1", None)
    assert await version(pg) == 1


async def test_a_step_moves_the_conversation_only_with_its_delivery_and_never_for_a_delivery_seen_before(
    pg: async_sessionmaker[AsyncSession],
):
    async with pg() as session, session.begin():
        await save(session, "u1", None)
    assert await step(pg, "d1", expected=1) is True
    assert await version(pg) == 2
    assert await step(pg, "d1", expected=2) is False  # the same delivery again: the step is not taken twice
    assert await version(pg) == 2
    with pytest.raises(conversations.StaleConversation):
        await step(pg, "d2", expected=1)  # another turn moved the conversation first: this one is not recorded
    async with pg() as session:
        assert await deliveries.stored_response(session=session, channel="test", delivery_id="d2") is None
    assert await step(pg, "d2", expected=2) is True  # redone on what the other turn wrote
    assert await version(pg) == 3
