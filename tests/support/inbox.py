"""What each person received: the outbox sent through a recording pusher on the fake channel."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import PushTarget
from bot.delivery import OutboxSender
from handlers.core.types import Reply


class RecordingPusher:
    """A Pusher that keeps what it is asked to push, per channel user."""

    def __init__(self, name: str = "test") -> None:
        self.name = name
        self.pushed: dict[str, list[Reply]] = defaultdict(list)

    async def push(self, target: PushTarget, reply: Reply, *, kind: str) -> None:
        """Record the message as delivered."""
        self.pushed[target.external_id].append(reply)


class Inbox:
    """Run the real outbox sender and read what each channel user got."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], channel: str = "test", **sender: Any) -> None:
        """`sender` goes to OutboxSender (e.g. clock=, window= to control working hours)."""
        self.pusher = RecordingPusher(channel)
        self.sender = OutboxSender(sessions, {channel: self.pusher}, **sender)

    async def deliver(self) -> int:
        """Send every due outbox row; return how many went out."""
        return await self.sender.run_once()

    def texts(self, user: str) -> list[str]:
        """The texts pushed to one channel user, oldest first."""
        return [r.text for r in self.pusher.pushed.get(user, [])]

    def replies(self, user: str) -> list[Reply]:
        """The replies pushed to one channel user, oldest first."""
        return list(self.pusher.pushed.get(user, []))
