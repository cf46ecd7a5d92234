"""What every channel offers the outbox sender: push a Reply to one person's identity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from handlers.core.types import Reply


@dataclass(frozen=True, slots=True)
class PushTarget:
    """Where a pushed message goes: one channel identity of one person."""

    person_id: int
    channel: str
    external_id: str
    chat_id: str
    last_inbound_at: datetime | None
    locale: str


class PushError(Exception):
    """A push that did not go out: retry later (optionally after `retry_after` s), or never (`permanent`)."""

    def __init__(self, message: str, *, retry_after: float | None = None, permanent: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent


class Pusher(Protocol):
    """A channel that can send a message on its own initiative (reminders, notifications)."""

    name: str

    async def push(self, target: PushTarget, reply: Reply, *, kind: str) -> None:
        """Send `reply` to `target`; raise PushError if it did not go out."""
        ...
