"""Replies owed: a turn is committed before its replies go out, and a process that stops in between owes them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core.types import Incoming, Reply, reply_from_dict, reply_to_dict
from handlers.engine.failures import describe
from storage.repos import deliveries

log = logging.getLogger(__name__)
MARK_AGAIN_AFTER = (1.0, 2.0, 4.0, 8.0)  # seconds between tries to record sent replies, all within owed_after
# how often the senders who may be owed replies are read again (rows that just passed owed_after): in between, a
# turn of anyone else asks the database nothing; a reply owed is brought at most this much later than owed_after
SUSPECTS_EVERY = timedelta(seconds=5)
SUSPECTS_KEPT = 10_000  # past this many, the suspects are read afresh (those who never wrote again drop out)


class OwedReplies:
    """Which turns' replies this process is sending, and those the sender's next turn must bring first."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], owed_after: timedelta) -> None:
        self.sessions = sessions
        self.owed_after = owed_after  # unconfirmed this long, replies were lost (sending takes a second or two)
        self._sending: set[tuple[str, str]] = set()
        self._later: set[asyncio.Task[None]] = set()  # markings waiting for the database to come back
        self._suspects: set[tuple[str, str]] = set()  # (channel, sender) with owed rows seen before _read_to
        self._read_to: datetime | None = None
        self._read_at: datetime | None = None
        self._reading = asyncio.Lock()
        self._queued: list[tuple[str, str]] = []  # (channel, delivery) sent, to be marked with the next writing
        self._marking = False
        self._next: asyncio.Future[None] | None = None  # settled when the queued ones are written

    @staticmethod
    def rows(
        batch: Sequence[Incoming], answers: Sequence[list[Reply]]
    ) -> tuple[list[tuple[str, str, dict[str, Any]]], list[str | None]]:
        """Each delivery's stored answer (with what of it is owed, where that is not all of it) and its owner.

        A turn owes nothing unless its channel confirms replies and sends some after its answer: a turn answered
        whole in the platform's response (which the platform asks for again until it has it) costs no write later.
        """
        responses: list[tuple[str, str, dict[str, Any]]] = []
        owners: list[str | None] = []
        for incoming, replies in zip(batch, answers, strict=True):
            response: dict[str, Any] = {"replies": [reply_to_dict(r) for r in replies]}
            owing = replies if incoming.sent_after is None else incoming.sent_after(replies)
            owing = owing if incoming.confirms_replies else []
            if owing and owing != replies:
                response["owed"] = [reply_to_dict(r) for r in owing]
            responses.append((incoming.channel, incoming.delivery_id, response))
            owners.append(incoming.user_id if owing else None)
        return responses, owners

    def sending(self, taken: Iterable[Incoming]) -> None:
        """These turns are committed; their channel is sending the replies now."""
        self._sending.update((incoming.channel, incoming.delivery_id) for incoming in taken)

    async def take(self, session: AsyncSession, incoming: Incoming, now: datetime) -> list[Reply]:
        """Replies of this sender's earlier turns that never went out, oldest first; no longer owed once taken."""
        await self._suspect(session, now)
        sender = (incoming.channel, incoming.user_id)
        if sender not in self._suspects:
            return []
        # a turn this process is still sending is not owed; another process's has owed_after to be sent
        before = now - self.owed_after
        found = await deliveries.owed(
            session=session, channel=incoming.channel, user_id=incoming.user_id, before=before
        )
        if not found and self._read_to is not None and self._read_to <= before:
            # nothing of theirs is owed up to what the readings covered: later rows come with a later reading
            self._suspects.discard(sender)
        taken = [(d, r) for d, r in found if (incoming.channel, d) not in self._sending]
        await deliveries.replied(session=session, channel=incoming.channel, delivery_ids=[d for d, _ in taken])
        return [reply_from_dict(reply) for _, response in taken for reply in _owed_part(response or {})]

    async def _suspect(self, session: AsyncSession, now: datetime) -> None:
        """Read, every SUSPECTS_EVERY, the senders of owed rows that passed owed_after since the last reading."""
        if self._read_at is not None and now - self._read_at < SUSPECTS_EVERY:
            return
        async with self._reading:  # turns running alongside (PostgreSQL) wait for the reading, not pass it by
            if self._read_at is not None and now - self._read_at < SUSPECTS_EVERY:
                return
            if len(self._suspects) > SUSPECTS_KEPT:
                self._suspects.clear()
                self._read_to = None
            after, before = self._read_to, now - self.owed_after
            self._suspects.update(await deliveries.owing_senders(session=session, after=after, before=before))
            self._read_to = before if after is None else max(after, before)
            self._read_at = now

    async def replied(self, channel: str, delivery_ids: Sequence[str], *, sent: bool) -> None:
        """The channel is done with these deliveries' replies: sent (nothing owed), or not (owed to the next turn)."""
        if sent:
            await self._mark_grouped([(channel, d) for d in delivery_ids])
        for delivery_id in delivery_ids:  # after the marking: a turn taking them meanwhile would send them again
            self._sending.discard((channel, delivery_id))

    async def _mark_grouped(self, marks: list[tuple[str, str]]) -> None:
        """Mark sent in one transaction with every marking that arrived while the one before was written."""
        self._queued.extend(marks)
        if self._marking:
            if self._next is None:
                self._next = asyncio.get_running_loop().create_future()
            await asyncio.shield(self._next)
            return
        self._marking = True
        try:
            while self._queued:
                batch, self._queued = self._queued, []
                done, self._next = self._next, None
                try:
                    await self._mark_or_later(batch)
                finally:
                    if done is not None and not done.done():
                        done.set_result(None)
        finally:
            self._marking = False
            if self._next is not None and not self._next.done():  # cancelled: whoever waits goes on (owed still)
                self._next.set_result(None)
            self._next = None

    async def _mark_or_later(self, marks: list[tuple[str, str]]) -> None:
        try:
            await self._mark(marks)
        except Exception as exc:  # a brief outage: marking them later beats sending them again with the next turn
            log.warning("replies of %d deliveries not marked sent yet: %s", len(marks), describe(exc))
            task = asyncio.create_task(self._mark_later(marks))
            self._later.add(task)
            task.add_done_callback(self._later.discard)

    async def _mark(self, marks: list[tuple[str, str]]) -> None:
        by_channel: dict[str, list[str]] = {}
        for channel, delivery_id in marks:
            by_channel.setdefault(channel, []).append(delivery_id)
        async with self.sessions() as session, session.begin():
            for channel, delivery_ids in by_channel.items():
                await deliveries.replied(session=session, channel=channel, delivery_ids=delivery_ids)

    async def _mark_later(self, marks: list[tuple[str, str]]) -> None:
        for pause in MARK_AGAIN_AFTER:
            await asyncio.sleep(pause)
            try:
                await self._mark(marks)
                return
            except Exception as exc:
                last = exc
        # they come again with the person's next turn: better twice than never
        log.warning("replies of %d deliveries not marked sent: %s", len(marks), describe(last))


def _owed_part(response: dict[str, Any]) -> list[dict[str, Any]]:
    owed: list[dict[str, Any]] = response.get("owed", response.get("replies", []))
    return owed
