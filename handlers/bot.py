"""The platform-free bot: one Incoming in, a Turn out; one transaction per turn, each delivery once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import handlers.features  # noqa: F401  - registers every command, flow and button handler
from handlers.config import HandlerConfig
from handlers.context import Context
from handlers.dispatch import dispatch
from handlers.i18n import Translator, normalise_locale
from handlers.types import Incoming, Reply, Turn, reply_from_dict, reply_to_dict
from storage.base import utcnow
from storage.models import Person
from storage.repos import conversations, deliveries, org, people

log = logging.getLogger(__name__)
ATTEMPTS = 3
INBOUND_PRECISION = timedelta(minutes=1)


class Bot:
    """What the bot does, for every channel: adapters hand it Incoming events and render its replies."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        config: HandlerConfig,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.config = config
        self.clock = clock
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = weakref.WeakValueDictionary()
        # SQLite has one writer at a time; queueing turns here is fairer and faster than its busy-wait
        # (which can starve a waiter past the busy timeout when many people write at once).
        bind = sessions.kw.get("bind")
        self._serial = asyncio.Lock() if bind is not None and bind.dialect.name == "sqlite" else None

    async def handle(self, incoming: Incoming) -> Turn:
        """Process one inbound event at most once and return what to answer."""
        key = (incoming.channel, incoming.user_id)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock, self._serial or contextlib.nullcontext():
            for attempt in range(ATTEMPTS):
                try:
                    return await self._turn(incoming)
                except conversations.StaleConversation:
                    # another process moved this conversation on; read it again and redo the turn
                    log.info("conversation changed under turn %s (attempt %d)", incoming.delivery_id, attempt + 1)
                except Exception:
                    log.exception("turn failed: channel=%s delivery=%s", incoming.channel, incoming.delivery_id)
                    break
        return Turn(replies=[Reply(text=Translator(self.config.default_locale)("engine.error"))])

    async def _turn(self, incoming: Incoming) -> Turn:
        async with self.sessions() as session, session.begin():
            if not await deliveries.mark_seen(
                session=session, channel=incoming.channel, delivery_id=incoming.delivery_id
            ):
                stored = await deliveries.stored_response(
                    session=session, channel=incoming.channel, delivery_id=incoming.delivery_id
                )
                replies = [reply_from_dict(r) for r in (stored or {}).get("replies", [])]
                return Turn(replies=replies, duplicate=True)
            ctx = await self.context(session, incoming)
            replies = await dispatch(ctx)
            await deliveries.store_response(
                session=session,
                channel=incoming.channel,
                delivery_id=incoming.delivery_id,
                response={"replies": [reply_to_dict(r) for r in replies]},
            )
        return Turn(replies=replies)

    async def context(self, session: AsyncSession, incoming: Incoming) -> Context:
        """Who is speaking, in which language, with which roles."""
        now = self.clock()
        identity = await people.identity(session=session, channel=incoming.channel, external_id=incoming.user_id)
        person = await session.get(Person, identity.person_id) if identity else None
        if identity is not None:
            # to the minute is enough for WeChat's 48-hour window, and saves a write on most turns
            last = identity.last_inbound_at
            if last is None or not timedelta(0) <= now - last < INBOUND_PRECISION:
                identity.last_inbound_at = now
            if incoming.chat_id and identity.chat_id != incoming.chat_id:
                identity.chat_id = incoming.chat_id
        locale = (
            (person.locale if person else None)
            or normalise_locale(incoming.user_language)
            or self.config.default_locale
        )
        roles = await org.roles_of(session=session, person_id=person.id) if person else []
        return Context(
            session=session,
            config=self.config,
            incoming=incoming,
            now=now,
            person=person,
            identity=identity,
            roles=roles,
            t=Translator(locale),
        )
