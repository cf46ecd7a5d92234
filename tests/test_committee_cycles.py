"""考核验收 with the committee (第六条, 第十条): told ahead, figures frozen at the end, scored, decided with reasons."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.reminders import PlanResult, plan
from tests.reminders_support import CONFIG, at, build_world

NAMED = date(2024, 3, 10)  # the cycle ends on 2027-03-09


async def _plan(sessions: async_sessionmaker[AsyncSession], day: date, days: tuple[int, ...] = (60, 30)) -> PlanResult:
    async with sessions() as session, session.begin():
        return await plan(session=session, config=replace(CONFIG, assessment_notice_days=days), now=at(day))


async def test_the_association_is_told_60_and_30_days_before_cycles_end(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        w = await build_world(session, named_on=NAMED, created=at(NAMED))
    assert not [p for p in (await _plan(sessions, date(2027, 1, 7))).new if p.topic == "assess"]  # 61 days left
    ahead = [p for p in (await _plan(sessions, date(2027, 1, 8))).new if p.topic == "assess"]
    assert [(p.person_id, p.key) for p in ahead] == [
        (w.officer.id, f"assess:u{w.association.id}:2027-03-09:T-60:{w.officer.id}")
    ]
    assert ahead[0].text.startswith(
        "[Assessment ahead] The three-year cycle of 1 studio(s) ends on 2027-03-09, in 60 days"
    )
    assert "王师傅工作室" in ahead[0].text
    assert not [p for p in (await _plan(sessions, date(2027, 1, 20))).new if p.topic == "assess"]  # once per step
    later = [p for p in (await _plan(sessions, date(2027, 2, 8))).new if p.topic == "assess"]
    assert [p.key for p in later] == [f"assess:u{w.association.id}:2027-03-09:T-30:{w.officer.id}"]
    assert w.lead.id not in {p.person_id for p in later} and w.reviewer.id not in {p.person_id for p in later}


async def test_the_days_ahead_are_a_setting(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        await build_world(session, named_on=NAMED, created=at(NAMED))
    ahead = [p for p in (await _plan(sessions, date(2026, 12, 9), (90,))).new if p.topic == "assess"]
    assert [p.key.split(":")[3] for p in ahead] == ["T-90"]
