"""Replies owed: a turn is committed before its replies go out, and a process that stops in between owes them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core.types import Incoming, Reply, reply_from_dict
from handlers.engine.failures import describe
from storage.repos import deliveries

log = logging.getLogger(__name__)
MARK_AGAIN_AFTER = (1.0, 2.0, 4.0, 8.0)  # seconds between tries to record sent replies, all within owed_after


class OwedReplies:
    """Which turns' replies this process is sending, and those the sender's next turn must bring first."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], owed_after: timedelta) -> None:
        self.sessions = sessions
        self.owed_after = owed_after  # unconfirmed this long, replies were lost (sending takes a second or two)
        self._sending: set[tuple[str, str]] = set()
        self._later: set[asyncio.Task[None]] = set()  # markings waiting for the database to come back

    def sending(self, taken: Iterable[Incoming]) -> None:
        """These turns are committed; their channel is sending the replies now."""
        self._sending.update((incoming.channel, incoming.delivery_id) for incoming in taken)

    async def take(self, session: AsyncSession, incoming: Incoming, now: datetime) -> list[Reply]:
        """Replies of this sender's earlier turns that never went out, oldest first; no longer owed once taken."""
        # a turn this process is still sending is not owed; another process's has owed_after to be sent
        found = await deliveries.owed(
            session=session, channel=incoming.channel, user_id=incoming.user_id, before=now - self.owed_after
        )
        taken = [(d, r) for d, r in found if (incoming.channel, d) not in self._sending]
        await deliveries.replied(session=session, channel=incoming.channel, delivery_ids=[d for d, _ in taken])
        return [reply_from_dict(reply) for _, response in taken for reply in (response or {}).get("replies", [])]

    async def replied(self, channel: str, delivery_ids: Sequence[str], *, sent: bool) -> None:
        """The channel is done with these deliveries' replies: sent (nothing owed), or not (owed to the next turn)."""
        for delivery_id in delivery_ids:
            self._sending.discard((channel, delivery_id))
        if not sent:
            return
        try:
            await self._mark(channel, delivery_ids)
        except Exception as exc:  # a brief outage: marking them later beats sending them again with the next turn
            log.warning("replies of %d deliveries not marked sent yet: %s", len(delivery_ids), describe(exc))
            task = asyncio.create_task(self._mark_later(channel, list(delivery_ids)))
            self._later.add(task)
            task.add_done_callback(self._later.discard)

    async def _mark(self, channel: str, delivery_ids: Sequence[str]) -> None:
        async with self.sessions() as session, session.begin():
            await deliveries.replied(session=session, channel=channel, delivery_ids=delivery_ids)

    async def _mark_later(self, channel: str, delivery_ids: list[str]) -> None:
        for pause in MARK_AGAIN_AFTER:
            await asyncio.sleep(pause)
            try:
                await self._mark(channel, delivery_ids)
                return
            except Exception as exc:
                last = exc
        # they come again with the person's next turn: better twice than never
        log.warning("replies of %d deliveries not marked sent: %s", len(delivery_ids), describe(last))
