"""The outbox sender: claims due messages and pushes them through each person's channels.

A row is claimed (committed as `sending`) once its rate-limit slot is granted, right before its
push, and recorded right after. When a process becomes the leader it puts rows another sender left
`sending` back to pending at once (`adopt_orphans`): such a push may have reached the platform, and
one duplicate is better than a lost notice. Without a leader (serve --no-scheduler) a row still
`sending` ten minutes after its claim is set aside as `needs_look` (`studio-bot outbox requeue`).
Rows for a person no channel reaches yet wait, pending, for them to bind, for 14 days; a
review notice whose entry was decided meanwhile is dropped. Reminders wait for working hours and
for the end of their recipient's holiday; notices (kind "notice") go out at once. This module takes
the due rows up, person by person; outbox_push sends each row.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import outbox_upkeep
from bot.channels.base import Pusher, PushTarget
from bot.outbox_push import RowPush
from bot.ratelimit import DEFAULT_RATES, Rate, RateLimiter
from handlers.reminders.calendar import PushWindow
from handlers.reviews.superseded import superseded
from storage.base import utcnow
from storage.models import ChannelIdentity, OutboxMessage
from storage.repos import sending

log = logging.getLogger(__name__)


class OutboxSender:
    """Sends due outbox rows within each platform's rate, in parallel across people, in order for each."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        pushers: Mapping[str, Pusher],
        *,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rates: Mapping[str, Sequence[Rate]] = DEFAULT_RATES,
        window: PushWindow | None = None,
        concurrency: int = 64,
        batch: int = 1000,
        stale_after: timedelta = outbox_upkeep.STALE_AFTER,
    ) -> None:
        self.sessions = sessions
        self.pushers = pushers  # a live view: channels added after start are used too
        self.clock = clock
        self.window = window or PushWindow()
        self.limiter = RateLimiter(rates, now=lambda: self.clock().timestamp(), sleep=sleep)
        self.concurrency = concurrency
        self.batch = batch
        self.stale_after = stale_after
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.stopping = False  # set on shutdown: pushes under way finish, no new row is claimed
        # one write at a time: parallel pushes, but SQLite writers would otherwise queue on its busy timeout
        self._writing = asyncio.Lock()
        self.push = RowPush(
            pushers=pushers,
            limiter=self.limiter,
            window=self.window,
            clock=lambda: self.clock(),
            write=self._write,
            holder=self.holder,
            stopping=lambda: self.stopping,
        )

    @contextlib.asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncSession]:
        async with self._writing, self.sessions() as session, session.begin():
            yield session

    @classmethod
    def from_settings(
        cls, settings: Any, sessions: async_sessionmaker[AsyncSession], pushers: Mapping[str, Pusher], **kw: Any
    ) -> OutboxSender:
        """A sender whose working hours follow TIMEZONE and QUIET_HOURS."""
        return cls(sessions, pushers, window=PushWindow(settings.tz, settings.quiet_window), **kw)

    async def recover_stale(self) -> int:
        """Set aside rows a dead sender left `sending`, fail rows nobody could receive in time; the first count."""
        async with self._write() as session:
            return await outbox_upkeep.set_aside(
                session, now=self.clock(), stale_after=self.stale_after, channels=self.pushers.keys()
            )

    async def adopt_orphans(self) -> int:
        """Put rows another sender left `sending` back to pending (call on becoming the only leader)."""
        async with self._write() as session:
            return await outbox_upkeep.adopt(session, holder=self.holder)

    async def run_once(self, *, limit: int | None = None) -> int:
        """Send what is due now (one batch); return how many rows were sent."""
        await self.recover_stale()
        return (await self._batch(limit or self.batch))[1]

    async def run_until_idle(self, *, max_batches: int = 100) -> int:
        """Send batches until nothing more is due now; return how many rows were sent."""
        await self.recover_stale()
        total = 0
        for _ in range(max_batches):
            taken, sent = await self._batch(self.batch)
            total += sent
            if not taken or self.stopping:
                break
        return total

    async def _batch(self, limit: int) -> tuple[int, int]:
        """One batch of due rows, people in parallel; (rows taken up, rows sent)."""
        now = self.clock()
        async with self.sessions() as session:
            due = await sending.due(
                session=session,
                now=now,
                limit=limit,
                notices_only=not self.window.allows(now),
                channels=self.pushers.keys(),
            )
            moot = await superseded(session=session, messages=due)
            people = {m.person_id for m in due}
            identities = await sending.identities_of(session=session, person_ids=people)
            state = await sending.people_state(session=session, person_ids=people)
        queues: dict[int, list[OutboxMessage]] = defaultdict(list)
        for message in due:
            queues[message.person_id].append(message)
        gate = asyncio.Semaphore(self.concurrency)

        async def person_queue(person_id: int, messages: list[OutboxMessage]) -> int:
            async with gate:
                locale, paused = state.get(person_id, ("zh_CN", None))
                targets = self._targets(identities.get(person_id, []), locale)
                sent = 0
                for message in messages:
                    try:
                        if message.id in moot:
                            await self.push.drop(message)
                            continue
                        sent += await self.push.send(message, targets, paused)
                    except Exception:  # one broken row must not stop the others; it stays visible
                        log.exception("outbox row %s could not be processed", message.id)
                return sent

        # longest queues first: a person's own per-chat limit then overlaps with everybody else's sends
        ordered = sorted(queues.items(), key=lambda item: -len(item[1]))
        results = await asyncio.gather(*(person_queue(pid, msgs) for pid, msgs in ordered))
        return len(due), sum(results)

    def _targets(self, identities: list[ChannelIdentity], locale: str) -> list[PushTarget]:
        return [
            PushTarget(
                person_id=i.person_id,
                channel=i.channel,
                external_id=i.external_id,
                chat_id=i.chat_id or i.external_id,
                last_inbound_at=i.last_inbound_at,
                locale=locale,
            )
            for i in identities
            if i.channel in self.pushers
        ]
