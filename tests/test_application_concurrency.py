"""Applications under real concurrency on PostgreSQL: one decision per stage, one closing of the evaluation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.database import create_engine, session_factory
from storage.models import Application, ApplicationStage, AuditLog, ExpertScore, ReviewDecision
from tests.reviews_support import World, apply, at, make_cast, ready_to_apply
from tests.support import Transcript, make_bot

pytestmark = pytest.mark.postgres

TWO_EXPERTS = """
experts_needed = 2
[[criteria]]
key = "all"
zh = "总体评价"
max = 100
"""


@pytest.fixture
async def two_sides(postgres_url: str) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], ...]]:
    """Two engines (two connection pools) on one private PostgreSQL database."""
    engines = [create_engine(postgres_url), create_engine(postgres_url)]
    yield tuple(session_factory(e) for e in engines)
    for engine in engines:
        await engine.dispose()


async def _count(sessions: async_sessionmaker[AsyncSession], query: object) -> int:
    async with sessions() as s:
        return int(await s.scalar(query) or 0)  # type: ignore[call-overload]


async def test_two_recommenders_and_two_closing_experts_at_once(
    two_sides: tuple[async_sessionmaker[AsyncSession], async_sessionmaker[AsyncSession]], tmp_path: Path
) -> None:
    side_a, side_b = two_sides
    sheet = tmp_path / "rubric.toml"
    sheet.write_text(TWO_EXPERTS, encoding="utf-8")
    world = World(side_a, at("2026-03-10 10:00"), expert_rubric_file=sheet)
    cast = await make_cast(world)
    other_bot = make_bot(side_b, clock=lambda: world.now, expert_rubric_file=sheet)
    await ready_to_apply(cast)
    await apply(cast.lead)
    await world.deliver()

    qian = Transcript(other_bot, cast.reviewer2.user)
    await cast.reviewer.press_in("推荐")
    await qian.press_button(cast.reviewer2.inbox[-1].all_buttons()[0])
    for reviewer in (cast.reviewer, qian):
        await reviewer.say("同意推荐")  # each is asked for the 推荐意见; both submit it at once
    li_replies, qian_replies = await asyncio.gather(cast.reviewer.press("提交"), qian.press("提交"))
    texts = [li_replies[-1].text, qian_replies[-1].text]
    assert sum("👍 已推荐" in t for t in texts) == 1 and sum("推荐。" in t and "已由" in t for t in texts) == 1
    assert await _count(side_a, select(func.count(ReviewDecision.id)).where(ReviewDecision.stage == "submitted")) == 1
    recommended = select(func.count(AuditLog.id)).where(AuditLog.to_state == "recommended")
    assert await _count(side_a, recommended) == 1

    await world.deliver()
    await cast.association.press_in("审核通过")
    await world.deliver()
    first, second = cast.experts[0], Transcript(other_bot, cast.experts[1].user)
    await first.press_in("评分")
    await first.say("80")
    await first.say("跳过")
    await second.press_button(cast.experts[1].inbox[-1].all_buttons()[0])
    await second.say("90")
    await second.say("跳过")
    await asyncio.gather(first.press("提交"), second.press("提交"))

    assert await _count(side_a, select(func.count(ExpertScore.id))) == 2
    async with side_a() as s:
        stage = await s.scalar(select(Application.stage))
    assert stage is ApplicationStage.EVALUATED  # the second sheet saw the first and closed the evaluation
    closed = select(func.count(AuditLog.id)).where(AuditLog.to_state == "evaluated")
    assert await _count(side_a, closed) == 1
    assert "已收齐 2 份评分" in first.text + second.text
