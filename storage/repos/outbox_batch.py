"""The outbox in batches: which idempotency keys exist, and many new rows in one statement."""

from __future__ import annotations

import json
import typing
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, JSON, DateTime, Integer, String, Table, any_, bindparam, cast, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeEngine

from storage.models import OutboxMessage, OutboxStatus
from storage.repos.upsert import dialect_of, insert_ignoring

# Built once per database; outbox.enqueue runs it for one row, enqueue_many for many on SQLite.
INSERT = insert_ignoring(OutboxMessage.__table__, "idempotency_key")
# the columns new_row fills, with the array type each travels in to PostgreSQL's unnest
COLUMNS: dict[str, TypeEngine[Any]] = {
    "idempotency_key": String(),
    "kind": String(),
    "person_id": Integer(),
    "channel": String(),
    "payload": String(),  # JSON text, cast to json in the statement
    "due_at": DateTime(timezone=True),
    "status": String(),
    "attempts": Integer(),
    "created_at": DateTime(timezone=True),
}


OUTBOX = typing.cast("Table", OutboxMessage.__table__)


def _unnest_insert() -> Any:
    """INSERT … SELECT FROM unnest(one array per column) ON CONFLICT DO NOTHING: any number of rows in one
    statement with nine parameters (an executemany runs the INSERT once per row)."""
    arrays = [bindparam(name, type_=ARRAY(kind)) for name, kind in COLUMNS.items()]
    rows = func.unnest(*arrays).table_valued(*COLUMNS).render_derived(name="new_rows")
    values = [cast(rows.c.payload, JSON) if name == "payload" else rows.c[name] for name in COLUMNS]
    return (
        pg_insert(OUTBOX)
        .from_select(list(COLUMNS), select(*values))
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
    )


UNNEST_INSERT = _unnest_insert()


def new_row(
    *,
    key: str,
    person_id: int,
    payload: dict[str, Any],
    kind: str,
    due_at: datetime,
    now: datetime,
    channel: str | None = None,
) -> dict[str, Any]:
    """One pending outbox row created `now`, for INSERT (outbox.enqueue) or enqueue_many."""
    return {
        "idempotency_key": key,
        "kind": kind,
        "person_id": person_id,
        "channel": channel,
        "payload": payload,
        "due_at": due_at,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "created_at": now,
    }


async def existing_keys(*, session: AsyncSession, keys: Sequence[str]) -> set[str]:
    """Which of these idempotency keys the outbox already holds (one statement, one parameter)."""
    if not keys:
        return set()
    if dialect_of(session) == "postgresql":
        param = bindparam("keys", list(keys), type_=ARRAY(String))
        query = select(OutboxMessage.idempotency_key).where(OutboxMessage.idempotency_key == any_(param))
    else:
        values = func.json_each(bindparam("keys", json.dumps(list(keys)))).table_valued("value")
        query = select(OutboxMessage.idempotency_key).where(OutboxMessage.idempotency_key.in_(select(values.c.value)))
    return set((await session.scalars(query)).all())


async def enqueue_many(*, session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
    """Add outbox rows in one batch; a row whose key exists already is skipped."""
    if not rows:
        return
    if dialect_of(session) == "postgresql":
        columns: dict[str, list[Any]] = {name: [] for name in COLUMNS}
        for row in rows:
            for name, values in columns.items():
                value = row[name]
                values.append(json.dumps(value) if name == "payload" else getattr(value, "value", value))
        await session.execute(UNNEST_INSERT, columns)
        return
    # a Core executemany: one statement, none of the ORM's per-row bookkeeping (SQLite runs it in process)
    await session.execute(INSERT["sqlite"], list(rows))
