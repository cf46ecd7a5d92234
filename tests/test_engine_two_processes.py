"""The same new delivery reaching two processes at once (WeChat's retry landing on the other one), on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core.i18n import t
from handlers.core.types import Incoming
from storage.database import create_engine, session_factory
from storage.models import Conversation
from tests.support import make_bot
from tests.support.world import make_world

pytestmark = pytest.mark.postgres
ERROR = t("engine.error", "zh_CN")
USERS = ("lead", "m1", "m2", "m3")


@pytest.fixture
async def two_sides(postgres_url: str) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], ...]]:
    """Two engines (two connection pools, as two processes have) on one private PostgreSQL database."""
    engines = [create_engine(postgres_url), create_engine(postgres_url)]
    yield tuple(session_factory(e) for e in engines)
    for engine in engines:
        await engine.dispose()


async def test_a_delivery_taken_by_both_processes_is_answered_by_both_as_the_one_that_did_it(
    two_sides: tuple[async_sessionmaker[AsyncSession], ...],
) -> None:
    one, other = two_sides
    await make_world(one)
    bots = [make_bot(one), make_bot(other)]
    for user in USERS:  # each one opens a record (a new conversation row) by the same delivery, twice at once
        incoming = Incoming(
            channel="test", user_id=user, chat_id=f"chat-{user}", delivery_id=f"d-{user}", text="记录活动"
        )
        first, second = await asyncio.gather(*(bot.handle(incoming) for bot in bots))
        said = [[r.text for r in turn.replies] for turn in (first, second)]
        assert ERROR not in str(said), said
        assert said[0] == said[1] and said[0], said
    async with one() as s:
        assert await s.scalar(select(func.count()).select_from(Conversation)) == len(USERS)
