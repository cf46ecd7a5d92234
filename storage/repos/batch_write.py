"""PostgreSQL: a batch's delivery rows and conversation steps in one statement, alone or in the session's transaction.

One data-modifying WITH: the turns' deliveries inserted (seen ones ignored) and their conversations moved, each
version-checked. A batch that read and wrote nothing through SQLAlchemy runs it standing alone, outside any
transaction (storage.direct.DirectWrite: one round trip, no BEGIN, no COMMIT); that form calls refuse_write
(migration 0016) unless every delivery was new and every conversation moved, so it commits all of itself or
nothing. Otherwise, or when the lone form fails, the statement runs in the session's transaction and its rows say
what happened: a seen delivery or a moved conversation, which the caller rolls back.
Rows come from a UNION ALL of one-row SELECTs: SQLAlchemy caches that statement's compiled form, not a multi-row
VALUES (see conversation_steps.advancing). Built once per (deliveries, conversations): functools.cache.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, cast

from sqlalchemy import Insert, Table, and_, bindparam, case, func, literal, select, union_all
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.direct import DirectWrite
from storage.models import SeenDelivery
from storage.repos import conversation_steps

_T = cast(Table, SeenDelivery.__table__)
_ROW = ("channel", "delivery_id", "seen_at", "response", "user_id", "owed")


def _inserting(rows: int) -> Insert:
    """INSERT `rows` deliveries (parameters r<i>_<column>), ignoring seen ones."""
    selects = [select(*(bindparam(f"r{i}_{name}", type_=_T.c[name].type) for name in _ROW)) for i in range(rows)]
    return (
        pg_insert(_T)
        .from_select(list(_ROW), union_all(*selects) if rows > 1 else selects[0])
        .on_conflict_do_nothing(index_elements=["channel", "delivery_id"])
    )


@cache
def _in_transaction(rows: int, advanced: int) -> DirectWrite:
    """The deliveries inserted, each with the count of conversations moved."""
    moved = conversation_steps.advancing(advanced).cte("advanced")
    return DirectWrite(
        _inserting(rows)
        .add_cte(moved)
        .returning(_T.c.delivery_id, select(func.count()).select_from(moved).scalar_subquery().label("advanced"))
    )


@cache
def _alone(rows: int, advanced: int) -> DirectWrite:
    """The same, failing (refuse_write) unless all `rows` were inserted and all `advanced` conversations moved."""
    moved = conversation_steps.advancing(advanced).cte("advanced")
    recorded = _inserting(rows).returning(_T.c.delivery_id).cte("recorded")
    everything = and_(
        select(func.count()).select_from(recorded).scalar_subquery() == literal(rows),
        select(func.count()).select_from(moved).scalar_subquery() == literal(advanced),
    )
    refused = func.refuse_write("a delivery seen before or a conversation moved meanwhile")
    return DirectWrite(select(case((everything, 0), else_=refused).label("refused")).add_cte(moved).add_cte(recorded))


async def record(*, session: AsyncSession, rows: Sequence[dict[str, Any]], advance: Sequence[dict[str, Any]]) -> bool:
    """Insert these delivery rows and move these conversations; False if a delivery was seen before (the caller
    rolls back), StaleConversation if a conversation had moved."""
    params = {f"r{i}_{name}": value for i, row in enumerate(rows) for name, value in row.items()}
    params.update(conversation_steps.advancing_params(advance))
    if await _alone(len(rows), len(advance)).commit_alone(session, params):
        return True
    statement = _in_transaction(len(rows), len(advance))
    inserted = await statement.in_transaction(session, params)
    if inserted is None:  # no transaction open yet: SQLAlchemy begins one
        inserted = (await session.execute(statement.statement, params)).all()
    if inserted and (moved := inserted[0][1]) != len(advance):
        raise conversation_steps.StaleConversation(f"{len(advance) - moved} of {len(advance)} conversations")
    return len(inserted) == len(rows)
