"""A leader that dies is replaced within seconds; one that stops cleanly hands over at once."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.scheduler import LeaseLeader
from tests.reminders_support import Clock, at


async def test_a_dead_lease_holder_is_replaced_within_seconds_and_a_clean_stop_frees_it_at_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = Clock(at(date(2026, 9, 16), 10))
    dead, heir = LeaseLeader(sessions, clock=clock), LeaseLeader(sessions, clock=clock)
    assert await dead.acquire() and not await heir.acquire()
    clock.advance(timedelta(seconds=20))  # the holder was killed: it renews no more
    assert await heir.acquire()
    await heir.release()  # a clean stop
    assert await dead.acquire()
