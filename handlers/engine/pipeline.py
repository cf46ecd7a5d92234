"""The platform-free bot: one Incoming in, a Turn out; one transaction per turn, each delivery once."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core.config import HandlerConfig
from handlers.core.i18n import preload
from handlers.core.types import Incoming, Reply, Turn, reply_from_dict
from handlers.engine import lone_turn
from handlers.engine.context import Context
from handlers.engine.dispatch import dispatch, where
from handlers.engine.group_commit import GroupCommit
from handlers.engine.owed import OwedReplies
from handlers.engine.recent import RecentAnswers
from handlers.engine.router import Routes
from handlers.engine.speaker import turn_context
from handlers.engine.turnlog import delivery_ref, log_turn
from storage.base import utcnow
from storage.database import concurrent_writers, groups_turns, relax_commit_if_unwritten
from storage.models import Conversation
from storage.repos import conversations, deliveries

log = logging.getLogger(__name__)


class _Duplicate(Exception):
    """The delivery was recorded by another process while this turn ran."""


class Bot:
    """What the bot does, for every channel: adapters hand it Incoming events and render its replies."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        config: HandlerConfig,
        *,
        routes: Routes,
        clock: Callable[[], datetime] = utcnow,
        group_commit: bool | None = None,
    ) -> None:
        """group_commit: turns waiting for the writer share a transaction; by default on SQLite's fast path and
        on PostgreSQL (storage.database.groups_turns)."""
        self.sessions = sessions
        self.config = config
        self.routes = routes
        self.clock = clock
        preload()
        self._recent = RecentAnswers(lambda: self.clock())  # the bot's clock may be replaced after start
        self.owed = OwedReplies(sessions, timedelta(seconds=config.reply_owed_after_seconds))
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = weakref.WeakValueDictionary()
        # SQLite has one writer at a time; queueing turns here is fairer and faster than its busy-wait
        # (which can starve a waiter past the busy timeout when many people write at once), and the
        # queue lets the turns that wait share one transaction. On PostgreSQL a step's transaction costs
        # as much as its work, so the turns that wait share one there too, and it takes a second batch beside.
        if group_commit is None:
            group_commit = groups_turns(sessions)
        writers = concurrent_writers(sessions)
        self._group = GroupCommit(together=self._together, alone=self._alone, writers=writers) if group_commit else None

    async def handle(self, incoming: Incoming) -> Turn:
        """Process one inbound event at most once and return what to answer (nothing, in a group chat)."""
        if not incoming.private:
            # adapters answer group chats themselves: a ledger, a review card or a flow must never appear there
            log.warning("group chat event refused: channel=%s delivery=%s", incoming.channel, delivery_ref(incoming))
            log_turn(incoming, self.config.secret_key, outcome="group")
            return Turn()
        key = (incoming.channel, incoming.user_id)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:
            if (known := self._recent.recalled((incoming.channel, incoming.delivery_id))) is not None:
                log_turn(incoming, self.config.secret_key, outcome="duplicate", replies=len(known))
                return Turn(replies=list(known), duplicate=True)
            if self._group is not None:
                return await self._group.submit(incoming)
            return await self._alone(incoming)

    async def _alone(self, incoming: Incoming) -> Turn:
        """One turn in its own transaction, redone if another process moved the conversation on."""
        return await lone_turn.alone(
            incoming, attempt=self._turn, taken_elsewhere=self._taken_elsewhere, config=self.config
        )

    async def _together(self, batch: Sequence[Incoming]) -> list[Turn]:
        """Several people's turns in one transaction; any failure raises and rolls all of them back."""
        async with self.sessions() as session, session.begin():
            answers, stood = await self._work(session, batch)
        for incoming, replies, conversation in zip(batch, answers, stood, strict=True):
            self._recent.remember((incoming.channel, incoming.delivery_id), replies)
            log_turn(incoming, self.config.secret_key, outcome="ok", conversation=conversation, replies=len(replies))
        return [Turn(replies=replies) for replies in answers]

    async def _work(
        self, session: AsyncSession, batch: Sequence[Incoming]
    ) -> tuple[list[list[Reply]], list[Conversation | None]]:
        """What each turn answers (and where its conversation stood), recorded against the deliveries at once.

        _Duplicate if another process recorded one of the deliveries first: the caller rolls this back.
        """
        answers: list[list[Reply]] = []
        stood: list[Conversation | None] = []
        conversations.defer(session)  # the turns' steps are written together, with their deliveries
        for incoming in batch:  # one after another: a turn sees what the turns before it wrote
            ctx = await self.context(session, incoming)
            stood.append(ctx.conversation)
            owed = await self.owed.take(session, incoming, self.clock()) if incoming.confirms_replies else []
            answers.append(owed + await dispatch(ctx))
        responses, owed_by = self.owed.rows(batch, answers)
        advance = conversations.take_deferred(session)
        if not advance and not any(owed_by) and not conversations.wrote_any(session):
            # nothing written yet and no replies owed: only the deliveries' rows are lost if PostgreSQL crashes
            # before flushing this commit, and a redelivery reruns turns that changed nothing (docs/architecture.md);
            # a turn that opened or ended a conversation has written, so the question is not even asked
            await relax_commit_if_unwritten(session)
        if not await deliveries.record_many(
            session=session, channel_answers=responses, owed_by=owed_by, advance=advance
        ):
            raise _Duplicate
        self.owed.sending(i for i, owner in zip(batch, owed_by, strict=True) if owner is not None)
        return answers, stood

    async def _turn(self, incoming: Incoming) -> Turn:
        key = (incoming.channel, incoming.delivery_id)
        try:
            async with self.sessions() as session, session.begin():
                [replies], [stood] = await self._work(session, [incoming])
        except _Duplicate:
            # seen by another process: its work here is undone; answer as that process did
            return await self._taken_elsewhere(incoming) or self._answered_elsewhere(incoming, None)
        self._recent.remember(key, replies)
        log_turn(incoming, self.config.secret_key, outcome="ok", conversation=stood, replies=len(replies))
        return Turn(replies=replies)

    async def _taken_elsewhere(self, incoming: Incoming) -> Turn | None:
        """How another process answered this delivery, if it recorded one (nothing if it did not)."""
        async with self.sessions() as session:
            stored = await deliveries.stored_response(
                session=session, channel=incoming.channel, delivery_id=incoming.delivery_id
            )
        return None if stored is None else self._answered_elsewhere(incoming, stored)

    def _answered_elsewhere(self, incoming: Incoming, stored: dict[str, Any] | None) -> Turn:
        replies = [reply_from_dict(r) for r in (stored or {}).get("replies", [])]
        self._recent.remember((incoming.channel, incoming.delivery_id), replies)
        log_turn(incoming, self.config.secret_key, outcome="duplicate", replies=len(replies))
        return Turn(replies=replies, duplicate=True)

    async def replied(self, channel: str, delivery_ids: Sequence[str], *, sent: bool) -> None:
        """The channel is done with these deliveries' replies: sent (nothing owed), or not (owed to the next turn)."""
        await self.owed.replied(channel, delivery_ids, sent=sent)

    async def where(self, channel: str, user_id: str) -> list[Reply]:
        """The question this person's open conversation stands at (nothing if none); nothing is written."""
        incoming = Incoming(channel=channel, user_id=user_id, chat_id=user_id, delivery_id="", text=None)
        async with self.sessions() as session:  # never committed: reading where someone is changes nothing
            return await where(await self.context(session, incoming))

    async def context(self, session: AsyncSession, incoming: Incoming) -> Context:
        """Who is speaking, in which language, with which roles and which open conversation."""
        return await turn_context(session, incoming, config=self.config, routes=self.routes, now=self.clock())
