"""The outbox in batches: which idempotency keys exist, and many new rows in one statement."""

from __future__ import annotations

import json
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import ARRAY, DateTime, String, Table, any_, bindparam, func, select, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, OutboxStatus
from storage.repos.upsert import dialect_of, insert_ignoring

# Built once per database; outbox.enqueue runs it for one row.
INSERT = insert_ignoring(OutboxMessage.__table__, "idempotency_key")
OUTBOX = typing.cast("Table", OutboxMessage.__table__)
COLUMNS = ("idempotency_key", "kind", "person_id", "channel", "payload", "due_at", "status", "attempts", "created_at")


def _batch_inserts() -> dict[str, Any]:
    """Per database, INSERT … SELECT of any number of rows in one statement with constant parameters.

    PostgreSQL: one typed array per column, unnested by the server (asyncpg sends them binary: no text to parse on
    either side but each payload's JSON; an executemany would run the executor once per row). SQLite, which has no
    arrays: one JSON array of row objects, unpacked by json_each.
    """
    arrays = (
        func.unnest(*(bindparam(name, type_=ARRAY(OUTBOX.c[name].type)) for name in COLUMNS))
        .table_valued(*COLUMNS)
        .render_derived(name="new_rows")
    )
    sqlite_rows = func.json_each(bindparam("rows", type_=String)).table_valued("value")
    # SQLite: json_extract gives an object as its JSON text; "WHERE true" keeps ON CONFLICT off the SELECT
    sqlite_values = [func.json_extract(sqlite_rows.c.value, f"$.{name}") for name in COLUMNS]
    return {
        "postgresql": pg_insert(OUTBOX)
        .from_select(list(COLUMNS), select(*(arrays.c[name] for name in COLUMNS)))
        .on_conflict_do_nothing(index_elements=["idempotency_key"]),
        "sqlite": sqlite_insert(OUTBOX)
        .from_select(list(COLUMNS), select(*sqlite_values).where(true()))
        .on_conflict_do_nothing(index_elements=["idempotency_key"]),
    }


BATCH_INSERT = _batch_inserts()


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
    if dialect_of(session) == "postgresql":  # each column's values processed by its type, as for one row
        columns = {name: [row[name] for row in rows] for name in COLUMNS}
        await session.execute(BATCH_INSERT["postgresql"], columns)
        return
    await session.execute(BATCH_INSERT["sqlite"], {"rows": json.dumps(list(rows), default=_encoder(session))})


def _encoder(session: AsyncSession) -> Callable[[object], object]:
    """How a row's datetimes and enums go into SQLite's JSON: each as the database stores it."""
    dialect = session.get_bind().dialect
    stored = DateTime(timezone=True).dialect_impl(dialect).bind_processor(dialect)  # its text form

    seen: dict[datetime, object] = {}  # a batch's rows share their due and created moments

    def encode(value: object) -> object:
        if isinstance(value, datetime):
            if value not in seen:
                moment = value.astimezone(UTC)
                seen[value] = moment.isoformat() if stored is None else stored(moment)
            return seen[value]
        if isinstance(value, Enum):
            return value.value
        raise TypeError(f"{type(value).__name__} does not go into an outbox row")

    return encode
