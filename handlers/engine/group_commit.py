"""Group commit: turns that queue for SQLite's one writer run together in one transaction.

SQLite takes one write transaction at a time, so the bot already ran turns one after another. A
transaction's fixed costs (a session, the connection from the pool, BEGIN IMMEDIATE, COMMIT, the
connection's reset) were most of a short turn's work. Turns that arrive while a batch runs now wait
for the next one and are committed with it. Nothing is answered before its turn is committed, so a
crash loses only unanswered turns, which the platforms deliver again. If any turn of a batch fails,
the whole batch is rolled back and every turn of it runs again on its own, exactly as without
batching, so one person's failing turn never touches another's.
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


class GroupCommit:
    """One writer for turns: the waiting ones are taken in batches by a single drain task."""

    def __init__(self, *, together: Together, alone: Alone, limit: int = LIMIT) -> None:
        self._together = together
        self._alone = alone
        self._limit = limit
        self._waiting: list[tuple[Incoming, asyncio.Future[Turn]]] = []
        self._drain: asyncio.Task[None] | None = None

    async def submit(self, incoming: Incoming) -> Turn:
        """Queue a turn and wait for it to be committed (with whichever turns share its batch)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Turn] = loop.create_future()
        self._waiting.append((incoming, future))
        if self._drain is None or self._drain.done() or self._drain.get_loop() is not loop:
            self._drain = asyncio.create_task(self._drain_all())
        # if the caller goes away the turn still runs: its answer is stored for the platform's retry
        return await future

    async def _drain_all(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[: self._limit], self._waiting[self._limit :]
            try:
                turns = await self._run([incoming for incoming, _ in batch])
            except BaseException as exc:
                # stopped (the process shutting down) or worse: no caller may wait for an answer forever
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
                # a duplicate, a stale conversation or a failing turn: each runs again on its own
                log.info("batch of %d turns rolled back (%s); running them one by one", len(batch), type(exc).__name__)
        return [await self._one(incoming) for incoming in batch]

    async def _one(self, incoming: Incoming) -> Turn | Exception:
        # a turn not taken (the database down) fails its own caller only: those before it are committed
        try:
            return await self._alone(incoming)
        except Exception as exc:
            return exc
