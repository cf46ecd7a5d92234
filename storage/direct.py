"""Prebuilt reads for the hottest statements: on PostgreSQL run on asyncpg's own connection beneath the session.

Through SQLAlchemy's asyncpg adapter and ORM a statement costs about ten times asyncpg's own client CPU
(bench/pg_statement.py), and the speaker read runs on every turn. Only public API is used: the pooled connection's
`driver_connection`, asyncpg's `fetch` (with asyncpg's own prepared-statement cache), the compiled statement's SQL
and `positiontup`, and each column type's `result_processor` for the dialect, so values come back as SQLAlchemy's
Core would return them. SQLite runs the same statement through Core. Any error on the direct path runs the statement
again through SQLAlchemy, which raises (and replaces a dead connection) as it does for every other statement.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, Select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

Watcher = Callable[[str], None]
_WATCHERS: weakref.WeakKeyDictionary[Engine, list[Watcher]] = weakref.WeakKeyDictionary()
_DRIVER = "studio_direct_driver"  # session.info: (the session's Connection, its asyncpg connection)


def watch(engine: AsyncEngine, watcher: Watcher) -> None:
    """Call watcher with the SQL of every direct read on this engine (SQLAlchemy's events do not see them)."""
    _WATCHERS.setdefault(engine.sync_engine, []).append(watcher)


def unwatch(engine: AsyncEngine, watcher: Watcher) -> None:
    """Stop calling a watcher given to `watch`."""
    _WATCHERS.get(engine.sync_engine, []).remove(watcher)


class DirectRead:
    """One SELECT, compiled once per dialect; rows of plain column values, as Core returns them."""

    def __init__(self, statement: Select[*tuple[Any, ...]]) -> None:
        self.statement = statement
        self._compiled: dict[str, tuple[str, tuple[str, ...], tuple[Callable[[Any], Any] | None, ...]]] = {}

    def _for(self, dialect: Dialect) -> tuple[str, tuple[str, ...], tuple[Callable[[Any], Any] | None, ...]]:
        if (found := self._compiled.get(dialect.name)) is None:
            compiled = self.statement.compile(dialect=dialect)
            processors = tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in self.statement.selected_columns
            )
            found = self._compiled[dialect.name] = (str(compiled), tuple(compiled.positiontup or ()), processors)
        return found

    async def rows(self, session: AsyncSession, params: Mapping[str, Any]) -> Sequence[Sequence[Any]] | None:
        """The statement's rows on PostgreSQL (pending changes flushed first, as the ORM's autoflush would); None
        elsewhere, where the caller runs its statement as usual."""
        bind = session.get_bind()
        if bind.dialect.driver != "asyncpg":
            return None
        if session.new or session.dirty or session.deleted:
            await session.flush()
        connection = await session.connection()
        sql, names, processors = self._for(bind.dialect)
        try:
            records = await (await _driver(session, connection)).fetch(sql, *(params[name] for name in names))
        except Exception:
            # SQLAlchemy raises the error as it does for every statement (and replaces a dead connection)
            return list((await connection.execute(self.statement, dict(params))).all())
        for watcher in _WATCHERS.get(connection.sync_engine, ()):
            watcher(sql)
        return [_processed(processors, record) for record in records]


def _processed(processors: Sequence[Callable[[Any], Any] | None], record: Sequence[Any]) -> list[Any]:
    return [value if process is None else process(value) for process, value in zip(processors, record, strict=True)]


async def _driver(session: AsyncSession, connection: Any) -> Any:
    """The asyncpg connection under the session's current connection (asked of the pool once a connection)."""
    kept = session.info.get(_DRIVER)
    if kept is None or kept[0] is not connection.sync_connection:
        kept = session.info[_DRIVER] = (
            connection.sync_connection,
            (await connection.get_raw_connection()).driver_connection,
        )
    return kept[1]
