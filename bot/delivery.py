"""The outbox sender: claims due messages and pushes them through each person's channels."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import Pusher, PushError, PushTarget
from handlers.types import reply_from_dict
from storage.base import utcnow
from storage.models import OutboxMessage, OutboxStatus, Person
from storage.repos import outbox

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6


def backoff(attempts: int) -> timedelta:
    """Wait before retry number `attempts`: 30 s, 1 min, 2 min, … capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


class OutboxSender:
    """Sends due outbox rows; each row is claimed (committed) before it is sent, recorded after."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        pushers: Mapping[str, Pusher],
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.pushers = dict(pushers)
        self.clock = clock
        self.holder = f"{socket.gethostname()}:{os.getpid()}"

    async def run_once(self, *, limit: int = 100) -> int:
        """Send what is due now; return how many rows were sent."""
        async with self.sessions() as session:
            due = await outbox.due_messages(session=session, now=self.clock(), limit=limit)
        sent = 0
        for message in due:
            sent += await self._send_one(message)
        return sent

    async def _send_one(self, message: OutboxMessage) -> int:
        async with self.sessions() as session, session.begin():
            if not await outbox.claim(session=session, message_id=message.id, holder=self.holder, now=self.clock()):
                return 0
            targets = await self._targets(session, message)
        status, error, retry_at = OutboxStatus.FAILED, "no channel reaches this person", None
        for target in targets:
            try:
                await self.pushers[target.channel].push(target, reply_from_dict(message.payload), kind=message.kind)
            except PushError as exc:
                log.warning("push %s via %s failed: %s", message.idempotency_key, target.channel, exc)
                error = str(exc)
                if not exc.permanent:
                    status = OutboxStatus.PENDING if message.attempts + 1 < MAX_ATTEMPTS else OutboxStatus.FAILED
                    wait = timedelta(seconds=exc.retry_after) if exc.retry_after else backoff(message.attempts + 1)
                    retry_at = self.clock() + wait
                    break
                continue
            status, error, retry_at = OutboxStatus.SENT, None, None
            break
        async with self.sessions() as session, session.begin():
            await outbox.finish(
                session=session, message_id=message.id, status=status, now=self.clock(), error=error, retry_at=retry_at
            )
        return 1 if status is OutboxStatus.SENT else 0

    async def _targets(self, session: AsyncSession, message: OutboxMessage) -> list[PushTarget]:
        person = await session.get(Person, message.person_id)
        identities = await outbox.identities_of(session=session, person_id=message.person_id)
        return [
            PushTarget(
                person_id=message.person_id,
                channel=i.channel,
                external_id=i.external_id,
                chat_id=i.chat_id or i.external_id,
                last_inbound_at=i.last_inbound_at,
                locale=person.locale if person else "zh_CN",
            )
            for i in identities
            if i.channel in self.pushers and (message.channel is None or message.channel == i.channel)
        ]
