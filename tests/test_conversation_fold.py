"""A deferred conversation step written with the turn's delivery record (one statement on PostgreSQL), guarded alike."""

from __future__ import annotations

import logging
import warnings

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.base import utcnow
from storage.models import Conversation, SeenDelivery
from storage.repos import conversation_steps, conversations, deliveries
from storage.repos.upsert import dialect_of
from tests.support.sql import statements
from tests.support.steps import kept_steps, open_conversation, step_args


async def _kept_step(s: AsyncSession, user: str, step: str) -> list[dict[str, object]]:
    conversations.defer(s)
    assert await conversations.save(session=s, **step_args(user, step), expected_version=1) == 2
    kept = conversations.take_deferred(s)
    assert len(kept) == 1 and conversations.take_deferred(s) == []
    return kept


async def _record(s: AsyncSession, delivery: str, kept: list[dict[str, object]]) -> bool:
    return await deliveries.record_many(session=s, channel_answers=[("test", delivery, {"replies": []})], advance=kept)


async def test_the_kept_step_and_the_delivery_are_written_together(sessions: async_sessionmaker[AsyncSession]) -> None:
    await open_conversation(sessions, "u1")
    async with sessions() as s, s.begin():
        assert await _record(s, "d1", await _kept_step(s, "u1", "b"))
    async with sessions() as s:
        conv = await s.scalar(select(Conversation).where(Conversation.user_id == "u1"))
        assert conv is not None and (conv.step, conv.version) == ("b", 2)
        assert await s.scalar(select(func.count()).select_from(SeenDelivery)) == 1


async def test_a_step_another_turn_moved_first_is_stale(sessions: async_sessionmaker[AsyncSession]) -> None:
    await open_conversation(sessions, "u1")
    async with sessions() as s:
        kept = await _kept_step(s, "u1", "b")
        async with sessions() as other, other.begin():  # another process took the same step meanwhile
            await conversations.save(session=other, **step_args("u1", "c"), expected_version=1)
        with pytest.raises(conversations.StaleConversation):
            await _record(s, "d1", kept)
        await s.rollback()


async def test_a_delivery_seen_before_says_so_and_its_step_is_rolled_back(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await open_conversation(sessions, "u1")
    async with sessions() as s, s.begin():
        await deliveries.record_many(session=s, channel_answers=[("test", "d1", {"replies": []})])
    async with sessions() as s:
        assert not await _record(s, "d1", await _kept_step(s, "u1", "b"))
        await s.rollback()
    async with sessions() as s:
        assert await s.scalar(select(Conversation.version).where(Conversation.user_id == "u1")) == 1


async def test_reading_the_conversation_runs_the_kept_step_first(sessions: async_sessionmaker[AsyncSession]) -> None:
    await open_conversation(sessions, "u1")
    async with sessions() as s, s.begin():
        conversations.defer(s)
        await conversations.save(session=s, **step_args("u1", "b"), expected_version=1)
        conv = await conversations.load(session=s, channel="test", user_id="u1")
        await s.refresh(conv)
        assert conv is not None and conv.step == "b"
        assert conversations.take_deferred(s) == []


async def test_a_new_conversation_may_reuse_the_id_of_one_cleared_in_the_same_transaction(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await open_conversation(sessions, "u1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # SQLAlchemy's "identity map already had an identity" warning fails it
        async with sessions() as s, s.begin():
            loaded = await conversations.load(session=s, channel="test", user_id="u1")
            assert loaded is not None
            await conversations.clear(session=s, channel="test", user_id="u1")
            await conversations.save(session=s, **step_args("u2", "a"), expected_version=None)  # SQLite reuses the id
    async with sessions() as s:
        assert [c.user_id for c in await s.scalars(select(Conversation))] == ["u2"]


async def test_the_steps_of_a_batch_are_written_in_one_statement(sessions: async_sessionmaker[AsyncSession]) -> None:
    users = ["u1", "u2", "u3"]
    for user in users:
        await open_conversation(sessions, user)
    with statements(sessions.kw["bind"]) as seen:
        async with sessions() as s, s.begin():
            kept = await kept_steps(s, users, "b")
            assert not [sql for sql in seen if "UPDATE conversations" in sql]  # kept, not yet run
            await deliveries.record_many(
                session=s, channel_answers=[("test", f"d{i}", {"replies": []}) for i in range(3)], advance=kept
            )
    assert len([sql for sql in seen if "UPDATE conversations" in sql]) == 1
    # PostgreSQL: the steps ride on the deliveries' INSERT; SQLite (no UPDATE in a WITH) runs them just before it
    assert len([sql for sql in seen if sql != "BEGIN IMMEDIATE"]) == (1 if dialect_of(s) == "postgresql" else 2)
    async with sessions() as s:
        rows = (await s.execute(select(Conversation.user_id, Conversation.step, Conversation.version))).all()
        assert sorted(tuple(r) for r in rows) == [("u1", "b", 2), ("u2", "b", 2), ("u3", "b", 2)]
        conv = await s.scalar(select(Conversation).where(Conversation.user_id == "u2"))
        assert conv is not None and conv.data == {"values": {}} and conv.expires_at > utcnow()


async def test_one_moved_conversation_makes_the_whole_batch_stale(sessions: async_sessionmaker[AsyncSession]) -> None:
    for user in ("u1", "u2"):
        await open_conversation(sessions, user)
    async with sessions() as s:
        kept = await kept_steps(s, ["u1", "u2"], "b")
        async with sessions() as other, other.begin():  # another process took u2's step meanwhile
            await conversations.save(session=other, **step_args("u2", "c"), expected_version=1)
        with pytest.raises(conversations.StaleConversation):
            await deliveries.record_many(
                session=s, channel_answers=[("test", f"d{i}", {"replies": []}) for i in range(2)], advance=kept
            )
        await s.rollback()
    async with sessions() as s:
        steps = dict((await s.execute(select(Conversation.user_id, Conversation.step))).all())
        assert steps == {"u1": "a", "u2": "c"}


async def test_a_second_step_of_the_same_conversation_writes_the_first(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await open_conversation(sessions, "u1")
    async with sessions() as s, s.begin():
        conversations.defer(s)
        await conversations.save(session=s, **step_args("u1", "b"), expected_version=1)
        assert await conversations.save(session=s, **step_args("u1", "c"), expected_version=2) == 3
        await conversation_steps.advance_many(session=s, params=conversations.take_deferred(s))
    async with sessions() as s:
        assert (await s.execute(select(Conversation.step, Conversation.version))).one() == ("c", 3)


async def test_the_batch_statement_is_compiled_once(
    sessions: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    # pins SQLAlchemy's documented compilation cache for the statement built per batch size (VALUES with data was not
    # cached: compiled anew for every batch, it cost more than the UPDATEs it replaced)
    for user in ("u1", "u2"):
        await open_conversation(sessions, user)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine.Engine")
    for step, version in (("b", 1), ("c", 2)):
        async with sessions() as s, s.begin():
            conversations.defer(s)
            for user in ("u1", "u2"):
                await conversations.save(session=s, **step_args(user, step), expected_version=version)
            await conversation_steps.advance_many(session=s, params=conversations.take_deferred(s))
    logged = [r.getMessage() for r in caplog.records]
    batch = [i for i, m in enumerate(logged) if "UPDATE conversations" in m]
    assert len(batch) == 2 and "[cached since" in logged[batch[1] + 1]
