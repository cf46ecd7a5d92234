"""Wiring: settings → database → the platform-free bot → channels and the outbox sender."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.channels.base import Pusher
from bot.delivery import OutboxSender
from bot.settings import Settings
from handlers.app import routes
from handlers.core.config import HandlerConfig
from handlers.core.types import Incoming, Turn
from handlers.engine.pipeline import Bot
from storage.database import create_engine, session_factory


@dataclass
class Runtime:
    """Everything a running process shares: one engine, one bot, the channels that can push."""

    settings: Settings
    config: HandlerConfig
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    bot: Bot
    pushers: dict[str, Pusher] = field(default_factory=dict)
    sender: OutboxSender | None = None
    outbox_wakeup: asyncio.Event = field(default_factory=asyncio.Event)

    def add_pusher(self, pusher: Pusher) -> None:
        """Let the outbox sender reach people through this channel."""
        self.pushers[pusher.name] = pusher
        self.sender = OutboxSender.from_settings(self.settings, self.sessions, self.pushers)

    async def handle(self, incoming: Incoming) -> Turn:
        """Hand one inbound event to the bot, then wake the sender for any notifications it queued."""
        turn = await self.bot.handle(incoming)
        self.outbox_wakeup.set()
        return turn

    async def close(self) -> None:
        """Release the database connections."""
        await self.engine.dispose()


def build_runtime(settings: Settings) -> Runtime:
    """A runtime for these settings (no channel yet: each adapter adds itself)."""
    engine = create_engine(
        settings.database_url, sqlite_fast_path=settings.sqlite_fast_path, pool_size=settings.database_pool_size
    )
    sessions = session_factory(engine)
    config = HandlerConfig.from_object(settings)
    runtime = Runtime(
        settings=settings, config=config, engine=engine, sessions=sessions, bot=Bot(sessions, config, routes=routes())
    )
    runtime.sender = OutboxSender.from_settings(settings, sessions, runtime.pushers)
    return runtime
