"""Per-user order in one process: each user's background sends run one after another, in the order of their turns."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Sequencer:
    """Runs each user's background sends one after another, in the order the turns came."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._pending: dict[str, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def run(self, user_id: str, job: Callable[[], Awaitable[None]]) -> None:
        """Queue `job` behind this user's earlier jobs."""
        lock = self._locks.setdefault(user_id, asyncio.Lock())
        self._pending[user_id] = self._pending.get(user_id, 0) + 1

        async def guarded() -> None:
            try:
                async with lock:
                    await job()
            except Exception:
                log.exception("background send to a user failed")
            finally:
                self._pending[user_id] -= 1
                if not self._pending[user_id]:  # the user's last job: forget the lock
                    del self._pending[user_id], self._locks[user_id]

        task = asyncio.get_running_loop().create_task(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for every queued send (shutdown, tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
