"""Prebuilt statements for the hottest paths: on PostgreSQL run on asyncpg's own connection beneath the session.

Through SQLAlchemy's asyncpg adapter and ORM a statement costs about ten times asyncpg's own client CPU
(bench/pg_statement.py), and the speaker read runs on every turn, the batch's one write on every transaction. Only
public API is used: the pooled connection's `driver_connection`, asyncpg's `fetch` (with asyncpg's own
prepared-statement cache) and `is_in_transaction`, the compiled statement's SQL, `positiontup`, `binds` and
`construct_params`, and each type's `bind_processor` and `result_processor` for the dialect, so values go and come
back as SQLAlchemy's Core would send and return them. SQLite runs the same statements through Core. Any error on the
direct path runs the statement again through SQLAlchemy, which raises (and replaces a dead connection) as it does
for every other statement; a write standing alone that fails has written nothing, and its caller runs its statement
in the session's transaction instead.
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

    async def _fetched(self, connection: AsyncConnection, driver: Any, params: Mapping[str, Any]) -> list[list[Any]]:
        """The rows, through asyncpg; on an error, through SQLAlchemy, which raises as for every statement."""
        try:
            return await self._fetch(connection, driver, params)
        except Exception:
            # SQLAlchemy raises the error as it does for every statement (and replaces a dead connection); in a
            # transaction the first error aborted, its own error says so, with the first as its context
            return [list(row) for row in (await connection.execute(self.statement, dict(params))).all()]


class DirectRead(_Direct):
    """A SELECT: on PostgreSQL in the session's transaction (or before it, as its first statement)."""

    async def rows(self, session: AsyncSession, params: Mapping[str, Any]) -> Sequence[Sequence[Any]] | None:
        """The statement's rows on PostgreSQL (pending changes flushed first, as the ORM's autoflush would); None
        elsewhere, where the caller runs its statement as usual."""
        if (connection := await _connection(session)) is None:
            return None
        return await self._fetched(connection, await _driver(session, connection), params)


class DirectWrite(_Direct):
    """A write returning rows: on PostgreSQL either inside the session's transaction, or, with none open, standing
    alone in its own implicit transaction (one round trip: no BEGIN, no COMMIT). A statement meant to stand alone
    must fail (raise in the database) unless everything it wrote is to be kept: it commits all of itself or nothing."""

    async def in_transaction(self, session: AsyncSession, params: Mapping[str, Any]) -> Sequence[Sequence[Any]] | None:
        """Its rows, written in the session's open transaction; None on SQLite or with no transaction open (a write
        on asyncpg's connection then would commit at once), where the caller runs it through the session."""
        if (connection := await _connection(session)) is None:
            return None
        driver = await _driver(session, connection)
        if not driver.is_in_transaction():
            return None
        return await self._fetched(connection, driver, params)

    async def commit_alone(self, session: AsyncSession, params: Mapping[str, Any]) -> bool:
        """Whether it ran and committed; False, with nothing written, on SQLite, inside a transaction (pending changes
        flushed start one), or when it failed: the caller then runs its statement in the session's transaction."""
        if (connection := await _connection(session)) is None:
            return False
        driver = await _driver(session, connection)
        if driver.is_in_transaction():
            return False
        try:
            await self._fetch(connection, driver, params)
        except Exception:
            # one statement: it wrote nothing (the transaction's form, run next, says why) or, when the connection
            # died after the server committed it, all of it, which the batch's retry finds as seen deliveries
            return False
        return True


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
