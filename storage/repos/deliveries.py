"""Seen inbound deliveries: each platform delivery is taken in at most once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, select, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import utcnow
from storage.direct import DirectWrite
from storage.models import SeenDelivery
from storage.repos import conversation_steps
from storage.repos.upsert import dialect_of, insert_ignoring

# Built once: every inbound event runs it. The rows actually inserted come back, which says whether
# another process had recorded one of them (an executemany's rowcount cannot say that on asyncpg).
_RECORD = {
    name: statement.returning(SeenDelivery.__table__.c.delivery_id)
    for name, statement in insert_ignoring(SeenDelivery.__table__, "channel", "delivery_id").items()
}

# PostgreSQL: the turns' delivery rows and their conversation steps in one statement (a data-modifying WITH), one
# round trip fewer per transaction; the count of rows the UPDATE matched comes back beside each inserted delivery.
# Rows come from a UNION ALL of one-row SELECTs: SQLAlchemy caches that statement's compiled form, not a multi-row
# VALUES (see conversation_steps.advancing). Built once per (deliveries, conversations).
_T = cast(Table, SeenDelivery.__table__)
_ROW = ("channel", "delivery_id", "seen_at", "response", "user_id", "owed")
_ADVANCING: dict[tuple[int, int], DirectWrite] = {}


def _record_advancing(rows: int, advanced: int) -> DirectWrite:
    """INSERT `rows` deliveries (parameters r<i>_<column>), ignoring seen ones, and advance `advanced` conversations."""
    if (statement := _ADVANCING.get((rows, advanced))) is None:
        cte = conversation_steps.advancing(advanced).cte("advanced")
        selects = [select(*(bindparam(f"r{i}_{name}", type_=_T.c[name].type) for name in _ROW)) for i in range(rows)]
        statement = _ADVANCING[(rows, advanced)] = DirectWrite(
            pg_insert(_T)
            .from_select(list(_ROW), union_all(*selects) if rows > 1 else selects[0])
            .on_conflict_do_nothing(index_elements=["channel", "delivery_id"])
            .add_cte(cte)
            .returning(_T.c.delivery_id, select(func.count()).select_from(cte).scalar_subquery().label("advanced"))
        )
    return statement


async def record_many(
    *,
    session: AsyncSession,
    channel_answers: list[tuple[str, str, dict[str, Any]]],
    owed_by: Sequence[str | None] = (),
    advance: Sequence[dict[str, Any]] = (),
) -> bool:
    """Keep what was answered to these deliveries (channel, delivery id, response); False if any was seen before.

    Written at the end of the turns, in their transaction: one statement instead of a mark before and an
    update after. A duplicate (a retry or a redelivery) did its turn's work for nothing; the caller rolls back.
    owed_by: per delivery, the sender whose replies stay owed until `replied` (None: sent as they are returned).
    advance: the conversation UPDATEs kept by conversations.defer, run here as one statement (on PostgreSQL, this
    very statement); StaleConversation if another turn moved one of those conversations first.
    """
    now = utcnow()
    owners = list(owed_by) or [None] * len(channel_answers)
    rows = [
        {
            "channel": channel,
            "delivery_id": delivery_id[:191],
            "seen_at": now,
            "response": response,
            "user_id": owner,
            "owed": owner is not None,
        }
        for (channel, delivery_id, response), owner in zip(channel_answers, owners, strict=True)
    ]
    if advance and dialect_of(session) == "postgresql":
        params = {f"r{i}_{name}": value for i, row in enumerate(rows) for name, value in row.items()}
        params.update(conversation_steps.advancing_params(advance))
        record = _record_advancing(len(rows), len(advance))
        # a batch that wrote nothing else commits in this statement's own transaction (storage.direct.DirectWrite),
        # only if every delivery was new and every conversation moved
        inserted = await record.write(session, params, keep=lambda found: _kept(found, len(rows), len(advance)))
        if inserted is None:
            inserted = (await session.execute(record.statement, params)).all()
        if inserted and (advanced := inserted[0][1]) != len(advance):
            raise conversation_steps.StaleConversation(f"{len(advance) - advanced} of {len(advance)} conversations")
        return len(inserted) == len(rows)
    await conversation_steps.advance_many(session=session, params=advance)
    inserted = (await session.execute(_RECORD[dialect_of(session)], rows)).all()
    return len(inserted) == len(rows)


def _kept(inserted: Sequence[Sequence[Any]], rows: int, advanced: int) -> bool:
    return len(inserted) == rows and inserted[0][1] == advanced


async def stored_response(*, session: AsyncSession, channel: str, delivery_id: str) -> dict[str, Any] | None:
    """What was answered to this delivery the first time, if anything."""
    return await session.scalar(
        select(SeenDelivery.response).where(
            SeenDelivery.channel == channel, SeenDelivery.delivery_id == delivery_id[:191]
        )
    )


async def owed(
    *, session: AsyncSession, channel: str, user_id: str, before: datetime, limit: int = 20
) -> list[tuple[str, dict[str, Any] | None]]:
    """This sender's deliveries taken before `before` whose replies were never confirmed sent, oldest first."""
    rows = await session.execute(
        select(SeenDelivery.delivery_id, SeenDelivery.response)
        .where(
            SeenDelivery.channel == channel,
            SeenDelivery.user_id == user_id,
            SeenDelivery.owed.is_(True),
            SeenDelivery.seen_at < before,
        )
        .order_by(SeenDelivery.seen_at, SeenDelivery.id)
        .limit(limit)
    )
    return [(delivery_id, response) for delivery_id, response in rows.all()]


async def replied(*, session: AsyncSession, channel: str, delivery_ids: Sequence[str]) -> None:
    """These deliveries' replies went out (or were handed to the outbox): nothing of them is owed any more."""
    if delivery_ids:
        await session.execute(
            update(SeenDelivery)
            .where(SeenDelivery.channel == channel, SeenDelivery.delivery_id.in_([d[:191] for d in delivery_ids]))
            .values(owed=False)
        )


async def purge(*, session: AsyncSession, before: datetime) -> int:
    """Forget deliveries seen before `before` (long past any platform's retries); how many."""
    result = await session.execute(delete(SeenDelivery).where(SeenDelivery.seen_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


async def owing_senders(*, session: AsyncSession, after: datetime | None, before: datetime) -> list[tuple[str, str]]:
    """The senders of deliveries seen after `after` (None: ever) and before `before` whose replies are still owed."""
    query = select(SeenDelivery.channel, SeenDelivery.user_id).where(
        SeenDelivery.seen_at < before, SeenDelivery.owed.is_(True), SeenDelivery.user_id.is_not(None)
    )
    if after is not None:
        query = query.where(SeenDelivery.seen_at >= after)
    rows = await session.execute(query.distinct())
    return [(str(channel), str(user_id)) for channel, user_id in rows.all()]
