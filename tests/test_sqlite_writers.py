"""SQLite's write lock within one process: writers queue in arrival order and wait no longer than the holder."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from storage import database
from storage.database import create_engine, session_factory

WRITERS = 4


async def test_writers_of_one_process_take_the_lock_in_arrival_order(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    sessions = session_factory(engine)
    order: list[int] = []

    async def writer(n: int) -> None:
        async with sessions() as session, session.begin():
            await session.execute(text("SELECT 1"))
            order.append(n)

    try:
        async with sessions() as holder, holder.begin():
            await holder.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the write lock is this session's
            waiting = []
            for n in range(WRITERS):
                waiting.append(asyncio.create_task(writer(n)))
                await asyncio.sleep(0.02)  # each writer arrives after the one before it has started waiting
            await asyncio.sleep(0.1)
            assert order == []  # nobody wrote while the lock was held
        await asyncio.wait_for(asyncio.gather(*waiting), 5)
        assert order == list(range(WRITERS))  # first come, first served: a message answered in its turn
    finally:
        await engine.dispose()


async def test_a_writer_refused_past_the_busy_timeout_gets_sqlites_locked_error(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 200)
    engine = create_engine(sqlite_url)
    sessions = session_factory(engine)
    try:
        async with sessions() as holder, holder.begin():
            await holder.execute(text("SELECT 1"))
            with pytest.raises(OperationalError, match="database is locked"):
                async with sessions() as late, late.begin():
                    await late.execute(text("SELECT 1"))
        async with sessions() as after, after.begin():  # the refused writer left no place held in the queue
            assert (await after.execute(text("SELECT 1"))).scalar() == 1
    finally:
        await engine.dispose()
