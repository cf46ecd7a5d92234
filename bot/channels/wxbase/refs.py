"""Channel refs written behind: known to this process at once, stored in the database in small batches.

A menu id or a card must be remembered before its message goes out, but writing it in the request
would queue behind the engine's turns on SQLite (one writer at a time). So a ref lives in memory
first and a background task stores it, many at once; a click arrives seconds later, by which time
any process can read it. Should a process die before storing, the click still carries its label,
which the engine understands for most buttons. SQLite on its plain path (SQLITE_FAST_PATH=false)
writes each ref in the request instead, and reads it from the database.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.channels.services import ChannelServices

log = logging.getLogger(__name__)
KEEP_IN_MEMORY = 20_000


class RefBuffer:
    """Refs of one channel and kind: `put` now, stored by a background task; `get` from memory, else the database."""

    def __init__(self, services: ChannelServices, channel: str, kind: str, clock: Callable[[], datetime]) -> None:
        self.store = services.refs(channel, kind)
        self.kind = kind
        self.clock = clock
        self._recent: OrderedDict[str, tuple[dict[str, Any], datetime | None]] = OrderedDict()
        self._pending: dict[str, tuple[dict[str, Any], datetime | None]] = {}
        self._flushing: asyncio.Task[None] | None = None

    async def put(self, key: str, value: dict[str, Any], expires_at: datetime | None) -> None:
        """Remember a ref now; it is stored shortly (at once, in this call, when not written behind)."""
        if not self.store.write_behind:
            await self.store.claim_all({key: (value, expires_at)}, now=self.clock())
            return
        self._recent[key] = self._pending[key] = (value, expires_at)
        self._recent.move_to_end(key)
        while len(self._recent) > KEEP_IN_MEMORY:
            self._recent.popitem(last=False)
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.get_running_loop().create_task(self._flush_soon())

    async def get(self, key: str) -> dict[str, Any] | None:
        """The live ref under `key`, wherever it is."""
        now = self.clock()
        found = self._recent.get(key)
        if found is not None:
            value, expires_at = found
            return dict(value) if expires_at is None or expires_at > now else None
        return await self.store.get(key, now=now)

    async def flush(self) -> None:
        """Store everything remembered so far (also on shutdown), including a batch already being stored."""
        running = self._flushing
        if running is not None and not running.done() and running is not asyncio.current_task():
            # the background store took its batch out of _pending already: a caller that wants the refs in
            # the database (another process asks there) must wait for that batch too
            await asyncio.wait([running])
        while self._pending:
            batch, self._pending = self._pending, {}
            try:
                await self.store.claim_all(batch, now=self.clock())
            except Exception:
                # kept for the next flush (the next put, or shutdown); clicks on them fall back to their label
                log.exception("could not store %d %s refs; keeping them to retry", len(batch), self.kind)
                self._pending = {**batch, **self._pending}
                return

    async def _flush_soon(self) -> None:
        await asyncio.sleep(0.05)  # gather the refs of a burst into one transaction
        await self.flush()
