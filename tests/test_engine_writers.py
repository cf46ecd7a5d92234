"""A second writer on PostgreSQL: a batch runs beside the one committing, and nobody's turn is lost or doubled.

SQLite takes one writer: one batch at a time there, as before (the same tests, the other answer)."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

import handlers.engine.pipeline
from handlers.core.i18n import t
from handlers.core.types import Reply
from handlers.engine.context import Context
from storage.database import concurrent_writers, create_engine, session_factory
from storage.models import OutboxMessage, Person, SeenDelivery
from tests.support import Clock, Transcript, World, add_identity, make_bot, make_world
from tests.support.fixtures import clock_fixture, entries, world_fixture  # noqa: F401
from tests.support.sql import open_at_once

ERROR = t("engine.error", "zh_CN")
PEOPLE = 6
TO_SUMMARY = ("记录活动", "今天", "学习", "读标准", "跳过", "李明", "1", "读了新标准", "跳过", "跳过")


async def chats(
    sessions: async_sessionmaker[AsyncSession], world: World, bot: handlers.engine.pipeline.Bot, n: int = PEOPLE
) -> list[Transcript]:
    """Six of the lead's accounts (or n), as many writers."""
    for i in range(n):
        await add_identity(sessions, world.lead, f"phone-{i}")
    return [Transcript(bot, f"phone-{i}") for i in range(n)]


async def at_the_summary(people: list[Transcript]) -> None:
    """Everyone has a ledger entry ready to submit."""
    for chat in people:
        for answer in TO_SUMMARY:
            await chat.say(answer)
        chat.expect("请核对")


async def test_a_slow_turn_holds_up_other_peoples_only_where_the_database_takes_one_writer(
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
):
    writers = concurrent_writers(sessions)  # PostgreSQL 2, SQLite 1
    bot = make_bot(sessions, clock=clock)
    slow, *others = await chats(sessions, world, bot)
    held, go = asyncio.Event(), asyncio.Event()
    real = handlers.engine.pipeline.dispatch  # type: ignore[attr-defined]

    async def slow_for_one(ctx: Context) -> list[Reply]:
        if ctx.incoming.user_id == slow.user and not go.is_set():
            held.set()
            with suppress(TimeoutError):
                await asyncio.wait_for(go.wait(), 20)
        return await real(ctx)

    monkeypatch.setattr(handlers.engine.pipeline, "dispatch", slow_for_one)
    with open_at_once(engine) as count:
        first = asyncio.create_task(slow.say("记录活动"))
        await held.wait()  # its transaction is open, its answer being worked out
        rest = asyncio.gather(*(chat.say("记录活动") for chat in others))
        answered, _ = await asyncio.wait([rest], timeout=10 if writers > 1 else 0.5)
        go.set()
        await asyncio.gather(first, rest)

    assert bool(answered) == (writers > 1)  # on PostgreSQL the others were answered while the slow turn ran
    assert count[1] == writers  # never more transactions at once than the database takes writers
    for chat in [slow, *others]:
        chat.expect("活动是哪天")


async def test_a_failing_turn_beside_a_committing_batch_is_rolled_back_alone(
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
):
    writers = concurrent_writers(sessions)
    bot = make_bot(sessions, clock=clock)
    people = await chats(sessions, world, bot)
    await at_the_summary(people)
    failing = people[0]
    submit = failing.button("提交")
    committed, beside = asyncio.Event(), list[bool]()
    real = handlers.engine.pipeline.dispatch  # type: ignore[attr-defined]

    async def failing_for_one(ctx: Context) -> list[Reply]:
        if ctx.incoming.user_id == failing.user:
            if not beside:  # a bug, found only once another batch committed (or a while, on SQLite)
                committed.clear()
                with suppress(TimeoutError):
                    await asyncio.wait_for(committed.wait(), 10 if writers > 1 else 0.3)
                beside.append(committed.is_set())
            raise RuntimeError("a bug in one person's turn")
        return await real(ctx)

    def commit(_conn: Any) -> None:
        committed.set()

    monkeypatch.setattr(handlers.engine.pipeline, "dispatch", failing_for_one)
    event.listen(engine.sync_engine, "commit", commit)
    try:
        await asyncio.gather(*(chat.press("提交") for chat in people))
    finally:
        event.remove(engine.sync_engine, "commit", commit)

    assert beside == [writers > 1]  # on PostgreSQL another batch committed while the failing one ran
    failing.expect(ERROR)
    for chat in people[1:]:  # those who shared its batch were answered after running again alone
        chat.expect("已提交")
    assert len(await entries(sessions)) == PEOPLE - 1  # nobody's submission lost or done twice

    monkeypatch.setattr(handlers.engine.pipeline, "dispatch", real)
    await failing.press_button(submit)  # nothing of the failed turn stuck
    failing.expect("已提交")
    assert len(await entries(sessions)) == PEOPLE


# six people: two batches of three, the one PostgreSQL fails runs its turns alone; two: the failed lone turn runs again
@pytest.mark.parametrize(("n", "rerun"), [(PEOPLE, "turns rolled back"), (2, "conflicted with another")])
async def test_two_batches_that_deadlock_on_postgresql_lose_no_submission_and_do_none_twice(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, n: int, rerun: str
):
    caplog.set_level(logging.INFO)
    engine = create_engine(postgres_url)  # a private PostgreSQL database, whichever database the run uses
    try:
        await _deadlocking_submissions(engine, monkeypatch, n)
    finally:
        await engine.dispose()
    assert rerun in caplog.text


async def _deadlocking_submissions(engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    sessions = session_factory(engine)
    world = await make_world(sessions)
    bot = make_bot(sessions)
    people = await chats(sessions, world, bot, n)
    await at_the_summary(people)
    before = await _counts(sessions)
    rows = [world.members[0].id, world.members[1].id]  # two rows the two batches lock in opposite orders
    locked: list[asyncio.Event] = [asyncio.Event(), asyncio.Event()]
    dancers: dict[int, int] = {}  # transaction (session) → which of the two rows it locks first
    real = handlers.engine.pipeline.dispatch  # type: ignore[attr-defined]

    async def deadlocking(ctx: Context) -> list[Reply]:
        key = id(ctx.session)
        if key not in dancers and len(dancers) < 2:  # the first turn of each of the first two transactions
            mine = dancers[key] = len(dancers)
            await ctx.session.execute(text("SET LOCAL deadlock_timeout = '50ms'"))
            await ctx.session.execute(select(Person.id).where(Person.id == rows[mine]).with_for_update())
            locked[mine].set()
            await asyncio.wait_for(locked[1 - mine].wait(), 10)  # both batches in flight, each holding a row
            # PostgreSQL fails one of them
            await ctx.session.execute(select(Person.id).where(Person.id == rows[1 - mine]).with_for_update())
        return await real(ctx)

    monkeypatch.setattr(handlers.engine.pipeline, "dispatch", deadlocking)
    with open_at_once(engine) as count:
        await asyncio.gather(*(chat.press("提交") for chat in people))

    assert count[1] == 2 and all(e.is_set() for e in locked)  # the two batches met, and one was rolled back
    for chat in people:
        chat.expect("已提交")
        assert ERROR not in chat.text
    assert len(await entries(sessions)) == n  # each submission once: none lost to the rollback, none doubled
    recorded, notices = (after - earlier for after, earlier in zip(await _counts(sessions), before, strict=True))
    assert recorded == n and notices > 0 and notices % n == 0  # each turn recorded once, everyone's notices sent


async def _counts(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    """Deliveries recorded, messages queued."""
    async with sessions() as session:
        seen = await session.scalar(select(func.count()).select_from(SeenDelivery))
        queued = await session.scalar(select(func.count()).select_from(OutboxMessage))
    return seen or 0, queued or 0
