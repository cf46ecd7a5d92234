"""The passive reply each recent WeChat-family delivery got, for the platform's retries of it."""

from __future__ import annotations

import asyncio
from collections import OrderedDict

ANSWERS_KEPT = 4096  # deliveries whose passive replies this process remembers for WeChat's retries


class Answered:
    """The passive reply each recent delivery got here: WeChat's retry of a delivery must get the same one."""

    def __init__(self, keep: int = ANSWERS_KEPT) -> None:
        self._keep = keep
        self._answers: OrderedDict[str, asyncio.Future[str]] = OrderedDict()

    def begin(self, delivery_id: str) -> asyncio.Future[str]:
        """The passive reply of this delivery, to be settled by its caller (cancelled if none was given)."""
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._answers[delivery_id] = future
        while len(self._answers) > self._keep:
            self._answers.popitem(last=False)
        return future

    async def of(self, delivery_id: str, wait: float) -> str | None:
        """What this delivery was answered, waiting up to `wait` s while that is being decided; None if unknown."""
        future = self._answers.get(delivery_id)
        if future is None:
            return None
        if not future.done():
            await asyncio.wait({future}, timeout=wait)
        return future.result() if future.done() and not future.cancelled() else None
