"""What every channel is to the rest of bot/: a Channel that serve runs, a Pusher for the outbox sender, an entry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from starlette.routing import BaseRoute

from handlers.core.types import Reply

if TYPE_CHECKING:
    from bot.channels.services import ChannelServices
    from bot.settings import Settings


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


class ChannelConfigError(ValueError):
    """A channel setting that cannot work; `serve` says the message as its one line and exits."""


class Channel(Protocol):
    """What serve needs of a channel: its routes, and start/stop around the server's life."""

    name: str

    def routes(self) -> list[BaseRoute]:
        """The HTTP routes of this channel, for the project's one ASGI app."""
        ...

    async def start(self) -> None:
        """Start taking events and let the outbox sender push through this channel."""
        ...

    async def stop(self) -> None:
        """Finish what is under way and let go of the platform."""
        ...


@dataclass(frozen=True, slots=True)
class ChannelEntry:
    """One channel `serve` can run: its name, whether the settings turn it on, and how to build it."""

    name: str
    enabled: Callable[[Settings], bool]
    build: Callable[[ChannelServices], Channel]  # raises ChannelConfigError for settings that cannot work
