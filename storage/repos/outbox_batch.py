"""The outbox in batches: which idempotency keys exist, and many new rows in one statement."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, String, any_, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, OutboxStatus
from storage.repos.upsert import dialect_of, insert_ignoring

# Built once per database; outbox.enqueue runs it for one row, enqueue_many for many.
INSERT = insert_ignoring(OutboxMessage.__table__, "idempotency_key")


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
    # a Core executemany: one statement, none of the ORM's per-row bookkeeping
    await session.execute(INSERT[dialect_of(session)], list(rows))
