"""考核验收 with the committee (第六条, 第十条): told ahead, figures frozen at the end, scored, decided with reasons."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.assessment.rubric import load_rubric
from handlers.assessment.service import assess_studio
from handlers.reminders import PlanResult, plan
from storage.models import EntryStatus, LedgerKind, Studio
from storage.repos import ledgers, org
from tests.export_data import activity
from tests.reminders_support import CONFIG, World, at, build_world

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


async def _approved_activity(session: AsyncSession, w: World, day: date) -> None:
    entry = await ledgers.create_entry(
        session=session,
        studio_id=w.studio.id,
        kind=LedgerKind.ACTIVITY,
        author_id=w.lead.id,
        fields=activity(day, "技术交流", "2"),
    )
    entry.status = EntryStatus.APPROVED


async def test_the_figures_are_frozen_at_the_cycle_end(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        w = await build_world(session, named_on=NAMED, created=at(NAMED))
        await _approved_activity(session, w, date(2027, 2, 1))
        await session.commit()
    await _plan(sessions, date(2027, 3, 9))  # the cycle's last day: nothing frozen yet
    async with sessions() as session:
        cycle = await org.current_cycle(session=session, studio_id=w.studio.id)
        assert cycle is not None and cycle.frozen_figures is None
    await _plan(sessions, date(2027, 3, 10))
    async with sessions() as session:
        # an entry dated in the cycle but approved after its end changes nothing any more
        await _approved_activity(session, w, date(2027, 3, 1))
        await session.commit()
        cycle = await org.current_cycle(session=session, studio_id=w.studio.id)
        assert cycle is not None and cycle.frozen_figures is not None
        assert cycle.frozen_figures["activity_count"] == 1
        studio = await session.get(Studio, w.studio.id)
        assert studio is not None
        result = await assess_studio(session=session, studio=studio, rubric=load_rubric(), today=date(2027, 4, 1))
        assert result.assessment.figures.activity_count == 1 and result.assessment.progress == 1
        assert result.assessment.figures.activities_by_month == Counter({"2027-02": 1})
