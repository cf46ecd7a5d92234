"""SQLite for the async engine without a thread hop per call: sqlite3 runs on the event loop.

aiosqlite hands every call (cursor, execute, fetch, close) to its own thread and back, several hops per
statement, each costing more CPU than the statement itself (bench/README.md). These classes give
SQLAlchemy's aiosqlite dialect (through its documented ``async_creator`` hook) a connection with
aiosqlite's interface that runs sqlite3 directly. The dialect also reaches into aiosqlite's private
request queue (``_tx``) and sqlite3 connection (``_conn``): tests/test_private_contracts.py pins all it
uses, and SQLITE_FAST_PATH=false (storage.database.create_engine) runs without this module.

The one call that can wait long is taking the write lock (``BEGIN IMMEDIATE`` while another
connection or process writes): SQLite is asked never to wait (busy timeout 0), and a refused
statement is tried again after a short asyncio.sleep, up to the busy timeout, so the loop never
stalls on a lock and no thread is left holding a connection that is being closed. Big results are
read 1,000 rows at a time with the loop let run in between; one long statement still runs on the
loop, which is why deployments with heavy background work belong on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Sequence
from typing import Any

from storage.sqlite_cursor import BEGIN as BEGIN  # storage.database opens every transaction with it
from storage.sqlite_cursor import InlineCursor
from storage.sqlite_writers import WriterTurn

BUSY_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
FIRST_PAUSE, LONGEST_PAUSE = 0.001, 0.05  # seconds; SQLite's own busy handler backs off alike


class _Immediate:
    """Stands in for aiosqlite's request queue: the dialect sets isolation_level through it."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        """Run the request now and settle its future."""
        future, function = item
        try:
            result = function()
        except Exception as exc:
            if future is not None:
                future.set_exception(exc)
            return
        if future is not None:
            future.set_result(result)


class InlineConnection:
    """aiosqlite.Connection's interface over one sqlite3 connection, run on the event loop."""

    def __init__(self, connection: sqlite3.Connection, busy_timeout_ms: int, database: str = "") -> None:
        self._connection: sqlite3.Connection | None = connection
        self._busy_timeout_ms = busy_timeout_ms
        self._tx = _Immediate()
        self.turn = WriterTurn(database, busy_timeout_ms / 1000)

    def give_up_turn(self) -> None:
        """Let this process's next writer in if no transaction is open here (storage.sqlite_writers)."""
        self.turn.give_up(self._connection is not None and self._connection.in_transaction)

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")
        return self._connection

    async def run(self, function: Callable[..., Any], *args: Any) -> Any:
        """Call sqlite3 in place; while the database is locked, try again after a pause on the loop."""
        deadline, pause = 0.0, FIRST_PAUSE
        while True:
            try:
                return function(*args)
            except sqlite3.OperationalError as exc:
                # a statement refused with SQLITE_BUSY did nothing, so it can simply be tried again
                if exc.sqlite_errorcode not in BUSY_CODES:
                    raise
                now = time.monotonic()
                deadline = deadline or now + self._busy_timeout_ms / 1000
                if now >= deadline:
                    raise
                await asyncio.sleep(min(pause, deadline - now))
                pause = min(pause * 2, LONGEST_PAUSE)

    @property
    def isolation_level(self) -> str | None:
        """The sqlite3 connection's (the dialect sets it through _tx, as it does aiosqlite's)."""
        return self._conn.isolation_level

    def cursor(self) -> InlineCursor:
        """A new cursor (the dialect enters it with ``async with``)."""
        return InlineCursor(self, self._conn.cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        """Run one statement on a new cursor."""
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        """Commit (a no-op outside a transaction)."""
        try:
            await self.run(self._conn.commit)
        finally:
            self.give_up_turn()

    async def rollback(self) -> None:
        """Roll back."""
        try:
            self._conn.rollback()
        finally:
            self.give_up_turn()

    async def close(self) -> None:
        """Close the connection; closing twice is harmless."""
        self.stop()

    def stop(self) -> None:
        """Close at once (the dialect's forced termination)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self.give_up_turn()

    async def create_function(
        self, name: str, num_params: int, func: Callable[..., Any], deterministic: bool = False
    ) -> None:
        """Register a Python function with SQLite."""
        self._conn.create_function(name, num_params, func, deterministic=deterministic)


def creator(database: str, *, uri: bool, busy_timeout_ms: int) -> Callable[[], Any]:
    """An ``async_creator`` for create_async_engine that opens inline connections to database."""

    async def connect() -> InlineConnection:
        # timeout=0: never wait inside SQLite, which would stall the loop; InlineConnection.run waits instead
        conn = sqlite3.connect(database, timeout=0, uri=uri, check_same_thread=False, isolation_level=None)
        return InlineConnection(conn, busy_timeout_ms, database)

    return connect
