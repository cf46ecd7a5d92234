"""The cycle's figures, counted by hand from the fixture, and held against the default rubric."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.assessment.evaluate import RETAIN, cycle_progress
from handlers.assessment.rubric import load_rubric
from handlers.assessment.service import NoCycle, assess_studio, assess_union
from handlers.assessment.summary import summary_text
from handlers.core.i18n import Translator
from storage.models import EntryStatus, LedgerEntry, LedgerKind, RoleKind, UnionLevel
from storage.repos import ledgers, org
from tests.export_data import TODAY, activity, build_world


async def test_figures_count_approved_entries_of_the_cycle_only(session: AsyncSession) -> None:
    world = await build_world(session)
    result = await assess_studio(session=session, studio=world.studio, rubric=load_rubric(), today=TODAY)
    f = result.assessment.figures

    assert (f.starts_on, f.ends_on) == (date(2025, 6, 1), date(2028, 5, 31))
    assert f.members == 3
    # a1 a2 a3 a4 and a9 (at its edited version); a5 waits, a6 was returned, a7 is before the cycle, a8 rejected
    assert f.activity_count == 5
    assert f.activity_hours == Decimal("16.5")
    assert f.activities_by_kind == Counter({"技术交流": 2, "学习": 1, "攻关": 1, "技术创新": 1})
    assert f.activities_by_month == Counter({"2025-06": 2, "2025-07": 1, "2026-01": 1, "2026-04": 1})
    assert f.active_months == 4
    assert f.outcome_count == 3
    assert f.outcomes_by_category == Counter({"小革新": 1, "合理化建议": 1, "小发明": 1})
    assert (f.patent_count, f.patents_by_kind) == (2, Counter({"实用新型": 1, "发明": 1}))
    assert (f.applied_count, f.funded_count, f.funding_yuan) == (2, 2, Decimal(50000))
    assert f.benefit_wan == Decimal("15.5")
    assert (f.training_count, f.training_hours) == (3, Decimal("17.5"))
    assert f.mentees == {"小张", "小李", "小王"}  # trainees of plain training are not mentees
    assert (f.promotions, f.promoted_count) == (Counter({"技师": 2}), 2)
    assert (f.waiting_review, f.waiting_fix) == (2, 1)  # shown beside the figures, never scored
    # 制度完善: approved entries of every ledger in 2025-06, -07, -09, -10 and 2026-01 … -05
    assert (f.ledger_months, f.ledgers_kept) == (9, 3)


async def test_default_rubric_pro_rata_score_and_shortfalls(session: AsyncSession) -> None:
    world = await build_world(session)
    result = await assess_studio(session=session, studio=world.studio, rubric=load_rubric(), today=TODAY)
    a = result.assessment
    # 2025-06-01 .. 2026-12-01 is 549 of the cycle's 1096 days.
    assert a.progress == Decimal(549) / Decimal(1096)
    expected = {c.criterion.figure: c.expected for c in a.checks}
    assert expected["activity_count"] == 18 and expected["active_months"] == 12
    assert expected["applied_count"] == 2 and expected["training_hours"] == Decimal("50.1")
    assert expected["members"] == 3 and expected["ledger_months"] == 12 and expected["ledgers_kept"] == 3
    short = [c.criterion.figure for c in a.shortfalls]
    assert short == ["activity_count", "active_months", "training_hours", "ledger_months"]
    points = {c.criterion.figure: c.points for c in a.checks}
    assert points["activity_count"] == Decimal("4.2")  # 15 × 5/18
    assert points["training_hours"] == Decimal("3.5")  # 10 × 17.5/50.1
    assert points["ledger_months"] == Decimal("2.3")  # 3 × 9/12
    assert a.score == Decimal("72.0")
    assert a.max_score == 100
    assert a.suggestion == RETAIN


async def test_entries_waiting_for_the_reviewer_do_not_change_the_score(session: AsyncSession) -> None:
    world = await build_world(session)
    # the lead withdraws what waits, so that nothing is pending before the reviewer falls behind
    await session.execute(
        update(LedgerEntry)
        .where(LedgerEntry.status.in_([EntryStatus.SUBMITTED, EntryStatus.RETURNED]))
        .values(status=EntryStatus.WITHDRAWN)
    )
    before = await assess_studio(session=session, studio=world.studio, rubric=load_rubric(), today=TODAY)
    lead = (await org.leads_of(session=session, studio_id=world.studio.id))[0]
    for day in (date(2026, 8, 3), date(2026, 9, 7), date(2026, 10, 12)):  # a slow reviewer leaves these waiting
        await ledgers.create_entry(
            session=session,
            studio_id=world.studio.id,
            kind=LedgerKind.ACTIVITY,
            author_id=lead.id,
            fields=activity(day, "技术交流", "2"),
        )
    after = await assess_studio(session=session, studio=world.studio, rubric=load_rubric(), today=TODAY)
    assert after.assessment.figures.waiting_review == before.assessment.figures.waiting_review + 3
    assert after.assessment.score == before.assessment.score
    assert [c.points for c in after.assessment.checks] == [c.points for c in before.assessment.checks]


async def test_progress_is_bounded_by_the_cycle() -> None:
    start, end = date(2025, 6, 1), date(2028, 5, 31)
    assert cycle_progress(start, end, date(2020, 1, 1)) == 0
    assert cycle_progress(start, end, date(2030, 1, 1)) == 1
    assert cycle_progress(start, end, start) == Decimal(1) / Decimal(1096)


async def test_summary_names_what_falls_short(session: AsyncSession) -> None:
    world = await build_world(session)
    result = await assess_studio(session=session, studio=world.studio, rubric=load_rubric(), today=TODAY)
    text = summary_text(result, Translator("zh_CN"), today_text="2026-12-01")
    assert "“王建国技师创新工作室”第 1 个管理周期考核（2025-06-01 至 2028-05-31）" in text
    assert "活动：5 次，共 16.5 小时，4 个月有活动" in text
    assert "资助：2 项，共 50,000 元；经济效益 15.5 万元" in text
    assert "· 活动次数：5，按进度应不少于 18" in text
    assert "台账：9 个月有经审核通过的记录，3 本台账（活动、成果、培训）有记录" in text
    assert "· 台账有记录的月数：9，按进度应不少于 12" in text
    assert "尚待处理（未计入以上数字）：待复核 2 条，退回待修改 1 条" in text
    assert "评分：72 / 100；建议：保留称号" in text
    english = summary_text(result, Translator("en"), today_text="2026-12-01")
    assert "· activities: 5, should be at least 18 by now" in english


async def test_union_ranking_covers_unions_below(session: AsyncSession) -> None:
    world = await build_world(session)
    city = await org.create_union(session=session, name="市职工技协", level=UnionLevel.MUNICIPAL)
    world.union.parent_id = city.id
    enterprise = await org.create_union(
        session=session, name="某集团工会", level=UnionLevel.ENTERPRISE, parent=world.union
    )
    await org.create_studio(session=session, name="空白工作室", union=enterprise, named_on=date(2025, 1, 1))
    await org.create_studio(session=session, name="未命名工作室", union=enterprise)
    await session.commit()

    ranked = await assess_union(session=session, union=city, rubric=load_rubric(), today=TODAY)
    assert [r.studio.name for r in ranked] == ["王建国技师创新工作室", "空白工作室"]
    assert ranked[0].assessment.score > ranked[1].assessment.score
    below = await assess_union(session=session, union=enterprise, rubric=load_rubric(), today=TODAY)
    assert [r.studio.name for r in below] == ["空白工作室"]


async def test_a_studio_without_a_cycle_is_not_assessed(session: AsyncSession) -> None:
    world = await build_world(session)
    plain = await org.create_studio(session=session, name="筹建中工作室", union=world.union)
    with pytest.raises(NoCycle):
        await assess_studio(session=session, studio=plain, rubric=load_rubric(), today=TODAY)


async def test_as_of_a_past_day_only_entries_dated_by_then_count(session: AsyncSession) -> None:
    world = await build_world(session)
    result = await assess_studio(session=session, studio=world.studio, rubric=load_rubric(), today=date(2025, 6, 30))
    f = result.assessment.figures
    assert (f.ends_on, result.assessment.progress) == (date(2028, 5, 31), Decimal(30) / Decimal(1096))
    assert (f.activity_count, f.activities_by_month) == (2, Counter({"2025-06": 2}))
    before = await assess_studio(session=session, studio=world.studio, rubric=load_rubric(), today=date(2024, 1, 1))
    assert before.assessment.figures.activity_count == 0  # before the cycle began nothing is evidence yet


async def test_a_lead_who_is_also_a_member_is_not_counted_in_the_team(session: AsyncSession) -> None:
    world = await build_world(session)
    lead = (await org.leads_of(session=session, studio_id=world.studio.id))[0]
    await org.grant_role(session=session, person=lead, kind=RoleKind.MEMBER, studio=world.studio)
    result = await assess_studio(session=session, studio=world.studio, rubric=load_rubric(), today=TODAY)
    assert result.assessment.figures.members == 3  # 第三条: members besides the lead
