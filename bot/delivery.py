"""The outbox sender: claims due messages and pushes them through each person's channels.

A row is claimed (committed as `sending`) once its rate-limit slot is granted, right before its
push, and recorded right after. When a process becomes the leader it puts rows another sender left
`sending` back to pending at once (`adopt_orphans`): such a push may have reached the platform, and
one duplicate is better than a lost notice. Without a leader (serve --no-scheduler) a row still
`sending` ten minutes after its claim is set aside as `needs_look` (`studio-bot outbox requeue`).
Rows for a person no channel reaches yet wait, pending, for them to bind, for 14 days; a
review notice whose entry was decided meanwhile is dropped. Reminders wait for working hours and
for the end of their recipient's holiday; notices (kind "notice") go out at once.
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
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import outbox_upkeep
from bot.channels.base import Pusher, PushError, PushTarget
from bot.ratelimit import DEFAULT_RATES, Rate, RateLimiter
from handlers.core.types import reply_from_dict
from handlers.reminders.calendar import PushWindow
from handlers.reviews.superseded import superseded
from storage.base import utcnow
from storage.models import ChannelIdentity, OutboxMessage, OutboxStatus
from storage.repos import outbox, sending

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6


def backoff(attempts: int) -> timedelta:
    """Wait before retry number `attempts`: 30 s, 1 min, 2 min, … capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


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
        self._claiming: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

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
                            await self._drop(message)
                            continue
                        sent += await self._send_one(message, targets, paused)
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

    async def _hold(self, message: OutboxMessage, paused: date | None) -> bool:
        """Postpone a reminder that may not go out now; True if it was held."""
        if message.kind == sending.NOTICE:
            return False
        now = self.clock()
        if paused is not None and paused >= self.window.today(now):
            until = self.window.next_moment(self.window.day_start(paused + timedelta(days=1)))
        elif not self.window.allows(now):
            until = self.window.next_moment(now)
        else:
            return False
        async with self._write() as session:
            await sending.postpone(session=session, message_id=message.id, until=until)
        return True

    async def _drop(self, message: OutboxMessage) -> None:
        async with self._write() as session:
            await sending.drop(session=session, message_id=message.id, note=outbox_upkeep.SUPERSEDED_NOTE)

    async def _claim(self, message: OutboxMessage) -> bool:
        async with self._write() as session:
            return await outbox.claim(session=session, message_id=message.id, holder=self.holder, now=self.clock())

    async def _slot(self, message: OutboxMessage, target: PushTarget, *, claim: bool) -> bool:
        """Wait for a rate-limit slot, claim the row (if `claim`), count the send; False if the row went elsewhere.

        The row is claimed only once its slot has come, so a process killed mid-burst leaves just the pushes
        under way `sending`. The slot is counted after the claim, with nothing awaited before the push: the
        limiter counts the moment the platform sees. One claim at a time per channel keeps the count exact.
        """
        channel, chat = target.channel, target.chat_id
        await self.limiter.ready(channel, chat)  # this person's own pace, without blocking anybody else
        async with self._claiming[channel]:
            while True:
                await self.limiter.ready(channel, chat)
                if claim:
                    if self.stopping or not await self._claim(message):
                        return False
                    claim = False
                if self.limiter.take(channel, chat):
                    return True

    async def _send_one(self, message: OutboxMessage, targets: list[PushTarget], paused: date | None) -> int:
        if self.stopping or await self._hold(message, paused):
            return 0
        attempts = message.attempts + 1
        wanted = [t for t in targets if message.channel is None or t.channel == message.channel]
        if not wanted:  # bound between the read and now on a channel this process lacks: wait
            return 0
        status, retry_at = OutboxStatus.FAILED, None
        error: str | None = "no channel reaches this person"
        claimed = False
        for target in wanted:
            if not await self._slot(message, target, claim=not claimed):
                return 0
            claimed = True
            try:
                await self.pushers[target.channel].push(target, reply_from_dict(message.payload), kind=message.kind)
            except PushError as exc:
                log.warning("push %s via %s failed: %s", message.idempotency_key, target.channel, exc)
                error = str(exc)
                if exc.retry_after:
                    self.limiter.block(target.channel, exc.retry_after)
                if exc.permanent:
                    continue
                wait = timedelta(seconds=exc.retry_after) if exc.retry_after else backoff(attempts)
                status, retry_at = self._retry(attempts), self.clock() + wait
                break
            except Exception as exc:  # a bug or an outage in a channel: retry later like a transient error
                log.exception("push %s via %s raised", message.idempotency_key, target.channel)
                error = f"{type(exc).__name__}: {exc}"
                status, retry_at = self._retry(attempts), self.clock() + backoff(attempts)
                break
            status, error, retry_at = OutboxStatus.SENT, None, None
            break
        async with self._write() as session:
            await outbox.finish(
                session=session, message_id=message.id, status=status, now=self.clock(), error=error, retry_at=retry_at
            )
        return 1 if status is OutboxStatus.SENT else 0

    @staticmethod
    def _retry(attempts: int) -> OutboxStatus:
        return OutboxStatus.PENDING if attempts < MAX_ATTEMPTS else OutboxStatus.FAILED
