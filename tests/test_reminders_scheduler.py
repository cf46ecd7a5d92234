"""The scheduler as `serve` starts it: fixed jobs, a first pass at start, notices sent on wake-up."""

from __future__ import annotations

import asyncio
from datetime import date

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.scheduler import LEADER_JOB, PLAN_JOB, SEND_JOB, start_reminders
from bot.settings import load_settings
from storage.models import Lease, OutboxStatus
from storage.repos import outbox
from tests.reminders_support import Clock, RecordingPusher, build_world, outbox_rows, person


async def eventually(check: object, *, tries: int = 200) -> None:
    for _ in range(tries):
        if await check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("it did not happen")


async def test_serve_starts_fixed_jobs_runs_a_first_pass_and_sends_notices_at_once(
    db_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as s:
        w = await build_world(s, named_on=date(2023, 1, 1))  # the cycle is over: the assessment is overdue
        someone = await person(s, "路人")
        await s.commit()
    settings = load_settings(_env_file=None, database_url=db_url, quiet_hours="00:00-00:00")
    telegram = RecordingPusher("telegram", Clock(w.studio.created_at))
    wakeup = asyncio.Event()
    running, sender = await start_reminders(settings, sessions=sessions, pushers={"telegram": telegram}, wakeup=wakeup)
    try:
        jobs = {job.id: job for job in running.scheduler.get_jobs()}
        assert set(jobs) == {LEADER_JOB, PLAN_JOB, SEND_JOB}
        assert all(job.coalesce and job.misfire_grace_time == 3600 for job in jobs.values())
        assert isinstance(jobs[PLAN_JOB].trigger, CronTrigger) and str(running.scheduler.timezone) == "Asia/Shanghai"

        async def planned() -> bool:
            return any(r.idempotency_key.startswith("overdue:") for r in await outbox_rows(sessions))

        await eventually(planned)  # the first pass ran at start: missed ticks are caught up from the data

        async with sessions() as s:
            await outbox.enqueue(session=s, key="notice:1", person_id=someone.id, payload={"text": "已通过"})
            await s.commit()
        wakeup.set()

        async def notice_sent() -> bool:
            rows = [r for r in await outbox_rows(sessions) if r.idempotency_key == "notice:1"]
            return bool(rows) and rows[0].status is OutboxStatus.SENT

        await eventually(notice_sent)
        assert "已通过" in [p.text for p in telegram.sent]
        assert sender is running.service.sender
    finally:
        await running.stop()
    async with sessions() as s:
        assert (await s.scalars(select(Lease))).all() == []  # stepped down: another process may lead at once
