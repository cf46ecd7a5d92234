"""Every refusal of the application life, said politely, with nothing changed (or the answers kept)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core.config import HandlerConfig
from handlers.lifecycle import eligibility, expert_rubric, window
from storage.models import (
    Application,
    ApplicationStage,
    AuditLog,
    LedgerKind,
    Objection,
    RoleKind,
    Studio,
    StudioStatus,
    UnionLevel,
)
from tests.reviews_support import ONE_EXPERT, Cast, World, apply, approve_all, at, make_cast, ready_to_apply, recommend
from tests.support import Transcript


@pytest.fixture
async def cast(sessions: async_sessionmaker[AsyncSession], tmp_path: Path) -> Cast:
    sheet = tmp_path / "expert_rubric.toml"
    sheet.write_text(ONE_EXPERT, encoding="utf-8")
    return await make_cast(World(sessions, at("2026-03-10 10:00"), expert_rubric_file=sheet))


async def _stages(sessions: async_sessionmaker[AsyncSession]) -> list[ApplicationStage]:
    async with sessions() as s:
        return list(await s.scalars(select(Application.stage).order_by(Application.id)))


async def _to_notice(cast: Cast) -> None:
    """Apply and walk the application to its public notice (the rubric needs one expert)."""
    await ready_to_apply(cast)
    await apply(cast.lead)
    await cast.world.deliver()
    await recommend(cast.reviewer)
    await cast.world.deliver()
    await cast.association.press_in("审核通过")
    await cast.world.deliver()
    await cast.experts[0].press_in("评分")
    cast.experts[0].expect("1. 总体评价（0–100 分）")
    await cast.experts[0].say("88")
    await cast.experts[0].say("跳过")
    await cast.experts[0].press("提交")
    cast.experts[0].expect("已收齐 1 份评分")
    await cast.world.deliver()
    await cast.association.press_in("启动公示")
    await cast.world.deliver()


async def test_outside_the_window_applying_is_refused_politely(sessions: async_sessionmaker[AsyncSession]) -> None:
    cast = await make_cast(World(sessions, at("2026-06-01 10:00")))
    await ready_to_apply(cast)
    await cast.lead.say("申报")
    cast.lead.expect("现在不在申报期内。下一次申报期为 2027-03-01 至 2027-04-30")
    assert await _stages(sessions) == []


def test_a_window_may_run_across_the_new_year() -> None:
    config = HandlerConfig(application_window="11-01..01-31")
    assert window.is_open(config, date(2026, 12, 15)) and window.is_open(config, date(2027, 1, 31))
    assert not window.is_open(config, date(2027, 2, 1))
    assert window.next_opening(config, date(2027, 2, 1)) == date(2027, 11, 1)
    assert window.is_open(HandlerConfig(), date(2026, 4, 30)) and not window.is_open(HandlerConfig(), date(2026, 5, 1))


async def test_every_unmet_condition_is_named_at_once(sessions: async_sessionmaker[AsyncSession]) -> None:
    world = World(sessions, at("2026-03-10 10:00"))
    city = await world.union("上海市职工技术协会", UnionLevel.MUNICIPAL)
    district = await world.union("浦东新区总工会", UnionLevel.DISTRICT, city)
    studio = await world.studio("新建工作室", district)
    lead = await world.person("小王", RoleKind.LEAD, studio=studio, grade="高级工")
    for name in ("甲", "乙"):
        await world.person(name, RoleKind.MEMBER, studio=studio)
    await world.entry(studio, lead, LedgerKind.OUTCOME, applied=False)  # funded, but not applied in production
    await world.entry(studio, lead, LedgerKind.OUTCOME, funding_scheme="企业自筹")  # applied, not the scheme
    await approve_all(world)
    await lead.say("申报")
    lead.expect(
        "暂不符合申报条件（《管理办法》第三条），还差 5 项：",
        "1. 领衔人需为技师或高级技师（当前等级：高级工）",
        "2. 除领衔人外需有 3 名以上团队成员（当前 2 名）",
        "3. 需有已应用于生产、并获“上海职工(技师)创新项目资助”的创新成果",
        "4. 需坚持开展创新活动：近 12 个月内经审核通过的活动至少 6 次（当前 0 次）",
        "5. 需有开展创新活动的场所和设备设施（缺少：活动场所、设备设施）",
        "第三条第 1、2 项是“原则上”的要求：确有特殊情况的，可请市职工技协核准例外。",
    )
    assert await _stages(sessions) == []


def test_the_scheme_is_recognised_as_people_write_it() -> None:
    assert eligibility.funded_by_scheme("上海职工(技师)创新项目资助")
    assert eligibility.funded_by_scheme("上海职工（技师）创新项目资助 ")
    assert not eligibility.funded_by_scheme("企业自筹")
    assert not eligibility.funded_by_scheme(None)


async def test_only_the_lead_applies(cast: Cast) -> None:
    await ready_to_apply(cast)
    for party in (cast.members[0], cast.reviewer, cast.association, cast.stranger):
        await party.say("申报")
        party.expect("只有工作室领衔人可以申报“技师创新工作室”。")
    nobody = Transcript(cast.world.bot, "not-bound")
    await nobody.say("申报")
    nobody.expect("您还没有绑定身份")


async def test_a_named_studio_and_an_application_under_way_are_refused(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    named = await make_cast(World(sessions, at("2026-03-10 10:00")), named_on=date(2025, 1, 1))
    await ready_to_apply(named)
    await named.lead.say("申报")
    named.lead.expect("王建国技师创新工作室 已被命名为上海市技师创新工作室，管理周期内无需再申报。")
    async with sessions() as s, s.begin():
        studio = await s.get(Studio, named.studio.id)
        assert studio is not None
        studio.status, studio.named_on = StudioStatus.PROSPECTIVE, None
    await apply(named.lead)
    await named.lead.say("申报")
    named.lead.expect("您的工作室已有一份申报（#1）正在进行中，当前阶段：待推荐。")


async def test_a_missing_venue_keeps_the_answers_as_a_draft(
    cast: Cast, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await ready_to_apply(cast)
    await apply(cast.lead, venue="")
    cast.lead.expect("还差 1 项", "需有开展创新活动的场所和设备设施（缺少：活动场所）", "已保存为草稿", "请核对")
    assert await _stages(sessions) == [ApplicationStage.DRAFT]
    await cast.lead.press("修改")
    await cast.lead.press("活动场所")
    await cast.lead.say("三号楼创新工作室")
    await cast.lead.press("提交")
    cast.lead.expect("✅ 申报已提交（编号 #1）")
    assert await _stages(sessions) == [ApplicationStage.SUBMITTED]  # the draft became the application


async def test_turned_down_at_the_association_with_a_reason(
    cast: Cast, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await ready_to_apply(cast)
    await apply(cast.lead)
    await cast.world.deliver()
    await recommend(cast.reviewer)
    await cast.world.deliver()
    await cast.association.press_in("不予通过")
    await cast.association.say("创新成果尚未形成规模效益")
    await cast.association.press("提交")
    await cast.world.deliver()
    assert "未获通过" in cast.lead.pushed() and "创新成果尚未形成规模效益" in cast.lead.pushed()
    async with sessions() as s:
        studio = await s.get(Studio, cast.studio.id)
        row = await s.scalar(select(AuditLog).where(AuditLog.to_state == "rejected"))
    assert studio is not None and studio.status is StudioStatus.PROSPECTIVE
    assert row is not None and (row.from_state, row.reason) == ("recommended", "创新成果尚未形成规模效益")
    await cast.association.press_in("审核通过")
    cast.association.expect("已由 张三 于 3月10日 10:00 不予通过。")


async def test_no_objection_without_a_notice_and_none_after_it(
    cast: Cast, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await cast.stranger.say("异议")
    cast.stranger.expect("目前没有正在公示的工作室。")
    await cast.stranger.say("公示")
    cast.stranger.expect("目前没有正在公示的工作室。")
    await _to_notice(cast)
    cast.world.advance(days=6, hours=12)  # 3月16日 22:00, the last evening of the notice
    await cast.stranger.say("异议")
    await cast.stranger.say("这个工作室的成果不是自己的")
    cast.world.advance(hours=3)  # past midnight: the notice ended while the objection waited on its summary
    await cast.stranger.press("提交")
    cast.stranger.expect("公示期已结束，异议未能登记", "这个工作室的成果不是自己的")
    async with sessions() as s:
        assert await s.scalar(select(func.count(Objection.id))) == 0


async def test_an_upheld_objection_turns_the_application_down(
    cast: Cast, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _to_notice(cast)
    await cast.members[0].say("异议")
    await cast.members[0].say("成果数据有夸大")
    await cast.members[0].press("提交")
    await cast.world.deliver()
    await cast.association.press_in("异议成立")
    await cast.association.say("核实确有夸大")
    await cast.association.press("提交")
    cast.association.expect("已认定异议 #1 成立", "不予通过")
    await cast.world.deliver()
    assert "经核实成立" in cast.members[0].pushed()
    assert "公示期异议成立：核实确有夸大" in cast.lead.pushed()
    assert await _stages(sessions) == [ApplicationStage.REJECTED]
    await cast.association.press_in("异议不成立")
    cast.association.expect("已由 张三 于 3月10日 10:00 认定异议成立。")


async def test_scoring_after_the_evaluation_closed_is_refused(cast: Cast) -> None:
    await _to_notice(cast)
    await cast.experts[1].press_in("评分")
    cast.experts[1].expect("这份申报已不在专家评审阶段（当前：公示中），无需评分。")


def test_the_default_rubric_is_the_four_conditions_out_of_100() -> None:
    sheet = expert_rubric.load(None)
    assert [c.key for c in sheet.criteria] == ["lead", "team", "outcomes", "activities", "conditions"]
    assert sheet.max_total == 100 and sheet.experts_needed == 3


def test_a_broken_rubric_file_names_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n[[criteria]]\nkey = "a"\nzh = "甲"\nmax = -1\n', encoding="utf-8")
    with pytest.raises(expert_rubric.RubricError, match="positive number"):
        expert_rubric.load(bad)
    with pytest.raises(expert_rubric.RubricError, match=r"(?i)no such file"):
        expert_rubric.load(tmp_path / "missing.toml")


async def test_a_named_studio_is_told_so_before_the_window_whatever_the_date(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    named = await make_cast(World(sessions, at("2026-06-01 10:00")), named_on=date(2025, 1, 1))
    await ready_to_apply(named)
    await named.lead.say("申报")
    named.lead.expect("王建国技师创新工作室 已被命名为上海市技师创新工作室，管理周期内无需再申报。")
    named.lead.expect_not("申报期", "欢迎申报")
    await named.lead.say("语言 en")
    await named.lead.say("/apply")
    named.lead.expect("is already a named studio")
    named.lead.expect_not("window", "welcome to apply")
    assert await _stages(sessions) == []


async def test_an_outcome_that_is_not_the_studios_is_never_submitted_silently(
    cast: Cast, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await ready_to_apply(cast)
    lead = cast.lead
    for answer in ("申报", "二号车间创新室", "数控车床 3 台"):
        await lead.say(answer)
    await lead.press("焊接夹具")
    await lead.say("焊接夹具快换装置、不存在的成果")
    lead.expect("“不存在的成果”不在选项里")  # refused at the step, nothing of the answer taken
    lead.expect_not("活动情况")
    await lead.press("完成")
    await lead.say("坚持每月开展技术交流和攻关活动，解决生产难题 12 项")
    await lead.say("跳过")
    lead.expect("焊接夹具")
    lead.expect_not("不存在的成果")
    await lead.say("提交")
    lead.expect("申报已提交")
    assert await _stages(sessions) != []


async def test_an_english_refusal_is_english_throughout(sessions: async_sessionmaker[AsyncSession]) -> None:
    world = World(sessions, at("2026-03-10 10:00"))
    city = await world.union("上海市职工技术协会", UnionLevel.MUNICIPAL)
    studio = await world.studio("新建工作室", await world.union("浦东新区总工会", UnionLevel.DISTRICT, city))
    lead = await world.person("小王", RoleKind.LEAD, studio=studio, grade="高级工", locale="en")
    await world.person("甲", RoleKind.MEMBER, studio=studio)
    await lead.say("/apply")
    lead.expect(
        "recorded grade: Senior worker",
        "now: 1)",
        "log it with /outcome first",
        "missing: Venue, Equipment)",
    )
    lead.expect_not("记录成果", "grade: 高级工", "、")


async def test_an_english_lead_reads_the_application_flow_in_plain_english(cast: Cast) -> None:
    await ready_to_apply(cast)
    await cast.lead.say("/lang en")
    await cast.lead.say("/apply")
    cast.lead.expect("New studio title application.")
    await cast.lead.say("cancel")
    cast.lead.expect("Cancelled the studio title application; nothing was saved.")
    cast.lead.expect_not("the the")
