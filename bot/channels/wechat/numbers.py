"""Numbered options shown to an OA follower: which payload each number stands for, so that typing it presses it."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.channels.services import ChannelServices

NUMBERS_TTL = timedelta(days=2)


class Numbers:
    """The numbers last shown to each follower of one channel, kept where every process reads them."""

    def __init__(self, services: ChannelServices, channel: str) -> None:
        self.store = services.refs(channel, "numbers")

    async def remember(self, user_id: str, mapping: dict[str, str], now: datetime) -> None:
        """Keep which payload each number shown to this user stands for."""
        if mapping:
            await self.store.put(user_id, mapping, now=now, expires_at=now + NUMBERS_TTL)

    async def typed(self, user_id: str, text: str, now: datetime) -> str | None:
        """The payload a typed number stands for, if the user was last shown numbered buttons."""
        word = text.strip()
        if not word.isdigit() or len(word) > 3:
            return None
        mapping = await self.store.get(user_id, now=now)
        return str(mapping[word]) if mapping and word in mapping else None
