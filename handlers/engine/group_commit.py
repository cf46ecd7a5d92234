"""Group commit: turns that wait for the database's writers run together, a batch to a transaction.

A transaction's fixed costs (a session, the connection from the pool, BEGIN, COMMIT, the connection's reset) were
most of a short turn's work. Turns that arrive while the writers are busy wait for the next batch and are committed
with it. SQLite takes one writer, so one batch runs at a time; PostgreSQL takes concurrent writers, so up to
`writers` batches are in flight (storage.database.concurrent_writers), one batch's round trips and COMMIT beside the
next one's Python work. Nothing is answered before its turn is committed, so a crash loses only unanswered turns,
which the platforms deliver again. If any turn of a batch fails (a bug, a duplicate, a stale conversation, a
deadlock with the batch beside it), the whole batch is rolled back and every turn of it runs again on its own,
exactly as without batching, so one person's failing turn never touches another's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from handlers.core.types import Incoming, Turn

log = logging.getLogger(__name__)
LIMIT = 16  # turns in one transaction: enough to share its cost, few enough to keep the first one prompt

Together = Callable[[Sequence[Incoming]], Awaitable[list[Turn]]]
Alone = Callable[[Incoming], Awaitable[Turn]]
Waiting = list[tuple[Incoming, asyncio.Future[Turn]]]


class GroupCommit:
    """Writers for turns: the waiting ones are taken in arrival order, in batches, by up to `writers` drain tasks."""

    def __init__(self, *, together: Together, alone: Alone, writers: int = 1, limit: int = LIMIT) -> None:
        self._together = together
        self._alone = alone
        self._writers = writers
        self._limit = limit
        self._waiting: Waiting = []
        self._drains: set[asyncio.Task[None]] = set()
        self._fresh: asyncio.Task[None] | None = None  # the drain created last, until it takes its first batch

    async def submit(self, incoming: Incoming) -> Turn:
        """Queue a turn and wait for it to be committed (with whichever turns share its batch)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Turn] = loop.create_future()
        self._waiting.append((incoming, future))
        self._start(loop)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            # the caller went away; the turn still runs (its answer is stored for the platform's retry), and the
            # caller holds the person's lock (Bot.handle) until it is done, so their next turn never runs beside it
            await asyncio.wait([future])
            raise

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start a drain for the waiting turns, unless one is about to start or every writer is busy."""
        fresh = self._fresh
        # a drain about to start takes every turn queued before it runs: a second one would find none
        if fresh is not None and not fresh.done() and fresh.get_loop() is loop:
            return
        if len(self._drains) >= self._writers:  # or some of them belong to a closed event loop
            self._drains = {d for d in self._drains if not d.done() and d.get_loop() is loop}
        if len(self._drains) < self._writers:
            self._fresh = drain = loop.create_task(self._drain_all())
            self._drains.add(drain)
            drain.add_done_callback(self._ended)

    def _ended(self, drain: asyncio.Task[None]) -> None:
        self._drains.discard(drain)

    async def _drain_all(self) -> None:
        if self._fresh is asyncio.current_task():
            self._fresh = None
        while self._waiting:
            # with a writer free beside this one, the waiting turns are shared out: one batch's round trips and
            # COMMIT then overlap the other's Python work, where one batch of all of them leaves the process idle
            share = -(-len(self._waiting) // max(1, self._writers - len(self._drains) + 1))
            size = min(self._limit, share)
            batch, self._waiting = self._waiting[:size], self._waiting[size:]
            if self._waiting:
                self._start(asyncio.get_running_loop())
            await self._settle(batch)

    async def _settle(self, batch: Waiting) -> None:
        try:
            turns = await self._run([incoming for incoming, _ in batch])
        except BaseException as exc:
            # stopped (the process shutting down) or worse: no caller may wait for an answer forever; a batch
            # in flight beside this one finishes on its own
            for _, future in batch + self._waiting:
                if not future.done():
                    future.cancel() if isinstance(exc, asyncio.CancelledError) else future.set_exception(exc)
            self._waiting = []
            raise
        for (_, future), turn in zip(batch, turns, strict=True):
            if future.done():
                continue
            if isinstance(turn, Exception):
                future.set_exception(turn)
            else:
                future.set_result(turn)

    async def _run(self, batch: list[Incoming]) -> list[Turn | Exception]:
        if len(batch) > 1:
            try:
                return list(await self._together(batch))
            except Exception as exc:
                # a duplicate, a stale conversation, a deadlock or a failing turn: each runs again on its own
                log.info("batch of %d turns rolled back (%s); running them one by one", len(batch), type(exc).__name__)
        return [await self._one(incoming) for incoming in batch]

    async def _one(self, incoming: Incoming) -> Turn | Exception:
        # a turn not taken (the database down) fails its own caller only: those before it are committed
        try:
            return await self._alone(incoming)
        except Exception as exc:
            return exc
