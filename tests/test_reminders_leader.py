"""Several processes: one leader plans and sends; two planners or senders at once still send each reminder once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import OutboxSender
from bot.scheduler import AdvisoryLockLeader, LeaseLeader
from handlers.reminders import plan
from storage.database import create_engine, session_factory
from storage.models import EntryStatus, OutboxStatus
from tests.reminders_support import CONFIG, Clock, RecordingPusher, add_entry, at, build_world, outbox_rows

NAMED = date(2024, 3, 10)


async def test_two_planners_and_two_senders_at_once_on_postgres_send_each_reminder_once(postgres_url: str) -> None:
    engines = [create_engine(postgres_url) for _ in range(2)]
    makers = [session_factory(e) for e in engines]
    try:
        async with makers[0]() as s:
            w = await build_world(s, named_on=NAMED, created=at(NAMED))
            for n in range(20):
                await add_entry(s, w, created=at(date(2026, 8, 3)), status=EntryStatus.SUBMITTED, title=f"第{n}项")
            await s.commit()
        clock = Clock(at(date(2026, 9, 10), 10))
        pushers = [RecordingPusher("telegram", clock) for _ in range(2)]
        senders = [
            OutboxSender(m, {"telegram": p}, clock=clock, sleep=clock.sleep)
            for m, p in zip(makers, pushers, strict=True)
        ]

        async def pass_in(maker: async_sessionmaker[AsyncSession]) -> int:
            async with maker() as session, session.begin():
                return len((await plan(session=session, config=CONFIG, now=clock())).new)

        for day in range(3):
            clock.moment = at(date(2026, 9, 10) + timedelta(days=day), 10)
            await asyncio.gather(pass_in(makers[0]), pass_in(makers[1]))
            await asyncio.gather(*(s.run_until_idle() for s in senders))
        rows = await outbox_rows(makers[0])
        assert len(rows) > 20 and len({r.idempotency_key for r in rows}) == len(rows)
        assert {r.status for r in rows} == {OutboxStatus.SENT}
        pushed = Counter((p.person_id, p.text) for pusher in pushers for p in pusher.sent)
        assert sum(pushed.values()) == len(rows) and max(pushed.values()) == 1
    finally:
        for e in engines:
            await e.dispose()


async def test_advisory_lock_has_one_holder_and_passes_on_when_it_dies(postgres_url: str) -> None:
    first, second = AdvisoryLockLeader(postgres_url), AdvisoryLockLeader(postgres_url)
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        assert await first.acquire() and await first.acquire()
        assert not await second.acquire()
        # the leader's process dies: its session ends on the server, and the lock with it
        async with admin.connect() as conn:
            await conn.execute(
                text(
                    "select pg_terminate_backend(pid) from pg_locks "
                    "where locktype = 'advisory' and objid = :key and granted"
                ),
                {"key": first.key},
            )
        await asyncio.sleep(0.2)
        assert await second.acquire()
        assert not await first.acquire()  # it notices the lost connection and does not claim to lead
        await second.release()
        assert await first.acquire()
    finally:
        await first.release()
        await second.release()
        await admin.dispose()


async def test_lease_has_one_holder_until_it_lapses_or_is_given_up(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = Clock(at(date(2026, 9, 10), 10))
    first = LeaseLeader(sessions, clock=clock, ttl=timedelta(seconds=90))
    second = LeaseLeader(sessions, clock=clock, ttl=timedelta(seconds=90))
    assert await first.acquire() and not await second.acquire()
    clock.advance(timedelta(seconds=60))
    assert await first.acquire()  # renewed
    clock.advance(timedelta(seconds=80))
    assert not await second.acquire()
    clock.advance(timedelta(seconds=11))  # the holder stopped renewing 91 s ago
    assert await second.acquire() and not await first.acquire()
    await second.release()
    assert await first.acquire()
