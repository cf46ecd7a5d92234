"""The batch's write on PostgreSQL's direct path (storage.repos.batch_write): all of it or nothing, every time.

A batch of turns that read and wrote nothing through SQLAlchemy records its deliveries and moves its conversations
in one statement standing alone on asyncpg's connection (no BEGIN, no COMMIT), which fails in the database unless
every delivery was new and every conversation moved; otherwise the statement joins the session's transaction. These
tests hold both to what the session's transaction gave: a seen delivery or a moved conversation keeps nothing of
the batch, a rollback after a read undoes the write, a dead connection fails as SQLAlchemy fails, and a write
cancelled midway leaves nothing written and no transaction open on a pooled connection.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.pool import QueuePool

from handlers.engine.failures import database_unavailable
from storage.models import Conversation, SeenDelivery
from storage.repos import conversations, deliveries
from tests.support.sql import statements
from tests.support.steps import kept_steps, open_conversation, step_args

USERS = ["u1", "u2", "u3"]
_WAITING = "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()"


@pytest.fixture
def postgres_only(engine: AsyncEngine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the direct write is PostgreSQL's; SQLite runs the batch's statements in its transaction")


@pytest.fixture
async def opened(postgres_only: None, sessions: async_sessionmaker[AsyncSession]) -> None:
    for user in USERS:
        await open_conversation(sessions, user)


def _answers(*ids: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [("test", delivery, {"replies": [{"text": delivery}]}) for delivery in ids]


async def _stood(sessions: async_sessionmaker[AsyncSession]) -> tuple[list[tuple[str, str, int]], list[str]]:
    """Each conversation's (user, step, version) and the deliveries recorded, as another session reads them."""
    async with sessions() as s:
        moved = (await s.execute(select(Conversation.user_id, Conversation.step, Conversation.version))).all()
        seen = await s.scalars(select(SeenDelivery.delivery_id).order_by(SeenDelivery.delivery_id))
        return sorted((u, st, v) for u, st, v in moved), list(seen)


async def _driver(s: AsyncSession) -> Any:
    return (await (await s.connection()).get_raw_connection()).driver_connection


async def test_a_batch_that_wrote_nothing_else_is_one_statement_beside_sqlalchemy(
    opened: None, engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    through_sqlalchemy: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *args: through_sqlalchemy.append(args[2]))
    on_the_wire: list[str] = []
    with statements(engine) as sent:
        async with sessions() as s, s.begin():
            kept = await kept_steps(s, USERS, "b")
            (await _driver(s)).add_query_logger(lambda logged: on_the_wire.append(logged.query))
            assert await deliveries.record_many(session=s, channel_answers=_answers("d1", "d2", "d3"), advance=kept)
            assert not (await _driver(s)).is_in_transaction()  # committed already: nothing left to COMMIT
    assert len(sent) == 1 and "INSERT INTO seen_deliveries" in sent[0] and through_sqlalchemy == []
    assert on_the_wire == sent  # one round trip: no BEGIN, no COMMIT around it
    assert await _stood(sessions) == ([("u1", "b", 2), ("u2", "b", 2), ("u3", "b", 2)], ["d1", "d2", "d3"])
    async with sessions() as s:
        assert await s.scalar(select(SeenDelivery.response).where(SeenDelivery.delivery_id == "d2")) == {
            "replies": [{"text": "d2"}]
        }  # the JSON went as SQLAlchemy sends it


async def test_a_delivery_seen_before_keeps_nothing_of_the_batch(
    opened: None, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as s, s.begin():
        assert await deliveries.record_many(session=s, channel_answers=_answers("d2"))
    async with sessions() as s:
        kept = await kept_steps(s, USERS, "b")
        assert not await deliveries.record_many(session=s, channel_answers=_answers("d1", "d2", "d3"), advance=kept)
        await s.rollback()  # as the batch does on a duplicate; the direct write was already undone
    assert await _stood(sessions) == ([("u1", "a", 1), ("u2", "a", 1), ("u3", "a", 1)], ["d2"])


async def test_a_moved_conversation_keeps_nothing_of_the_batch(
    opened: None, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as s:
        kept = await kept_steps(s, USERS, "b")
        async with sessions() as other, other.begin():  # another process took u3's step meanwhile
            await conversations.save(session=other, **step_args("u3", "c"), expected_version=1)
        with pytest.raises(conversations.StaleConversation):
            await deliveries.record_many(session=s, channel_answers=_answers("d1", "d2", "d3"), advance=kept)
        await s.rollback()
    assert await _stood(sessions) == ([("u1", "a", 1), ("u2", "a", 1), ("u3", "c", 2)], [])


async def test_after_a_read_the_write_is_part_of_the_sessions_transaction(
    opened: None, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as s:
        await s.execute(select(Conversation.id))  # the session's transaction has begun
        kept = await kept_steps(s, USERS, "b")
        assert await deliveries.record_many(session=s, channel_answers=_answers("d1", "d2", "d3"), advance=kept)
        assert (await _driver(s)).is_in_transaction()
        await s.rollback()  # a later turn of the batch failed: its rollback undoes the write too
    assert await _stood(sessions) == ([("u1", "a", 1), ("u2", "a", 1), ("u3", "a", 1)], [])


async def test_a_dead_connection_fails_the_write_as_sqlalchemy_does(
    opened: None, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as s:
        kept = await kept_steps(s, USERS, "b")
        backend = (await _driver(s)).get_server_pid()
        async with sessions() as killer, killer.begin():
            await killer.execute(text("select pg_terminate_backend(:pid)"), {"pid": backend})
        with pytest.raises(DBAPIError) as caught:
            await deliveries.record_many(session=s, channel_answers=_answers("d1", "d2", "d3"), advance=kept)
    assert caught.value.connection_invalidated and database_unavailable(caught.value)
    assert await _stood(sessions) == ([("u1", "a", 1), ("u2", "a", 1), ("u3", "a", 1)], [])


async def test_a_write_cancelled_midway_leaves_nothing_and_no_transaction_open(
    opened: None, engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as holder, holder.begin():
        # another transaction holds u2's row: the batch's UPDATE waits on it until it is cancelled
        await holder.execute(select(Conversation).where(Conversation.user_id == "u2").with_for_update())

        async def batch() -> None:
            async with sessions() as s, s.begin():
                kept = await kept_steps(s, USERS, "b")
                await deliveries.record_many(session=s, channel_answers=_answers("d1", "d2", "d3"), advance=kept)

        task = asyncio.ensure_future(batch())
        for _ in range(100):  # until the write waits on the lock
            await asyncio.sleep(0.02)
            waiting = await holder.scalar(text(_WAITING))
            if waiting:
                break
        assert waiting == 1
        while not task.done():  # cancelled again and again: shutting down, say
            task.cancel()
            await asyncio.sleep(0)
        with pytest.raises(asyncio.CancelledError):
            await task
        for _ in range(100):  # asyncpg asks the server to cancel the statement too: it stops waiting
            if not await holder.scalar(text(_WAITING)):
                break
            await asyncio.sleep(0.02)
    assert await _stood(sessions) == ([("u1", "a", 1), ("u2", "a", 1), ("u3", "a", 1)], [])
    assert isinstance(engine.pool, QueuePool)
    for _ in range(engine.pool.size() + 1):  # every connection the pool lends is clean and works
        async with sessions() as s:
            assert not (await _driver(s)).is_in_transaction()
            assert await s.scalar(select(func.count()).select_from(SeenDelivery)) == 0
