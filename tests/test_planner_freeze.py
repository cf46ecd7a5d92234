"""Freezing the figures of many ended cycles in one pass: each cycle gets what it would get compiled alone."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.assessment.figures import compile_figures
from handlers.assessment.frozen import to_json
from handlers.reminders import plan
from storage.models import Cycle, EntryStatus, LedgerKind, RoleKind
from storage.repos import ledgers, org
from tests.export_data import activity, outcome, training
from tests.reminders_support import CONFIG, at, build_world, person


async def test_cycles_frozen_together_have_the_figures_each_has_alone(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as s:
        w = await build_world(s, named_on=date(2023, 6, 1), created=at(date(2023, 6, 1)))  # ended 2026-05-31
        other = await org.create_studio(session=s, name="李师傅工作室", union=w.district, named_on=date(2023, 9, 1))
        studios = [(w.studio, w.lead), (other, await person(s, "李师傅"))]
        await org.grant_role(session=s, person=studios[1][1], kind=RoleKind.LEAD, studio=other)
        for n, (studio, lead) in enumerate(studios):
            for name in ("成员甲", "成员乙")[: n + 1]:
                await org.grant_role(
                    session=s, person=await person(s, f"{name}{n}"), kind=RoleKind.MEMBER, studio=studio
                )
            await org.grant_role(session=s, person=lead, kind=RoleKind.MEMBER, studio=studio)  # counted once
            for day, fields, kind, status in (
                (date(2024, 1, 5), activity(date(2024, 1, 5), "技术交流", "2"), LedgerKind.ACTIVITY, None),
                (date(2026, 5, 31), activity(date(2026, 5, 31), "攻关", "3.5"), LedgerKind.ACTIVITY, None),
                (date(2026, 6, 2), activity(date(2026, 6, 2), "攻关", "1"), LedgerKind.ACTIVITY, None),  # after
                (date(2025, 3, 1), outcome(date(2025, 3, 1), "专利", patent_kind="发明"), LedgerKind.OUTCOME, None),
                (
                    date(2025, 4, 1),
                    training(date(2025, 4, 1), "高师带徒", ["小王", "小李"], "8"),
                    LedgerKind.TRAINING,
                    None,
                ),
                (date(2025, 5, 1), activity(date(2025, 5, 1), "交流", "1"), LedgerKind.ACTIVITY, EntryStatus.SUBMITTED),
                (date(2025, 6, 1), activity(date(2025, 6, 1), "交流", "1"), LedgerKind.ACTIVITY, EntryStatus.RETURNED),
            ):
                entry = await ledgers.create_entry(
                    session=s, studio_id=studio.id, kind=kind, author_id=lead.id, fields=fields
                )
                entry.occurred_on = day
                entry.status = status or EntryStatus.APPROVED
        await s.commit()
    async with sessions() as s, s.begin():
        await plan(session=s, config=CONFIG, now=at(date(2026, 9, 1)))
    async with sessions() as s:
        cycles = list(await s.scalars(select(Cycle).order_by(Cycle.id)))
        assert len(cycles) == 2 and all(c.frozen_figures is not None for c in cycles)
        for cycle in cycles:
            alone = await compile_figures(
                session=s,
                studio_id=cycle.studio_id,
                starts_on=cycle.starts_on,
                ends_on=cycle.ends_on,
                as_of=cycle.ends_on,
            )
            assert cycle.frozen_figures == to_json(alone)
        assert [c.frozen_figures["members"] for c in cycles if c.frozen_figures] == [1, 2]
        assert [c.frozen_figures["activity_count"] for c in cycles if c.frozen_figures] == [
            2,
            3,
        ]  # the second cycle ends 2026-08-31
