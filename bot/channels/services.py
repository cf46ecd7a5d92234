"""The port through which a channel adapter reaches the rest of the process: the bot, the sender, and storage.

Adapters receive one `ChannelServices` (implemented in `bot.channel_services`) and never import `storage`
(an import-linter contract): what they keep, look up or queue goes through these verbs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from handlers.core.config import HandlerConfig
from handlers.core.types import InboundFile, Incoming, Reply, Turn
from handlers.engine.router import Routes

if TYPE_CHECKING:
    from bot.channels.base import Pusher
    from bot.settings import Settings


class RefStore(Protocol):
    """One channel's refs of one kind (menu ids, cards, held messages …): small JSON values under keys, expiring."""

    # whether a buffer may keep refs in memory and store them in batches (off: SQLITE_FAST_PATH=false)
    write_behind: bool

    async def get(self, key: str, *, now: datetime) -> dict[str, Any] | None:
        """The live value under `key`, if any."""
        ...

    async def put(self, key: str, value: dict[str, Any], *, now: datetime, expires_at: datetime | None) -> None:
        """Store `value` under `key`, replacing what was there."""
        ...

    async def claim(self, key: str, value: dict[str, Any], *, now: datetime, expires_at: datetime | None) -> bool:
        """Store `value` unless `key` is taken; True if this call stored it."""
        ...

    async def claim_all(self, refs: dict[str, tuple[dict[str, Any], datetime | None]], *, now: datetime) -> None:
        """Store many refs (key → value, expiry) at once, keeping those that exist."""
        ...

    async def remove(self, key: str) -> bool:
        """Forget `key`; True if it was there."""
        ...

    async def take_prefixed(self, prefix: str, *, now: datetime) -> list[dict[str, Any]]:
        """Remove and return the live values whose keys start with `prefix`, oldest first."""
        ...

    async def live_keys(self, *, now: datetime) -> list[str]:
        """The keys that have not expired."""
        ...


class FileNotKept(Exception):
    """MEDIA_DIR cannot be written now (full, read-only, gone): the file was received but not kept."""


@dataclass(frozen=True, slots=True)
class StoredToken:
    """A platform access token and when the platform said it ends."""

    value: str
    expires_at: datetime


class TokenStore(Protocol):
    """Platform access tokens shared by every process, refreshed by one of them at a time."""

    margin: timedelta  # a token this close to its end counts as expired

    async def valid(self, key: str, *, now: datetime) -> StoredToken | None:
        """The stored token under `key` if it is good for a while yet."""
        ...

    async def refresh(
        self, key: str, *, clock: Callable[[], datetime], fetch: Callable[[datetime], Awaitable[StoredToken]]
    ) -> tuple[StoredToken, bool]:
        """Under the key's lock: the stored token if another process renewed it, else `fetch`'s, stored; fetched?"""
        ...

    async def invalidate(self, key: str, token: str, *, now: datetime) -> None:
        """Mark a rejected token expired, if it is still the stored one."""
        ...


class ChannelServices(Protocol):
    """What an adapter may ask of the running process: its only way to the engine, the sender and storage."""

    @property
    def settings(self) -> Settings:
        """The process's settings."""
        ...

    @property
    def config(self) -> HandlerConfig:
        """The settings as the handlers see them (default locale, time zone, media directory …)."""
        ...

    @property
    def tokens(self) -> TokenStore:
        """Platform access tokens shared by every process."""
        ...

    @property
    def routes(self) -> Routes:
        """The bot's commands (for menus and the command list)."""
        ...

    def now(self) -> datetime:
        """The current time, in UTC."""
        ...

    async def handle(self, incoming: Incoming) -> Turn:
        """One inbound event through the bot (committed when this returns)."""
        ...

    async def replied(self, channel: str, delivery_ids: Sequence[str], *, sent: bool) -> None:
        """Done with the replies of turns taken with confirms_replies: sent, or owed to the sender's next turn."""
        ...

    def add_pusher(self, pusher: Pusher) -> None:
        """Let the outbox sender reach people through this channel."""
        ...

    async def person_of(self, channel: str, user_id: str) -> int | None:
        """The id of the person this channel user is bound to, if any."""
        ...

    async def locale_of(self, channel: str, user_id: str) -> str | None:
        """The language the person behind this channel user chose; None for strangers."""
        ...

    async def person_name(self, person_id: int) -> str | None:
        """A person's name, if they exist."""
        ...

    async def keep_for_later(self, channel: str, user_id: str, replies: Sequence[tuple[str, Reply]]) -> bool:
        """Queue replies that could not be sent now (idempotency key, reply) in the outbox; False for strangers."""
        ...

    async def seen_before(self, channel: str, delivery_id: str) -> bool:
        """Whether the bot took in this delivery already (a platform retry)."""
        ...

    def refs(self, channel: str, kind: str) -> RefStore:
        """This channel's refs of one kind."""
        ...

    async def takes_file(self, channel: str, user_id: str, *, may_open: bool = False) -> bool:
        """Whether a file from this channel user is wanted now: bound, in a live flow with a files step.

        `may_open`: the file comes with a caption, a turn of its own before it, which may open such a flow.
        """
        ...

    async def store_file(self, data: bytes, *, kind: str, file_ref: str, filename: str, media_type: str) -> InboundFile:
        """Keep a received file under MEDIA_DIR (same content, same file), off the event loop; else FileNotKept."""
        ...

    async def where(self, channel: str, user_id: str) -> list[Reply]:
        """The question this channel user's open record stands at (nothing if none); nothing is written."""
        ...
