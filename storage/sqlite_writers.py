"""One queue per SQLite file and event loop for the write lock, so writers of one process wait their turn.

Every transaction on the fast path opens with BEGIN IMMEDIATE (storage.database), and SQLite tells a refused
writer only "busy": sqlite_inline then polls with growing pauses (up to 50 ms), so a writer of this process
could sleep long after the lock was free, and a later one could take it first. Measured on the OA webhook
paced at 200 messages/s: 2,127 BEGINs waited 2.9 s in all, up to 470 ms one (bench/README.md). Writers of one
process now queue on an asyncio.Lock, woken in arrival order the moment the holder commits or rolls back;
polling remains for the lock held by another process. A writer that cannot enter the queue within the busy
timeout gets SQLite's own "database is locked" error, as it would have from polling.
"""

from __future__ import annotations

import asyncio
import sqlite3
import weakref

_QUEUES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = weakref.WeakKeyDictionary()


def writers(database: str) -> asyncio.Lock:
    """The queue of this process's writers to `database` on the running event loop."""
    loop = asyncio.get_running_loop()
    return _QUEUES.setdefault(loop, {}).setdefault(database, asyncio.Lock())


def locked_error() -> sqlite3.OperationalError:
    """The error SQLite gives a writer refused past the busy timeout."""
    error = sqlite3.OperationalError("database is locked")
    error.sqlite_errorcode = sqlite3.SQLITE_BUSY
    error.sqlite_errorname = "SQLITE_BUSY"
    return error


class WriterTurn:
    """One connection's place in its file's queue: taken before BEGIN IMMEDIATE, given up when the transaction ends."""

    def __init__(self, database: str, timeout_s: float) -> None:
        self.database, self.timeout_s = database, timeout_s
        self._held: asyncio.Lock | None = None

    async def take(self) -> None:
        """Wait for this process's earlier writers; 'database is locked' after the busy timeout."""
        if self._held is not None or not self.database:
            return
        queue = writers(self.database)
        try:
            await asyncio.wait_for(queue.acquire(), self.timeout_s)
        except TimeoutError:
            raise locked_error() from None
        self._held = queue

    def give_up(self, in_transaction: bool) -> None:
        """Let the next writer in once this connection's transaction is over."""
        if self._held is not None and not in_transaction:
            self._held.release()
            self._held = None
