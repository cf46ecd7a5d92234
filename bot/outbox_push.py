"""What the outbox sender does with one row: hold it, wait for its rate slot, claim it, push it, record the outcome.

A reminder waits for working hours and for the end of its recipient's holiday; a notice goes at once. The
row's channels are tried in turn; a transient failure retries with backoff, `MAX_ATTEMPTS` in all.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot import outbox_upkeep
from bot.channels.base import Pusher, PushError, PushTarget
from bot.ratelimit import RateLimiter
from handlers.core.types import reply_from_dict
from handlers.reminders.calendar import PushWindow
from storage.models import OutboxMessage, OutboxStatus
from storage.repos import outbox, sending

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6


def backoff(attempts: int) -> timedelta:
    """Wait before retry number `attempts`: 30 s, 1 min, 2 min, … capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


class RowPush:
    """Pushes one outbox row at a time for an OutboxSender, sharing its limiter, clock, writer and stop flag."""

    def __init__(
        self,
        *,
        pushers: Mapping[str, Pusher],
        limiter: RateLimiter,
        window: PushWindow,
        clock: Callable[[], datetime],
        write: Callable[[], AbstractAsyncContextManager[AsyncSession]],
        holder: str,
        stopping: Callable[[], bool],
    ) -> None:
        self.pushers = pushers
        self.limiter = limiter
        self.window = window
        self.clock = clock
        self._write = write
        self.holder = holder
        self.stopping = stopping  # the sender's flag: set on shutdown, no new row is claimed
        self._claiming: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

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

    async def drop(self, message: OutboxMessage) -> None:
        """Set aside a notice that its entry's decision made moot."""
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
                    if self.stopping() or not await self._claim(message):
                        return False
                    claim = False
                if self.limiter.take(channel, chat):
                    return True

    async def send(self, message: OutboxMessage, targets: list[PushTarget], paused: date | None) -> int:
        """Push the row to the first of `targets` that takes it and record the outcome; 1 if it was sent."""
        if self.stopping() or await self._hold(message, paused):
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
