"""Two reviewers pressing at the same moment, on PostgreSQL with real concurrency: one decision, both told the truth."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.database import create_engine, session_factory
from storage.models import AuditLog, EntryStatus, LedgerEntry, ReviewDecision
from tests.reviews_support import Cast, World, at, make_cast
from tests.support import Transcript, make_bot

pytestmark = pytest.mark.postgres
ROUNDS = 6


@pytest.fixture
async def two_sides(postgres_url: str) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], ...]]:
    """Two engines (two connection pools) on one private PostgreSQL database."""
    engines = [create_engine(postgres_url), create_engine(postgres_url)]
    yield tuple(session_factory(e) for e in engines)
    for engine in engines:
        await engine.dispose()


async def _truth(sessions: async_sessionmaker[AsyncSession], entry_id: int) -> tuple[int, int, LedgerEntry]:
    async with sessions() as s:
        decisions = await s.scalar(select(func.count(ReviewDecision.id)).where(ReviewDecision.entry_id == entry_id))
        audits = await s.scalar(
            select(func.count(AuditLog.id)).where(
                AuditLog.object_type == "entry", AuditLog.object_id == entry_id, AuditLog.from_state == "submitted"
            )
        )
        entry = await s.get(LedgerEntry, entry_id)
    assert entry is not None
    return int(decisions or 0), int(audits or 0), entry


async def test_simultaneous_presses_leave_exactly_one_decision(
    two_sides: tuple[async_sessionmaker[AsyncSession], async_sessionmaker[AsyncSession]],
) -> None:
    side_a, side_b = two_sides
    world = World(side_a, at("2026-03-10 10:00"))
    cast: Cast = await make_cast(world)
    other_bot = make_bot(side_b, clock=lambda: world.now)  # a second process: its own engine, its own Bot
    qian = Transcript(other_bot, cast.reviewer2.user)
    winners: list[str] = []
    for n in range(ROUNDS):
        await cast.lead.log_activity(f"第{n}次攻关活动")
        await world.deliver()
        li_card, qian_card = cast.reviewer.inbox[-1], cast.reviewer2.inbox[-1]
        assert f"第{n}次攻关活动" in li_card.text and f"第{n}次攻关活动" in qian_card.text
        li_press = cast.reviewer.press_button(li_card.all_buttons()[0])  # 通过
        if n % 2:
            await qian.press_button(qian_card.all_buttons()[2])  # 驳回: asks a reason first
            await qian.say("与工作室无关的活动")
            qian_press = qian.press("提交")
        else:
            qian_press = qian.press_button(qian_card.all_buttons()[0])  # 通过
        li_replies, qian_replies = await asyncio.gather(li_press, qian_press)
        li_text, qian_text = li_replies[-1].text, qian_replies[-1].text

        async with side_a() as s:
            entry_id = await s.scalar(select(func.max(LedgerEntry.id)))
        assert entry_id is not None
        decisions, audits, entry = await _truth(side_a, entry_id)
        assert (decisions, audits) == (1, 1), (li_text, qian_text)
        async with side_a() as s:
            decision = await s.scalar(select(ReviewDecision).where(ReviewDecision.entry_id == entry_id))
        assert decision is not None
        winner = "李四" if decision.reviewer_id == cast.reviewer.person.id else "钱七"
        winners.append(winner)
        word = "通过" if entry.status is EntryStatus.APPROVED else "驳回"
        assert entry.status in (EntryStatus.APPROVED, EntryStatus.REJECTED)
        told = f"已由 {winner} 于 3月10日 10:00 {word}。"
        if winner == "李四":
            assert li_text.startswith("✅ 已通过") and told in qian_text
        else:
            assert qian_text.startswith(f"{'✅' if word == '通过' else '❌'} 已{word}") and told in li_text
        if n % 2 and winner == "李四":
            assert "与工作室无关的活动" in qian_text  # the loser's typed reason is shown back, not lost
    assert set(winners) <= {"李四", "钱七"}
