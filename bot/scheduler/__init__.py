"""The reminder scheduler: APScheduler jobs, leader election, and how `serve` starts them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import Pusher
from bot.delivery import OutboxSender
from bot.scheduler.jobs import LEADER_JOB, PLAN_JOB, SEND_JOB, build_scheduler
from bot.scheduler.leader import AdvisoryLockLeader, Leadership, LeaseLeader
from bot.scheduler.service import ReminderService
from bot.settings import Settings
from handlers.core.config import HandlerConfig
from storage.database import is_sqlite

__all__ = [
    "LEADER_JOB",
    "PLAN_JOB",
    "SEND_JOB",
    "AdvisoryLockLeader",
    "LeaseLeader",
    "ReminderService",
    "Reminders",
    "build_scheduler",
    "leadership_for",
    "start_reminders",
]


def leadership_for(settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> Leadership:
    """An advisory lock on PostgreSQL, a lease row on SQLite."""
    if is_sqlite(settings.database_url):
        return LeaseLeader(sessions)
    return AdvisoryLockLeader(settings.database_url)


@dataclass
class Reminders:
    """A running scheduler with its service; `stop()` on shutdown."""

    scheduler: AsyncIOScheduler
    service: ReminderService
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)

    async def stop(self) -> None:
        """Start no new job, let running ones finish, stop the scheduler, let go of the leadership."""
        if self.scheduler.running:
            self.scheduler.pause()
        for task in self.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.service.close()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)


async def start_reminders(
    settings: Settings,
    *,
    sessions: async_sessionmaker[AsyncSession],
    pushers: Mapping[str, Pusher],
    wakeup: asyncio.Event | None = None,
) -> tuple[Reminders, OutboxSender]:
    """Start the scheduler on the running loop; returns it and the one sender this process uses."""
    sender = OutboxSender.from_settings(settings, sessions, pushers)
    service = ReminderService(
        sessions=sessions,
        config=HandlerConfig.from_object(settings),
        sender=sender,
        leader=leadership_for(settings, sessions),
    )
    scheduler = build_scheduler(service, tz=settings.tz)
    scheduler.start()
    running = Reminders(scheduler=scheduler, service=service)
    if wakeup is not None:
        running.tasks.append(asyncio.create_task(service.watch(wakeup), name="reminders.wakeup"))
    return running, sender
