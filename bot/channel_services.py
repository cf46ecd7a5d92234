"""The channel port (`bot.channels.services.ChannelServices`) over the runtime and storage's repositories."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime

from bot.channel_stores import StoredRefs, StoredTokens
from bot.channels.base import Pusher
from bot.channels.services import FileNotKept
from bot.runtime import Runtime
from bot.settings import Settings
from handlers.core.config import HandlerConfig
from handlers.core.types import InboundFile, Incoming, Reply, Turn, reply_to_dict
from handlers.engine.router import Routes
from storage.base import utcnow
from storage.media import store_bytes
from storage.models import Person
from storage.repos import conversations, deliveries, outbox, people

log = logging.getLogger(__name__)


class RuntimeServices:
    """What the channels of one runtime may use: its bot and sender, and storage through a few verbs."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.sessions = runtime.sessions
        self._tokens = StoredTokens(runtime.sessions)

    @property
    def settings(self) -> Settings:
        """The process's settings."""
        return self.runtime.settings

    @property
    def config(self) -> HandlerConfig:
        """The settings as the handlers see them."""
        return self.runtime.config

    @property
    def tokens(self) -> StoredTokens:
        """Platform access tokens in the database."""
        return self._tokens

    @property
    def routes(self) -> Routes:
        """The bot's commands."""
        return self.runtime.bot.routes

    def now(self) -> datetime:
        """The current time, in UTC."""
        return utcnow()

    async def handle(self, incoming: Incoming) -> Turn:
        """One inbound event through the bot; the sender is woken for what it queued."""
        return await self.runtime.handle(incoming)

    async def replied(self, channel: str, delivery_ids: Sequence[str], *, sent: bool) -> None:
        """Done with the replies of turns taken with confirms_replies: sent, or owed to the sender's next turn."""
        await self.runtime.bot.replied(channel, delivery_ids, sent=sent)

    def add_pusher(self, pusher: Pusher) -> None:
        """Let the outbox sender reach people through this channel."""
        self.runtime.add_pusher(pusher)

    async def person_of(self, channel: str, user_id: str) -> int | None:
        """The id of the person this channel user is bound to, if any."""
        async with self.sessions() as session:
            identity = await people.identity(session=session, channel=channel, external_id=user_id)
        return identity.person_id if identity else None

    async def locale_of(self, channel: str, user_id: str) -> str | None:
        """The language the person behind this channel user chose; None for strangers."""
        async with self.sessions() as session:
            identity = await people.identity(session=session, channel=channel, external_id=user_id)
            person = await session.get(Person, identity.person_id) if identity else None
        return person.locale if person and person.locale else None

    async def person_name(self, person_id: int) -> str | None:
        """A person's name, if they exist."""
        async with self.sessions() as session:
            person = await session.get(Person, person_id)
        return person.name if person else None

    async def keep_for_later(self, channel: str, user_id: str, replies: Sequence[tuple[str, Reply]]) -> bool:
        """Queue replies that could not be sent now in the outbox, whose sender retries them; False for strangers."""
        async with self.sessions() as session, session.begin():
            identity = await people.identity(session=session, channel=channel, external_id=user_id)
            if identity is None:
                return False
            for key, reply in replies:
                await outbox.enqueue(
                    session=session,
                    key=key,
                    person_id=identity.person_id,
                    payload=reply_to_dict(reply),
                    kind="notice",
                    channel=channel,
                )
        self.runtime.outbox_wakeup.set()
        return True

    async def seen_before(self, channel: str, delivery_id: str) -> bool:
        """Whether the bot took in this delivery already."""
        async with self.sessions() as session:
            found = await deliveries.stored_response(session=session, channel=channel, delivery_id=delivery_id)
        return found is not None

    def refs(self, channel: str, kind: str) -> StoredRefs:
        """This channel's refs of one kind."""
        return StoredRefs(self.sessions, channel, kind)

    async def takes_file(self, channel: str, user_id: str, *, may_open: bool = False) -> bool:
        """Whether a file from this channel user is wanted now: asked before downloading anything."""
        async with self.sessions() as session:
            identity = await people.identity(session=session, channel=channel, external_id=user_id)
            if identity is None:
                return False
            if may_open:
                return True
            conv = await conversations.load(session=session, channel=channel, user_id=user_id)
        flow = self.routes.flows.get(conv.flow) if conv is not None and conv.expires_at > self.now() else None
        return flow is not None and any(step.files for step in flow.steps)

    async def store_file(self, data: bytes, *, kind: str, file_ref: str, filename: str, media_type: str) -> InboundFile:
        """Keep a received file under MEDIA_DIR, off the event loop."""
        try:
            stored = await asyncio.to_thread(
                store_bytes, self.config.media_dir, data, filename=filename, media_type=media_type
            )
        except OSError as exc:
            log.error("MEDIA_DIR cannot be written (%s): a received %s was not kept", type(exc).__name__, kind)
            raise FileNotKept from None
        return InboundFile(
            kind=kind,
            file_ref=file_ref,
            stored_path=stored.path,
            size=stored.size,
            media_type=stored.media_type,
            sha256=stored.sha256,
            filename=filename,
        )

    async def where(self, channel: str, user_id: str) -> list[Reply]:
        """The question this channel user's open record stands at (nothing if none); nothing is written."""
        return await self.runtime.bot.where(channel, user_id)
