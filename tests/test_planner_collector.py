"""A planning pass runs without the garbage collector's automatic collections, and leaves it on after, even on error."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.reminders import plan
from tests.reminders_support import CONFIG, at, build_world

NAMED = date(2024, 3, 10)


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generation of every collection the collector starts, with collections due at almost every allocation."""
    seen: list[int] = []

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    threshold = gc.get_threshold()
    gc.set_threshold(1)  # on the old planner a pass of even this small world ran hundreds of collections
    gc.callbacks.append(note)
    try:
        yield seen
    finally:
        gc.callbacks.remove(note)
        gc.set_threshold(*threshold)


async def test_a_pass_runs_no_collection_and_the_collector_is_on_after_it(
    sessions: async_sessionmaker[AsyncSession], collections: list[int]
) -> None:
    async with sessions() as session:
        await build_world(session, named_on=NAMED, created=at(NAMED))
        await session.commit()
    async with sessions() as session:
        collections.clear()
        result = await plan(session=session, config=CONFIG, now=at(date(2027, 3, 1)))
        assert len(collections) < 10  # the few of the call itself, before and after the pass; the old planner ran 100s
        await session.rollback()
    assert result.new and gc.isenabled()


async def test_the_collector_is_on_after_a_failed_pass_and_stays_off_if_it_was_off(
    sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(**_: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("handlers.reminders.snapshot.load", broken)
    async with sessions() as session:
        with pytest.raises(RuntimeError):
            await plan(session=session, config=CONFIG, now=at(date(2027, 3, 1)), dry_run=True)
    assert gc.isenabled()
    gc.disable()
    try:
        async with sessions() as session:
            with pytest.raises(RuntimeError):
                await plan(session=session, config=CONFIG, now=at(date(2027, 3, 1)), dry_run=True)
        assert not gc.isenabled()
    finally:
        gc.enable()
