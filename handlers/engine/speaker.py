"""A turn's context: who is speaking, in which language, with which roles and which open conversation."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.config import HandlerConfig
from handlers.core.i18n import Translator, normalise_locale
from handlers.core.types import Incoming
from handlers.engine.context import Context
from handlers.engine.router import Routes
from storage.repos import speakers

INBOUND_PRECISION = timedelta(minutes=1)


async def turn_context(
    session: AsyncSession, incoming: Incoming, *, config: HandlerConfig, routes: Routes, now: datetime
) -> Context:
    """Read the speaker (one statement) and note when they last wrote; a stranger gets an empty context."""
    found = await speakers.speaker(session=session, channel=incoming.channel, external_id=incoming.user_id)
    if found is not None:
        identity = found.identity
        # to the minute is enough for WeChat's 48-hour window, and saves a write on most turns
        last = identity.last_inbound_at
        if last is None or not timedelta(0) <= now - last < INBOUND_PRECISION:
            identity.last_inbound_at = now
        if incoming.private and incoming.chat_id and identity.chat_id != incoming.chat_id:
            identity.chat_id = incoming.chat_id
    locale = (
        (found.person.locale if found else None) or normalise_locale(incoming.user_language) or config.default_locale
    )
    return Context(
        session=session,
        config=config,
        incoming=incoming,
        now=now,
        routes=routes,
        person=found.person if found else None,
        identity=found.identity if found else None,
        roles=found.roles if found else [],
        conversation=found.conversation if found else None,
        t=Translator(locale),
    )
