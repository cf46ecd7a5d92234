"""Prebuilt statements for the hottest paths: on PostgreSQL run on asyncpg's own connection beneath the session.

Through SQLAlchemy's asyncpg adapter and ORM a statement costs about ten times asyncpg's own client CPU
(bench/pg_statement.py), and the speaker read runs on every turn, the batch's one write on every transaction. Only
public API is used: the pooled connection's `driver_connection`, asyncpg's `fetch` (with asyncpg's own
prepared-statement cache) and `is_in_transaction`, the compiled statement's SQL, `positiontup`, `binds` and
`construct_params`, and each type's `bind_processor` and `result_processor` for the dialect, so values go and come
back as SQLAlchemy's Core would send and return them. SQLite runs the same statements through Core. Any error on the
direct path runs the statement again through SQLAlchemy, which raises (and replaces a dead connection) as it does
for every other statement.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Engine, Insert, Select, Update
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.sql.compiler import Compiled

Watcher = Callable[[str], None]
Processor = Callable[[Any], Any] | None
Statement = Select[*tuple[Any, ...]] | Insert | Update
_WATCHERS: weakref.WeakKeyDictionary[Engine, list[Watcher]] = weakref.WeakKeyDictionary()
_DRIVER = "studio_direct_driver"  # session.info: (the session's Connection, its asyncpg connection)


def watch(engine: AsyncEngine, watcher: Watcher) -> None:
    """Call watcher with the SQL of every direct statement on this engine (SQLAlchemy's events do not see them)."""
    _WATCHERS.setdefault(engine.sync_engine, []).append(watcher)


def unwatch(engine: AsyncEngine, watcher: Watcher) -> None:
    """Stop calling a watcher given to `watch`."""
    _WATCHERS.get(engine.sync_engine, []).remove(watcher)


class _Form(NamedTuple):
    """A statement as the dialect runs it: SQL, its parameters in order with their processors, its columns'."""

    compiled: Compiled
    sql: str
    names: tuple[str, ...]
    binds: tuple[Processor, ...]
    results: tuple[Processor, ...]


class _Direct:
    """One statement returning rows, compiled once per dialect; rows of plain column values, as Core returns them."""

    def __init__(self, statement: Statement) -> None:
        self.statement = statement
        self._forms: dict[str, _Form] = {}

    def _form(self, dialect: Dialect) -> _Form:
        if (found := self._forms.get(dialect.name)) is None:
            compiled = self.statement.compile(dialect=dialect)
            names = tuple(compiled.positiontup or ())
            binds = tuple(compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names)
            results = tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in self.statement.exported_columns
            )
            found = self._forms[dialect.name] = _Form(compiled, str(compiled), names, binds, results)
        return found

    async def _fetch(self, connection: AsyncConnection, driver: Any, params: Mapping[str, Any]) -> list[list[Any]]:
        """The rows, through asyncpg; an error raises as asyncpg raises it."""
        form = self._form(connection.dialect)
        values = form.compiled.construct_params(dict(params)) or {}
        arguments = [
            values[name] if bind is None else bind(values[name])
            for name, bind in zip(form.names, form.binds, strict=True)
        ]
        records = await driver.fetch(form.sql, *arguments)
        for watcher in _WATCHERS.get(connection.sync_engine, ()):
            watcher(form.sql)
        return [_processed(form.results, record) for record in records]


class DirectRead(_Direct):
    """A SELECT: on PostgreSQL in the session's transaction (or before it, as its first statement)."""

    async def rows(self, session: AsyncSession, params: Mapping[str, Any]) -> Sequence[Sequence[Any]] | None:
        """The statement's rows on PostgreSQL (pending changes flushed first, as the ORM's autoflush would); None
        elsewhere, where the caller runs its statement as usual."""
        if (connection := await _connection(session)) is None:
            return None
        return await self._in_transaction(connection, await _driver(session, connection), params)

    async def _in_transaction(
        self, connection: AsyncConnection, driver: Any, params: Mapping[str, Any]
    ) -> list[list[Any]]:
        try:
            return await self._fetch(connection, driver, params)
        except Exception:
            # SQLAlchemy raises the error as it does for every statement (and replaces a dead connection); in a
            # transaction the first error aborted, its own error says so, with the first as its context
            return [list(row) for row in (await connection.execute(self.statement, dict(params))).all()]


class DirectWrite(DirectRead):
    """A transaction's last write, returning rows. On PostgreSQL, in the session's transaction if one is open; if
    nothing was written or read through SQLAlchemy before it, in a transaction of its own on asyncpg's connection,
    committed only if `keep` says so of its rows (rolled back otherwise): the session then has nothing to commit."""

    async def write(
        self, session: AsyncSession, params: Mapping[str, Any], *, keep: Callable[[list[list[Any]]], bool]
    ) -> Sequence[Sequence[Any]] | None:
        """The statement's rows on PostgreSQL (committed if keep(rows) when it ran alone); None elsewhere, where the
        caller runs its statement as usual."""
        if (connection := await _connection(session)) is None:
            return None
        driver = await _driver(session, connection)
        if driver.is_in_transaction():
            return await self._in_transaction(connection, driver, params)
        try:
            async with driver.transaction():
                rows = await self._fetch(connection, driver, params)
                if not keep(rows):
                    raise _Undone(rows)
        except _Undone as undone:
            return undone.rows
        except BaseException as error:
            if driver.is_in_transaction():  # a rollback cut short: the pool must not lend this connection again
                await connection.invalidate()
                raise
            if not isinstance(error, Exception):
                raise
            # rolled back: SQLAlchemy runs it again, in the session's transaction, and raises as it does
            return [list(row) for row in (await connection.execute(self.statement, dict(params))).all()]
        return rows


class _Undone(Exception):
    """Rolls a direct write's transaction back, carrying the rows it returned."""

    def __init__(self, rows: list[list[Any]]) -> None:
        super().__init__("not kept")
        self.rows = rows


def _processed(processors: Sequence[Processor], record: Sequence[Any]) -> list[Any]:
    return [value if process is None else process(value) for process, value in zip(processors, record, strict=True)]


async def _connection(session: AsyncSession) -> AsyncConnection | None:
    """The session's connection on PostgreSQL, its pending changes flushed first (as autoflush would); else None."""
    if session.get_bind().dialect.driver != "asyncpg":
        return None
    if session.new or session.dirty or session.deleted:
        await session.flush()
    return await session.connection()


async def _driver(session: AsyncSession, connection: AsyncConnection) -> Any:
    """The asyncpg connection under the session's current connection (asked of the pool once a connection)."""
    kept = session.info.get(_DRIVER)
    if kept is None or kept[0] is not connection.sync_connection:
        kept = session.info[_DRIVER] = (
            connection.sync_connection,
            (await connection.get_raw_connection()).driver_connection,
        )
    return kept[1]
