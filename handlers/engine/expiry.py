"""Ends conversations left too long and tells their owner, so nobody wonders where a draft went."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.engine.flow import FLOWS
from handlers.i18n import Translator
from handlers.types import Reply, reply_to_dict
from storage.models import Person
from storage.repos import conversations, outbox, people


async def expire_conversations(*, session: AsyncSession, now: datetime, limit: int = 500) -> int:
    """Clear every expired conversation and queue a notice to its person; return how many ended.

    Meant for a periodic job; a conversation nobody swept is still ended (with the same note)
    when its owner next writes.
    """
    ended = 0
    for conv in await conversations.expired(session=session, now=now, limit=limit):
        await conversations.clear(session=session, channel=conv.channel, user_id=conv.user_id)
        ended += 1
        identity = await people.identity(session=session, channel=conv.channel, external_id=conv.user_id)
        person = await session.get(Person, identity.person_id) if identity else None
        if person is None:
            continue
        await outbox.enqueue(
            session=session,
            key=f"expired:{conv.channel}:{conv.user_id}:{conv.id}:{conv.version}",
            person_id=person.id,
            payload=reply_to_dict(expired_notice(Translator(person.locale), conv.flow)),
            kind="notice",
            due_at=now,
            channel=conv.channel,
        )
    return ended


def expired_notice(t: Translator, flow: str) -> Reply:
    """The note that a conversation of this flow ran out of time (or its flow is gone)."""
    title = t(FLOWS[flow].title) if flow in FLOWS else flow
    return Reply(text=t("engine.expired", title=title))
