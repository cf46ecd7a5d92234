"""PostgreSQL commits: a turn that changed nothing skips the WAL flush wait; a turn that wrote anything waits for it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.database import relax_commit_if_unwritten
from storage.models import SeenDelivery
from tests.support import Clock, Transcript, World, make_bot
from tests.support.fixtures import clock_fixture, entries, world_fixture  # noqa: F401
from tests.support.sql import statements


@contextmanager
def commit_settings(engine: AsyncEngine) -> Iterator[list[str]]:
    """synchronous_commit as each transaction committed in the block had it, read inside it just before COMMIT."""
    seen: list[str] = []

    def record(conn: Any) -> None:
        seen.append(conn.exec_driver_sql("SHOW synchronous_commit").scalar())

    event.listen(engine.sync_engine, "commit", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "commit", record)


@pytest.fixture
def postgres_only(engine: AsyncEngine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's (SQLite's fast path commits with synchronous=NORMAL)")


async def test_a_strangers_greeting_commits_without_waiting_for_the_flush(
    postgres_only: None, world: World, sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine, clock: Clock
) -> None:
    bot = make_bot(sessions, clock=clock, group_commit=False)
    stranger = Transcript(bot, "a-stranger")
    with commit_settings(engine) as seen:
        await stranger.say("你好")
    assert seen == ["off"]
    async with sessions() as s:  # its delivery is still recorded: a retry is answered from it
        assert await s.scalar(select(func.count()).select_from(SeenDelivery)) == 1
    with commit_settings(engine) as seen:  # SET LOCAL: the next transaction on the connection waits again
        async with sessions() as s, s.begin():
            await s.execute(select(1))
    assert seen == ["on"]


async def test_a_step_someone_typed_commits_only_once_it_is_flushed(
    postgres_only: None, world: World, sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine, clock: Clock
) -> None:
    bot = make_bot(sessions, clock=clock, group_commit=False)
    lead = Transcript(bot, "lead")
    with commit_settings(engine) as seen:
        await lead.say("记录活动")  # a conversation opened: their step must survive a crash of the server
        await lead.press("今天")
    assert seen == ["on", "on"]


async def test_a_turn_that_opened_or_ended_a_conversation_does_not_ask(
    postgres_only: None, world: World, sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine, clock: Clock
) -> None:
    bot = make_bot(sessions, clock=clock, group_commit=False)
    lead = Transcript(bot, "lead")
    with statements(engine) as sent:
        await lead.say("记录活动")  # opens a conversation
        await lead.say("取消")  # ends it
    assert not [sql for sql in sent if "synchronous_commit" in sql]  # written already: the answer is known
    with statements(engine) as sent:
        await Transcript(bot, "a-stranger").say("你好")
    assert len([sql for sql in sent if "synchronous_commit" in sql]) == 1


async def test_a_transaction_that_wrote_anything_keeps_waiting_for_the_flush(
    postgres_only: None, world: World, sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    async with sessions() as s, s.begin():
        s.add(SeenDelivery(channel="test", delivery_id="written-core", response={"replies": []}))
        await s.flush()  # written already, out of the session's sight: PostgreSQL still knows
        assert await relax_commit_if_unwritten(s) is False
    with commit_settings(engine) as seen:
        async with sessions() as s, s.begin():
            s.add(SeenDelivery(channel="test", delivery_id="pending", response={"replies": []}))
            assert await relax_commit_if_unwritten(s) is False  # pending in the session: not even asked
    assert seen == ["on"]
