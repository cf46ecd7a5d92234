"""Fixtures for conversation tests. A test module imports the ones it uses, e.g.

    from tests.support.fixtures import bot_fixture, clock_fixture, world_fixture  # noqa: F401

and then asks for `bot`, `clock`, `world` by name.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.engine.pipeline import Bot
from storage.models import AuditLog, LedgerEntry
from storage.repos import ledger_versions, ledgers
from tests.support.clock import Clock
from tests.support.transcript import make_bot
from tests.support.world import World, make_world

__all__ = ["audit_rows", "bot_fixture", "clock_fixture", "entries", "latest_fields", "world_fixture"]


@pytest.fixture(name="world")
async def world_fixture(sessions: async_sessionmaker[AsyncSession]) -> World:
    """The seeded world (a studio with 张工 as lead, 李明 王芳 赵强 as members, 周审核 reviewing)."""
    return await make_world(sessions)


@pytest.fixture(name="clock")
def clock_fixture() -> Clock:
    """A hand-moved clock, starting 2026-03-10 10:00 in Shanghai."""
    return Clock()


@pytest.fixture(name="bot")
def bot_fixture(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> Bot:
    """The bot over the test database, on the hand-moved clock."""
    return make_bot(sessions, clock=clock)


async def entries(sessions: async_sessionmaker[AsyncSession]) -> list[LedgerEntry]:
    """Every ledger entry, oldest first."""
    async with sessions() as session:
        return list(await session.scalars(select(LedgerEntry).order_by(LedgerEntry.id)))


async def latest_fields(sessions: async_sessionmaker[AsyncSession], entry_id: int) -> dict[str, object]:
    """The content of an entry's current version."""
    async with sessions() as session:
        entry = await ledgers.get_entry(session=session, entry_id=entry_id)
        assert entry is not None
        return ledger_versions.version_fields(await ledger_versions.current_version(session=session, entry=entry))


async def audit_rows(sessions: async_sessionmaker[AsyncSession], entry_id: int) -> list[AuditLog]:
    """The audit trail of one entry."""
    async with sessions() as session:
        query = select(AuditLog).where(AuditLog.object_type == "entry", AuditLog.object_id == entry_id)
        return list(await session.scalars(query.order_by(AuditLog.id)))
