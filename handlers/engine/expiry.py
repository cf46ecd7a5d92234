"""Ends conversations left too long and tells their owner, so nobody wonders where a draft went."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.i18n import Translator
from handlers.core.types import Reply, reply_to_dict
from handlers.engine.router import Routes
from storage.repos import conversations, outbox_batch, people


async def expire_conversations(*, session: AsyncSession, routes: Routes, now: datetime, limit: int = 500) -> int:
    """Clear every expired conversation and queue a notice to its person; return how many ended.

    Meant for a periodic job; a conversation nobody swept is still ended (with the same note)
    when its owner next writes. A fixed number of statements, however many ended.
    """
    ended = await conversations.expired(session=session, now=now, limit=limit)
    await conversations.clear_many(session=session, ids=[conv.id for conv in ended])
    owners = await people.owners(session=session, accounts={(conv.channel, conv.user_id) for conv in ended})
    rows = []
    for conv in ended:
        person = owners.get((conv.channel, conv.user_id))
        if person is None:
            continue
        rows.append(
            outbox_batch.new_row(
                # with the moment it ran out: SQLite reuses the id of a deleted row, so id and version alone
                # could name a later conversation of the same person, whose notice would then be dropped
                key=f"expired:{conv.channel}:{conv.user_id}:{conv.id}:{conv.version}:{conv.expires_at:%Y%m%d%H%M%S}",
                person_id=person.id,
                payload=reply_to_dict(expired_notice(routes, Translator(person.locale), conv.flow)),
                kind="notice",
                due_at=now,
                now=now,
                channel=conv.channel,
            )
        )
    await outbox_batch.enqueue_many(session=session, rows=rows)
    return len(ended)


def expired_notice(routes: Routes, t: Translator, flow: str) -> Reply:
    """The note that a conversation of this flow ran out of time (or its flow is gone)."""
    title = t(routes.flows[flow].title) if flow in routes.flows else flow
    return Reply(text=t("engine.expired", title=title))
