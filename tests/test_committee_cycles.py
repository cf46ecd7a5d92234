"""考核验收 with the committee (第六条, 第十条): told ahead, figures frozen at the end, scored, decided with reasons."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.settings import load_settings
from handlers.assessment.rubric import load_rubric
from handlers.assessment.service import assess_studio
from handlers.core.config import HandlerConfig
from handlers.core.payloads import pack
from handlers.core.presses import CyclePress
from handlers.reminders import PlanResult, plan
from storage.models import AuditLog, Cycle, CycleResult, EntryStatus, LedgerKind, Studio
from storage.repos import ledgers, studio_cycles
from tests.export_data import activity
from tests.reminders_support import CONFIG, World, at, build_world
from tests.reviews_support import Cast, Party, make_cast
from tests.reviews_support import World as Stage
from tests.reviews_support import at as stage_at

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
        cycle = await studio_cycles.current_cycle(session=session, studio_id=w.studio.id)
        assert cycle is not None and cycle.frozen_figures is None
    await _plan(sessions, date(2027, 3, 10))
    async with sessions() as session:
        # an entry dated in the cycle but approved after its end changes nothing any more
        await _approved_activity(session, w, date(2027, 3, 1))
        await session.commit()
        cycle = await studio_cycles.current_cycle(session=session, studio_id=w.studio.id)
        assert cycle is not None and cycle.frozen_figures is not None
        assert cycle.frozen_figures["activity_count"] == 1
        studio = await session.get(Studio, w.studio.id)
        assert studio is not None
        result = await assess_studio(session=session, studio=studio, rubric=load_rubric(), today=date(2027, 4, 1))
        assert result.assessment.figures.activity_count == 1 and result.assessment.progress == 1
        assert result.assessment.figures.activities_by_month == Counter({"2027-02": 1})


async def _ended(sessions: async_sessionmaker[AsyncSession]) -> Cast:
    """The standard cast on 2026-03-25, its studio's first cycle ended on 2026-03-19 without a verdict."""
    return await make_cast(Stage(sessions, stage_at("2026-03-25 10:00")), named_on=date(2023, 3, 20))


async def _score(expert: Party, sheet: str, comment: str = "跳过") -> None:
    await expert.say("待审")
    await expert.press("王建国")
    await expert.press("评分")
    await expert.say(sheet)
    await expert.say(comment)
    await expert.press("提交")


async def test_experts_score_the_ended_cycle_and_the_association_decides_beside_it(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    cast = await _ended(sessions)
    first, second, third = cast.experts
    await first.say("待审")
    first.expect("考核 王建国技师创新工作室 第 1 周期（至 2026-03-19）· 待专家评分")
    await cast.conflicted.say("待审")  # of the studio's enterprise: not told of it at all
    cast.conflicted.expect("目前没有等待您处理的事项")
    await first.press("王建国")
    first.expect(
        "“王建国技师创新工作室”第 1 个管理周期考核（2023-03-20 至 2026-03-19）",
        "截至 2026-03-19，周期已过 100%",
        "专家评分：已收到 0/3 份",
    )
    await first.press("评分")
    first.expect("请按考核验收评分细则为 王建国技师创新工作室 评分", "1. 组织健全：领衔人与团队（0–20 分）")
    await first.say("15 20 15 40")
    first.expect("第 4 项“创新成果显著：应用、专利、资助与效益”的分数 40 超出范围：应在 0 到 35 分之间")
    await first.say("15 20 15 25")
    await first.say("团队稳定，台账齐全")
    await first.press("提交")
    first.expect("✅ 已收到您对 王建国技师创新工作室 第 1 周期考核验收的评分，总分 75")

    await second.say("待审")
    await second.press("王建国")
    second.expect("专家评分：已收到 1/3 份")
    second.expect_not("平均", "75", "台账齐全")
    await _score(second, "14 18 14 24")
    await _score(third, "16 20 16 26")
    await cast.world.deliver()
    assert "王建国技师创新工作室 第 1 周期的考核验收已收齐 3 份专家评分" in cast.association.pushed()

    zhang = cast.association
    await zhang.say("待审")
    zhang.expect("考核 王建国技师创新工作室 第 1 周期（至 2026-03-19）· 待考核结论（已收 3/3 份专家评分）")
    await zhang.press("王建国")
    zhang.expect(
        "专家评分：已收到 3/3 份，平均 74.3 分（及格线 60 分）",
        "· 陈教授：75 分（组织健全：领衔人与团队 15；",
        "；评语：团队稳定，台账齐全",
        "回避（未通知本人）：吴专家（与工作室同一企业）",
    )
    zhang.expect_buttons("录入考核结论")

    await zhang.say("考核结论")
    zhang.expect(
        "· 王建国技师创新工作室 第 1 周期（至 2026-03-19）：考核评分 ",
        "按细则建议不再保留称号；专家评分 3 份，平均 74.3 分（及格线 60 分）",
    )
    await zhang.press("王建国技师创新工作室")
    await zhang.press("保留称号")
    await zhang.say("跳过")
    await zhang.press("提交")
    zhang.expect("“保留称号”与考核数据和专家评分不一致", "请点“修改”补写理由后再提交")
    assert [c.result for c in await _cycles(cast)] == [None]
    await zhang.press("修改")
    await zhang.press("理由")
    await zhang.say("台账记录晚于活动，但专家实地考察确认活动正常")
    await zhang.press("提交")
    zhang.expect("第1管理周期考核结论：保留称号", "理由：台账记录晚于活动，但专家实地考察确认活动正常")
    cycles = await _cycles(cast)
    assert [c.result for c in cycles] == [CycleResult.RETAINED, None]
    assert cycles[0].frozen_figures is not None  # decided on the figures as they stood at the end
    async with cast.world.sessions() as s:
        row = await s.scalar(select(AuditLog).where(AuditLog.to_state == "retained"))
        assert row is not None and row.detail["suggested"] == "not_retained" and row.detail["expert_sheets"] == 3
    await cast.lead.say("履历")
    cast.lead.expect("评审专家（不公开）", "考核验收评分 #")
    cast.lead.expect_not("陈教授", "刘总工", "周高工")


async def test_a_verdict_that_follows_the_figures_and_the_experts_needs_no_reason(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    cast = await _ended(sessions)
    await _score(cast.experts[0], "5 5 5 10")
    zhang = cast.association
    await zhang.say("考核结论")
    zhang.expect("专家评分 1 份，平均 25.0 分（及格线 60 分）")
    await zhang.press("王建国技师创新工作室")
    zhang.expect_buttons("不再保留称号（建议）")
    await zhang.press("不再保留称号")
    await zhang.say("跳过")
    await zhang.press("提交")
    zhang.expect("考核结论：不再保留“上海市技师创新工作室”称号", "理由：与考核数据和专家评分一致")
    assert [c.result for c in await _cycles(cast)] == [CycleResult.NOT_RETAINED]


async def test_a_cycle_is_not_scored_before_its_end(sessions: async_sessionmaker[AsyncSession]) -> None:
    cast = await make_cast(Stage(sessions, stage_at("2026-03-10 10:00")), named_on=date(2023, 3, 20))
    await cast.experts[0].say("待审")
    cast.experts[0].expect_not("考核 王建国技师创新工作室")
    async with cast.world.sessions() as s:
        cycle = await studio_cycles.current_cycle(session=s, studio_id=cast.studio.id)
        assert cycle is not None
    cast.experts[0].log.clear()
    await cast.experts[0].send_payload(pack(cast.world.config.secret_key, CyclePress("score", cycle.id)))
    cast.experts[0].expect("现在不接受评分（周期至 2026-03-19 结束")


async def _cycles(cast: Cast) -> list[Cycle]:
    async with cast.world.sessions() as s:
        return list(await s.scalars(select(Cycle).where(Cycle.studio_id == cast.studio.id).order_by(Cycle.number)))


async def test_when_the_figures_freeze_the_committee_is_asked_and_tied_experts_are_not(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    cast = await _ended(sessions)
    async with sessions() as session, session.begin():
        await plan(session=session, config=cast.world.config, now=stage_at("2026-03-25 10:00"))
    await cast.world.deliver()
    for expert in cast.experts:
        assert "王建国技师创新工作室 第 1 管理周期已于 2026-03-19 结束，考核数据已冻结" in expert.pushed()
    assert "王建国" not in cast.conflicted.pushed()  # of the studio's enterprise: told nothing
    await cast.experts[0].press_in("查看考核验收")
    cast.experts[0].expect("“王建国技师创新工作室”第 1 个管理周期考核", "专家评分：已收到 0/3 份")
    cast.experts[0].expect_buttons("评分")
    async with sessions() as session, session.begin():  # a second pass asks nobody again
        await plan(session=session, config=cast.world.config, now=stage_at("2026-03-25 10:20"))
    assert await cast.world.deliver() == 0


@pytest.mark.parametrize(
    ("env", "value"), [("REMINDER_ASSESSMENT_DAYS", "sixty"), ("APPLICATION_MIN_ACTIVITIES", "-1")]
)
def test_a_bad_committee_setting_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], env: str, value: str
) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(SystemExit) as exc:
        load_settings(_env_file=None)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert env in err.upper() and err.count("\n") == 1


def test_the_committee_settings_reach_the_handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REMINDER_ASSESSMENT_DAYS", "30,90")
    monkeypatch.setenv("APPLICATION_MIN_ACTIVITIES", "4")
    config = HandlerConfig.from_object(load_settings(_env_file=None))
    assert (config.assessment_notice_days, config.application_min_activities) == ((90, 30), 4)
