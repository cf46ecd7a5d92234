"""The outbox in batches: which idempotency keys exist, and many new rows in one statement."""

from __future__ import annotations

import json
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import ARRAY, JSON, DateTime, String, Table, any_, bindparam, cast, column, func, select, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, OutboxStatus
from storage.repos.upsert import dialect_of, insert_ignoring

# Built once per database; outbox.enqueue runs it for one row.
INSERT = insert_ignoring(OutboxMessage.__table__, "idempotency_key")
OUTBOX = typing.cast("Table", OutboxMessage.__table__)
COLUMNS = ("idempotency_key", "kind", "person_id", "channel", "payload", "due_at", "status", "attempts", "created_at")


def _from_json() -> dict[str, Any]:
    """Per database, INSERT … SELECT from one JSON array of row objects, unpacked by the database itself:
    any number of rows in one statement with one parameter, and no per-row work in Python but one json.dumps
    (an executemany binds and processes every value of every row, and PostgreSQL runs its executor per row)."""
    rows = bindparam("rows", type_=String)
    pg_rows = (
        func.json_to_recordset(cast(rows, JSON))
        .table_valued(*(column(name, OUTBOX.c[name].type) for name in COLUMNS))
        .render_derived(name="new_rows", with_types=True)
    )
    sqlite_rows = func.json_each(rows).table_valued("value")
    # SQLite: json_extract gives an object as its JSON text; "WHERE true" keeps ON CONFLICT off the SELECT
    sqlite_values = [func.json_extract(sqlite_rows.c.value, f"$.{name}") for name in COLUMNS]
    return {
        "postgresql": pg_insert(OUTBOX)
        .from_select(list(COLUMNS), select(*(pg_rows.c[name] for name in COLUMNS)))
        .on_conflict_do_nothing(index_elements=["idempotency_key"]),
        "sqlite": sqlite_insert(OUTBOX)
        .from_select(list(COLUMNS), select(*sqlite_values).where(true()))
        .on_conflict_do_nothing(index_elements=["idempotency_key"]),
    }


FROM_JSON = _from_json()


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
    dialect = dialect_of(session)
    await session.execute(FROM_JSON[dialect], {"rows": json.dumps(list(rows), default=_encoder(session))})


def _encoder(session: AsyncSession) -> Callable[[object], object]:
    """How a row's datetimes and enums go into the JSON: each as the database stores it."""
    dialect = session.get_bind().dialect
    stored = DateTime(timezone=True).dialect_impl(dialect).bind_processor(dialect)  # SQLite: its text form

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
