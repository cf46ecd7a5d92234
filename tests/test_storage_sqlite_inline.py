"""SQLite runs on the event loop, yet a writer waiting for another's lock never stalls the loop."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

import storage.database
from storage.database import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import Union, UnionLevel
from storage.repos import org


async def _ticking_while(work: asyncio.Task[object]) -> int:
    """How often a 10 ms ticker ran while work was pending."""
    ticks = 0
    while not work.done():
        await asyncio.sleep(0.01)
        ticks += 1
    return ticks


@pytest.fixture
async def url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'studio.db'}"
    await upgrade(url)
    return url


def _hold_write_lock(url: str) -> sqlite3.Connection:
    """Another process taking the write lock, as the CLI or the scheduler would."""
    other = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


async def test_a_writer_waits_for_the_lock_while_the_loop_keeps_running(url: str) -> None:
    engine = create_engine(url)
    sessions = session_factory(engine)
    other = _hold_write_lock(url)

    async def write() -> None:
        async with sessions() as session, session.begin():
            await org.create_union(session=session, name="浦东新区总工会", level=UnionLevel.DISTRICT)

    try:
        work = asyncio.ensure_future(write())
        loop = asyncio.get_running_loop()
        loop.call_later(0.3, other.commit)
        ticks = await _ticking_while(work)
        await work
        assert ticks >= 10, "the event loop stalled while the writer waited for the lock"
        async with sessions() as session:
            assert await session.scalar(select(func.count()).select_from(Union)) == 1
    finally:
        other.close()
        await engine.dispose()


async def test_a_lock_held_past_the_busy_timeout_fails_and_writes_nothing(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage.database, "SQLITE_BUSY_TIMEOUT_MS", 150)
    engine = create_engine(url)
    sessions = session_factory(engine)
    other = _hold_write_lock(url)
    try:
        with pytest.raises(OperationalError, match="locked"):
            async with sessions() as session, session.begin():
                await org.create_union(session=session, name="静安区总工会", level=UnionLevel.DISTRICT)
        other.commit()
        async with sessions() as session, session.begin():
            assert await session.scalar(select(func.count()).select_from(Union)) == 0
            # the same pooled connection works again, and is back to never waiting on the loop
            assert (await session.execute(text("PRAGMA busy_timeout"))).scalar() == 0
            await org.create_union(session=session, name="静安区总工会", level=UnionLevel.DISTRICT)
        async with sessions() as session:
            assert await session.scalar(select(func.count()).select_from(Union)) == 1
    finally:
        other.close()
        await engine.dispose()


async def test_a_big_read_lets_other_requests_run_while_it_is_fetched(url: str) -> None:
    engine = create_engine(url)
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        for n in range(5000):
            session.add(Union(name=f"工会 {n}", level=UnionLevel.ENTERPRISE))
    turns = 0
    done = asyncio.Event()

    async def other_requests() -> None:
        nonlocal turns
        while not done.is_set():
            await asyncio.sleep(0)
            turns += 1

    ticker = asyncio.ensure_future(other_requests())
    try:
        await asyncio.sleep(0)
        before = turns
        async with sessions() as session:
            names = list(await session.scalars(select(Union.name)))
        during = turns - before
        assert len(names) == 5000
        assert during >= 4, "the loop was held for the whole read"
    finally:
        done.set()
        await ticker
        await engine.dispose()
