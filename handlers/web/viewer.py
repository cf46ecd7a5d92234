"""The Context of a web request: the signed-in person acting through channel "web", as a chat turn would."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.config import HandlerConfig
from handlers.core.i18n import Translator
from handlers.core.types import Incoming
from handlers.engine.context import Context
from handlers.engine.router import Routes
from storage.models import Person
from storage.repos import org

CHANNEL = "web"


async def web_context(
    session: AsyncSession, config: HandlerConfig, routes: Routes, person_id: int, *, now: datetime
) -> Context | None:
    """A Context for this person (their active roles, their language) on channel "web"; None if they are gone."""
    person = await session.get(Person, person_id)
    if person is None:
        return None
    roles = await org.roles_of(session=session, person_id=person.id)
    user = f"person:{person.id}"
    incoming = Incoming(channel=CHANNEL, user_id=user, chat_id=user, delivery_id="")
    return Context(
        session=session,
        config=config,
        incoming=incoming,
        now=now,
        routes=routes,
        person=person,
        roles=roles,
        t=Translator(person.locale or config.default_locale),
    )
