"""Counting the SQL a block of code sends, for tests that pin a number of statements (or of transactions at once)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import direct


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements sent while the block runs (through SQLAlchemy, and storage.direct's reads)."""
    sent: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        sent.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    direct.watch(engine, sent.append)
    try:
        yield sent
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
        direct.unwatch(engine, sent.append)


@contextmanager
def open_at_once(engine: AsyncEngine) -> Iterator[list[int]]:
    """[open now, most open at once]: the engine's transactions while the block runs."""
    count = [0, 0]

    def began(_conn: Any) -> None:
        count[0] += 1
        count[1] = max(count)

    def ended(_conn: Any) -> None:
        count[0] -= 1

    event.listen(engine.sync_engine, "begin", began)
    event.listen(engine.sync_engine, "commit", ended)
    event.listen(engine.sync_engine, "rollback", ended)
    try:
        yield count
    finally:
        event.remove(engine.sync_engine, "begin", began)
        event.remove(engine.sync_engine, "commit", ended)
        event.remove(engine.sync_engine, "rollback", ended)
