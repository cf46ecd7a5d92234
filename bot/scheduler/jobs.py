"""The APScheduler 3 scheduler and its few fixed jobs (stable ids; no job per reminder)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.scheduler.service import ReminderService

LEADER_JOB = "reminders.leader"
PLAN_JOB = "reminders.plan"
SEND_JOB = "reminders.send"
# how often the leader renews its lease and the others ask for the lock: a dead leader's successor starts
# within this (plus the SQLite lease's LEASE_TTL); an advisory lock on PostgreSQL is free at once
LEADER_SECONDS = 5
MISFIRE_GRACE_SECONDS = 3600  # a tick late by up to an hour still runs (once: coalesced)


def build_scheduler(
    service: ReminderService,
    *,
    tz: ZoneInfo,
    plan_minutes: int = 15,
    send_seconds: int = 10,
    leader_seconds: int = LEADER_SECONDS,
) -> AsyncIOScheduler:
    """An AsyncIOScheduler in `tz` with the leader, plan and send jobs; the first plan runs at start."""
    scheduler = AsyncIOScheduler(
        timezone=tz,
        job_defaults={"coalesce": True, "misfire_grace_time": MISFIRE_GRACE_SECONDS, "max_instances": 1},
    )
    now = datetime.now(tz)
    scheduler.add_job(
        service.tick_leader,
        IntervalTrigger(seconds=leader_seconds, timezone=tz),
        id=LEADER_JOB,
        name="keep or take the reminder leadership",
        replace_existing=True,
        next_run_time=now,
    )
    scheduler.add_job(
        service.tick_plan,
        CronTrigger(minute=f"*/{plan_minutes}", timezone=tz),
        id=PLAN_JOB,
        name="plan due reminders",
        replace_existing=True,
        next_run_time=now,
    )
    scheduler.add_job(
        service.tick_send,
        IntervalTrigger(seconds=send_seconds, timezone=tz),
        id=SEND_JOB,
        name="send the outbox",
        replace_existing=True,
        max_instances=2,  # a long send holds a lock; the next tick returns at once instead of being skipped noisily
    )
    return scheduler
