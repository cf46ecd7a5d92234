"""The inline connection's cursor (storage.sqlite_inline): aiosqlite.Cursor's interface over a sqlite3 cursor."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.sqlite_inline import InlineConnection

BEGIN = "BEGIN IMMEDIATE"  # how storage.database opens every transaction: the writers queue before it
CHUNK = 1000  # rows read between two turns of the event loop


class InlineCursor:
    """aiosqlite.Cursor's interface over a sqlite3 cursor, run in place."""

    def __init__(self, owner: InlineConnection, cursor: sqlite3.Cursor) -> None:
        self._owner = owner
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        """Run one statement; wait for the write lock off the loop if it is taken."""
        if sql == BEGIN:
            await self._owner.turn.take()
        try:
            await self._owner.run(self._cursor.execute, sql, () if parameters is None else parameters)
        finally:
            self._owner.give_up_turn()
        return self

    async def executemany(self, sql: str, parameters: Sequence[Sequence[Any]]) -> InlineCursor:
        """Run one statement for many rows."""
        await self._owner.run(self._cursor.executemany, sql, parameters)
        return self

    async def fetchone(self) -> Any:
        """The next row, or None."""
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        """Up to size rows (a streamed result lets the loop run between batches)."""
        await asyncio.sleep(0)
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        """Every remaining row, read in chunks with the loop let run between them."""
        rows = self._cursor.fetchmany(CHUNK)
        while len(rows) % CHUNK == 0 and rows:
            # a big read (an export, the planner's pass) must not hold every other request up
            await asyncio.sleep(0)
            more = self._cursor.fetchmany(CHUNK)
            if not more:
                break
            rows.extend(more)
        return rows

    async def close(self) -> None:
        """Close the cursor."""
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value
