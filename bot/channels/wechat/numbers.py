"""Numbered options shown to an OA follower: which payload each number stands for, so that typing it presses it."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta

from bot.channels.services import ChannelServices

NUMBERS_TTL = timedelta(days=2)
# how stale this process's list of followers with numbers may get: numbers another process showed within it
# outlive a later question sent here, and a number typed for them is refused as a stale button, never misread
HOLDERS_REFRESH = 10.0  # seconds


class Numbers:
    """The numbers last shown to each follower of one channel, kept where every process reads them."""

    def __init__(self, services: ChannelServices, channel: str) -> None:
        self.store = services.refs(channel, "numbers")
        # followers with numbers stored, so that forgetting costs nothing for the others (nearly everyone)
        self._holders: set[str] | None = None
        self._holders_read = 0.0
        self._reading = asyncio.Lock()

    async def remember(self, user_id: str, mapping: dict[str, str], now: datetime) -> None:
        """Keep which payload each number shown to this user stands for; none shown forgets the earlier ones."""
        if not mapping:
            await self.forget(user_id, now)
            return
        await self.store.put(user_id, mapping, now=now, expires_at=now + NUMBERS_TTL)
        if self._holders is not None:
            self._holders.add(user_id)

    async def forget(self, user_id: str, now: datetime) -> None:
        """A question went out without numbers: a number typed now answers it, not the options shown before."""
        if self._holders is None or time.monotonic() - self._holders_read > HOLDERS_REFRESH:
            async with self._reading:  # turns running alongside wait for the one reading
                if self._holders is None or time.monotonic() - self._holders_read > HOLDERS_REFRESH:
                    self._holders = set(await self.store.live_keys(now=now))
                    self._holders_read = time.monotonic()
        if user_id in self._holders:
            self._holders.discard(user_id)
            await self.store.remove(user_id)

    async def typed(self, user_id: str, text: str, now: datetime) -> str | None:
        """The payload a typed number stands for, if the user was last shown numbered buttons."""
        word = text.strip()
        if not word.isdigit() or len(word) > 3:
            return None
        mapping = await self.store.get(user_id, now=now)
        return str(mapping[word]) if mapping and word in mapping else None
