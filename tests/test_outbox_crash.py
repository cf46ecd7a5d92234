"""A sender killed mid-burst strands nothing: the next leader resends what was in flight, and only that."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import PushTarget
from bot.delivery import OutboxSender
from bot.scheduler import AdvisoryLockLeader, ReminderService
from handlers.core.types import Reply
from storage.database import create_engine, session_factory
from storage.models import OutboxStatus, Person
from storage.repos import outbox
from tests.reminders_support import CONFIG, Clock, RecordingPusher, at, outbox_rows, person

WORKDAY = date(2026, 9, 16)
BURST = 80


class DiesMidBurst(RecordingPusher):
    """The platform takes `survive` pushes, then the process dies: later pushes reach it but never return."""

    def __init__(self, clock: Clock, survive: int) -> None:
        super().__init__("telegram", clock)
        self.survive = survive
        self.dead = asyncio.Event()

    async def push(self, target: PushTarget, reply: Reply, *, kind: str) -> None:
        await super().push(target, reply, kind=kind)
        if len(self.sent) > self.survive:
            self.dead.set()
            await asyncio.Event().wait()  # hangs until the task is cancelled (kill -9)


class AlwaysLeader:
    """The only process left: it leads from its first tick."""

    async def acquire(self) -> bool:
        return True

    async def release(self) -> None:
        return None


async def burst(sessions: async_sessionmaker[AsyncSession]) -> list[Person]:
    """BURST people with one cycle reminder each, due now."""
    async with sessions() as s:
        crowd = [await person(s, f"成员{i}") for i in range(BURST)]
        for p in crowd:
            await outbox.enqueue(
                session=s,
                key=f"cycle:{p.id}",
                person_id=p.id,
                payload={"text": "周期提醒"},
                kind="reminder",
                due_at=at(WORKDAY, 9),
            )
        await s.commit()
    return crowd


async def kill_mid_burst(
    sessions: async_sessionmaker[AsyncSession], sender: OutboxSender, pusher: DiesMidBurst
) -> tuple[set[int], set[int]]:
    """Run the sender until the platform has taken some pushes, then cancel it.

    Returns the people pushed so far and those whose row it left claimed (`sending`).
    """
    task = asyncio.create_task(sender.run_until_idle())
    await asyncio.wait_for(pusher.dead.wait(), timeout=60)
    for _ in range(20):  # let every other person's queue reach wherever it would be at the kill
        await asyncio.sleep(0)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    pushed = {s.person_id for s in pusher.sent}
    claimed = {r.person_id for r in await outbox_rows(sessions) if r.status is OutboxStatus.SENDING}
    # only pushes under way are claimed at the kill (and at most one whose claim was being written):
    # no row waits for a rate-limit slot while `sending`
    assert claimed and len(claimed - pushed) <= 1
    return pushed, claimed


def service(sessions: async_sessionmaker[AsyncSession], sender: OutboxSender, leader: object) -> ReminderService:
    return ReminderService(sessions=sessions, config=CONFIG, sender=sender, leader=leader)  # type: ignore[arg-type]


async def assert_nothing_lost(
    sessions: async_sessionmaker[AsyncSession],
    crowd: list[Person],
    before: tuple[set[int], set[int]],
    after: RecordingPusher,
) -> None:
    pushed, claimed = before
    rows = await outbox_rows(sessions)
    assert {r.status for r in rows} == {OutboxStatus.SENT}
    again = Counter(s.person_id for s in after.sent)
    assert max(again.values()) == 1
    assert pushed | set(again) == {p.id for p in crowd}  # everybody got their reminder
    # a second copy only where the first push's outcome was never recorded (the documented uncertain case)
    assert pushed & set(again) <= claimed


async def test_a_sender_killed_mid_burst_leaves_nothing_for_the_next_leader_to_lose(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    crowd = await burst(sessions)
    clock = Clock(at(WORKDAY, 10))
    dying = DiesMidBurst(clock, survive=30)
    first = OutboxSender(sessions, {"telegram": dying}, clock=clock, sleep=clock.sleep)
    before = await kill_mid_burst(sessions, first, dying)

    after = RecordingPusher("telegram", clock)
    successor = service(
        sessions, OutboxSender(sessions, {"telegram": after}, clock=clock, sleep=clock.sleep), AlwaysLeader()
    )
    assert await successor.tick_leader()
    await successor.tick_send()
    await assert_nothing_lost(sessions, crowd, before, after)


async def test_on_postgres_the_next_leader_resends_what_a_killed_leader_had_in_flight(postgres_url: str) -> None:
    engines = [create_engine(postgres_url) for _ in range(2)]
    makers = [session_factory(e) for e in engines]
    leaders = [AdvisoryLockLeader(postgres_url), AdvisoryLockLeader(postgres_url)]
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        crowd = await burst(makers[0])
        clock = Clock(at(WORKDAY, 10))
        dying, after = DiesMidBurst(clock, survive=20), RecordingPusher("telegram", clock)
        senders = [
            OutboxSender(m, {"telegram": p}, clock=clock, sleep=clock.sleep)
            for m, p in zip(makers, (dying, after), strict=True)
        ]
        old, new = (service(m, s, lead) for m, s, lead in zip(makers, senders, leaders, strict=True))
        assert await old.tick_leader() and not await new.tick_leader()
        before = await kill_mid_burst(makers[0], senders[0], dying)
        async with admin.connect() as conn:  # its process is gone: the server ends its session, and the lock
            await conn.execute(
                text(
                    "select pg_terminate_backend(pid) from pg_locks "
                    "where locktype = 'advisory' and objid = :key and granted"
                ),
                {"key": leaders[0].key},
            )
        await asyncio.sleep(0.2)
        assert await new.tick_leader()
        await new.tick_send()
        await assert_nothing_lost(makers[1], crowd, before, after)
    finally:
        for lead in leaders:
            await lead.release()
        for e in [*engines, admin]:
            await e.dispose()
