"""What the scheduled jobs do: keep the leadership, plan reminders, send the outbox."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import OutboxSender
from bot.scheduler.leader import Leadership
from handlers.app import routes
from handlers.core.config import HandlerConfig
from handlers.engine.expiry import expire_conversations
from handlers.reminders import PlanResult, plan
from storage.base import utcnow

log = logging.getLogger(__name__)


class ReminderService:
    """The leader plans and sends; every other process only keeps asking to lead."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        config: HandlerConfig,
        sender: OutboxSender,
        leader: Leadership,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.config = config
        self.sender = sender
        self.leader = leader
        self.clock = clock
        self.leading = False
        self.stopping = False
        self._sending = asyncio.Lock()
        self._planning = asyncio.Lock()
        self._leading_lock = asyncio.Lock()
        self._in_flight: set[asyncio.Task[Any]] = set()

    @contextlib.contextmanager
    def _tracked(self) -> Iterator[None]:
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
        try:
            yield
        finally:
            if task is not None:
                self._in_flight.discard(task)

    async def tick_leader(self) -> bool:
        """Take or keep the leadership (a lost database connection means stepping down)."""
        if self.stopping:
            return False
        with self._tracked():
            async with self._leading_lock:
                leading = await self.leader.acquire()
                if leading and not self.leading:
                    # the previous leader is gone (or never was): what it left mid-send is resent now; if this
                    # fails, `leading` stays False and the next tick tries again
                    await self.sender.adopt_orphans()
                self.leading = leading
        return self.leading

    async def tick_plan(self) -> PlanResult | None:
        """One planning pass as of now, if this process leads; missed ticks are caught up from the data.

        The same pass ends conversations left past CONVERSATION_TTL_MINUTES and tells their owners.
        """
        if self._planning.locked() or not await self.tick_leader():
            return None
        with self._tracked():
            async with self._planning, self.sessions() as session, session.begin():
                now = self.clock()
                result = await plan(session=session, config=self.config, now=now)
                ended = await expire_conversations(session=session, routes=routes(), now=now)
        if ended:
            log.info("ended %d abandoned conversations", ended)
        if result.new:
            log.info("planned %d reminders %s, due %s", len(result.new), result.by_topic(), result.due_at)
        return result

    async def tick_send(self) -> int:
        """Send what is due, if this process leads and is not sending already."""
        if self._sending.locked() or not self.leading or self.stopping:
            return 0
        with self._tracked():
            async with self._sending:
                return await self.sender.run_until_idle()

    async def watch(self, wakeup: asyncio.Event) -> None:
        """Send as soon as a handler queues a notice, instead of waiting for the next tick."""
        while True:
            await wakeup.wait()
            wakeup.clear()
            try:
                await self.tick_send()
            except Exception:
                log.exception("sending after a wake-up failed")

    async def close(self, *, grace: float = 15.0) -> None:
        """Take no new work, let running ticks finish (pushes under way are recorded), then step down."""
        self.stopping = True
        self.sender.stopping = True
        running = [t for t in self._in_flight if t is not asyncio.current_task()]
        if running:
            await asyncio.wait(running, timeout=grace)
        async with self._leading_lock:
            await self.leader.release()
        self.leading = False
