"""Per-user order in one process: one lock per key, and background sends that run one after another per user."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class KeyedLocks:
    """One asyncio.Lock per key, forgotten once nobody holds or awaits it."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[object, asyncio.Lock] = weakref.WeakValueDictionary()

    def __call__(self, key: object) -> asyncio.Lock:
        """The lock of `key` (FIFO: waiters get it in the order they asked)."""
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock


class Sequencer:
    """Runs each user's background sends one after another, in the order the turns came."""

    def __init__(self) -> None:
        self._locks = KeyedLocks()
        self._tasks: set[asyncio.Task[None]] = set()

    def run(self, user_id: str, job: Callable[[], Awaitable[None]]) -> None:
        """Queue `job` behind this user's earlier jobs."""
        lock = self._locks(user_id)  # held by this job's task until it ends: later jobs find the same lock

        async def guarded() -> None:
            try:
                async with lock:
                    await job()
            except Exception:
                log.exception("background send to a user failed")

        task = asyncio.get_running_loop().create_task(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for every queued send (shutdown, tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
