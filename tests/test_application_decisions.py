"""Decisions the application's life must not leave open: a panel that cannot fill, the pass line, the yearly
window after a refusal, and who is told what of a notice or a naming."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core import payloads
from handlers.core.config import HandlerConfig
from handlers.core.presses import ApplicationPress
from handlers.core.types import Reply
from handlers.lifecycle import window
from storage.models import (
    Application,
    ApplicationStage,
    AuditLog,
    Decision,
    ReviewDecision,
    Role,
    RoleKind,
    Studio,
    StudioStatus,
)
from tests.reviews_support import (
    ONE_EXPERT,
    Cast,
    Party,
    World,
    apply,
    approve_all,
    at,
    log_activities,
    make_cast,
    ready_to_apply,
    recommend,
)


@pytest.fixture
async def cast(sessions: async_sessionmaker[AsyncSession]) -> Cast:
    """The standard cast on the default rubric: three experts' sheets close an evaluation, pass line 60."""
    return await make_cast(World(sessions, at("2026-03-10 10:00")))


@pytest.fixture
async def quick(sessions: async_sessionmaker[AsyncSession], tmp_path: Path) -> Cast:
    """The standard cast on a one-expert rubric, to reach the public notice quickly."""
    sheet = tmp_path / "rubric.toml"
    sheet.write_text(ONE_EXPERT, encoding="utf-8")
    return await make_cast(World(sessions, at("2026-03-10 10:00"), expert_rubric_file=sheet))


async def _app(cast: Cast) -> Application:
    async with cast.world.sessions() as s:
        found = await s.scalar(select(Application).order_by(Application.id.desc()).limit(1))
    assert found is not None
    return found


async def _stages(cast: Cast) -> list[ApplicationStage]:
    async with cast.world.sessions() as s:
        return list(await s.scalars(select(Application.stage).order_by(Application.id)))


async def _retire(cast: Cast, *experts: Party) -> None:
    """Deactivate these experts' roles (they leave the panel)."""
    async with cast.world.sessions() as s, s.begin():
        await s.execute(update(Role).where(Role.person_id.in_([e.person.id for e in experts])).values(active=False))


async def _to_experts(cast: Cast) -> list[Reply]:
    """Apply, recommend, pass the association's review; the association's reply to 审核通过."""
    await ready_to_apply(cast)
    await apply(cast.lead)
    await cast.world.deliver()
    await recommend(cast.reviewer)
    await cast.world.deliver()
    replies = await cast.association.press_in("审核通过")
    await cast.world.deliver()
    return replies


async def _score(expert: Party, sheet: str) -> None:
    await expert.press_in("评分")
    await expert.say(sheet)
    await expert.say("跳过")
    await expert.press("提交")


async def _to_notice(cast: Cast) -> None:
    """On the one-expert rubric: walk the application to its public notice."""
    await _to_experts(cast)
    await _score(cast.experts[0], "88")
    await cast.world.deliver()
    await cast.association.press_in("启动公示")
    await cast.world.deliver()


# ---- 1. an evaluation the panel cannot complete ------------------------------------------------------------


async def test_one_expert_of_three_needed_and_the_association_closes_with_the_sheet_received(cast: Cast) -> None:
    await _retire(cast, cast.experts[1], cast.experts[2])
    zhang, chen = cast.association, cast.experts[0]
    await _to_experts(cast)
    zhang.expect("审核通过", "可以评分的专家只有 1 位，少于评审细则要求的 3 位", "可在“待审”中按已收到的评分结束评审")

    await _score(chen, "18 16 25 17 8")
    chen.expect("已收到您对 王建国技师创新工作室 的评分，总分 84")
    chen.expect_not("评审完成")
    assert (await _app(cast)).stage is ApplicationStage.REVIEWED

    # the panel is exhausted: the association is asked to close it, and finds it in 待审 with the count
    await cast.world.deliver()
    asked = zhang.inbox[-1]
    assert "可以评分的专家都已评分（收到 1 份，评审细则要求 3 份）" in asked.text
    assert [b.label for b in asked.all_buttons()] == ["🏁 结束评审"]
    await zhang.say("待审")
    zhang.expect("申报 #1 王建国技师创新工作室 · 专家评审中（已收 1/3 份评分）")
    await zhang.press("1. 王建国")
    zhang.expect("专家评分：已收到 1/3 份，平均 84.0 分（及格线 60 分）", "可以评分的专家都已评分")
    zhang.expect_buttons("结束评审")

    # nobody else may close it; the lead still only reads the stage
    await cast.reviewer.press_button(asked.all_buttons()[0])
    cast.reviewer.expect("只有市职工技协的审核人可以审核申报。")
    await chen.press_button(asked.all_buttons()[0])
    chen.expect("只有市职工技协的审核人可以审核申报。")

    await zhang.press("结束评审")
    zhang.expect("已按收到的 1 份评分结束 王建国技师创新工作室 的专家评审（平均 84.0 分，及格线 60 分）")
    app = await _app(cast)
    assert app.stage is ApplicationStage.EVALUATED
    await zhang.press_button(asked.all_buttons()[0])
    zhang.expect("已由 张三 于 3月10日 10:00 完成评审。")
    await cast.world.deliver()
    assert "专家评审已完成：平均 84.0 分，达到及格线（60 分）" in cast.lead.pushed()
    async with cast.world.sessions() as s:
        decision = await s.scalar(select(ReviewDecision).where(ReviewDecision.stage == "reviewed"))
        row = await s.scalar(select(AuditLog).where(AuditLog.to_state == "evaluated"))
    assert decision is not None and (decision.decision, decision.reviewer_id) == (Decision.SCORE, zhang.person.id)
    assert row is not None and row.detail["scores"] == 1 and row.detail["below_pass"] is False

    # and it goes on as any evaluated application does
    await zhang.say("待审")
    zhang.expect("评审完成，待公示")


async def test_with_no_expert_at_all_the_association_is_told_and_a_new_expert_can_score(cast: Cast) -> None:
    await _retire(cast, *cast.experts)  # only 吴专家 is left, of the studio's own enterprise
    zhang = cast.association
    await _to_experts(cast)
    zhang.expect(
        "目前没有可以评分的专家（与工作室有关联的专家需回避）。请先邀请专家",
        "回避（未通知本人）：吴专家（与工作室同一企业）",
    )

    await zhang.say("待审")
    zhang.expect("申报 #1 王建国技师创新工作室 · 专家评审中（已收 0/3 份评分）")
    await zhang.press("1. 王建国")
    zhang.expect("尚未收到专家评分，且目前没有可以评分的专家")
    zhang.expect_not("结束评审")
    app = await _app(cast)
    await zhang.send_payload(payloads.pack(cast.world.config.secret_key, ApplicationPress("end", app.id, "v")))
    zhang.expect("还没有收到专家评分，至少收到 1 份评分才能结束评审。")
    assert (await _app(cast)).stage is ApplicationStage.REVIEWED

    # an expert invited now finds the application in 待审, scores it, and the association can close
    newcomer = await cast.world.person("黄研究员", RoleKind.EXPERT, union=cast.city, enterprise="华东理工大学")
    await newcomer.say("待审")
    newcomer.expect("申报 #1 王建国技师创新工作室 · 专家评审中")
    await newcomer.press("1. 王建国")
    await newcomer.press("评分")
    await newcomer.say("15 15 20 15 8")
    await newcomer.say("跳过")
    await newcomer.press("提交")
    await cast.world.deliver()
    await zhang.press_in("结束评审")
    zhang.expect("已按收到的 1 份评分结束")
    assert (await _app(cast)).stage is ApplicationStage.EVALUATED


async def test_the_association_may_close_early_while_experts_are_still_due(cast: Cast) -> None:
    zhang = cast.association
    await _to_experts(cast)
    zhang.expect_not("可以评分的专家只有")
    await _score(cast.experts[0], "18 16 25 17 8")
    await cast.world.deliver()
    assert not any("结束评审" in b.label for r in zhang.inbox for b in r.all_buttons())  # not asked: others due
    await zhang.say("待审")
    zhang.expect("专家评审中（已收 1/3 份评分）")
    await zhang.press("1. 王建国")
    zhang.expect("还差 2 份评分，尚有 2 位专家未评分。如不再等待，可按已收到的评分结束评审。")
    await zhang.press("结束评审")
    zhang.expect("已按收到的 1 份评分结束")
    await cast.experts[1].press_in("评分")
    cast.experts[1].expect("这份申报已不在专家评审阶段（当前：评审完成，待公示），无需评分。")


# ---- 2. the pass line ----------------------------------------------------------------------------------------


async def test_an_average_below_the_pass_line_is_said_plainly_and_a_notice_needs_a_reason(cast: Cast) -> None:
    zhang = cast.association
    await _to_experts(cast)
    for expert, sheet in zip(cast.experts, ("9 9 13 9 5", "10 10 12 8 5", "8 8 14 10 5"), strict=True):
        await _score(expert, sheet)
    cast.experts[2].expect("已收齐 3 份评分")
    await cast.world.deliver()

    card = zhang.inbox[-1]
    assert "专家评分：3 份，平均 45.0 分（及格线 60 分）" in card.text
    assert "⚠️ 平均分 45.0 低于及格线 60 分，未达到评审通过标准" in card.text
    assert [b.label for b in card.all_buttons()] == ["📢 仍启动公示（需说明理由）", "❌ 不予通过"]
    told = cast.lead.pushed()
    assert "平均 45.0 分，低于及格线（60 分）。是否公示由市职工技协决定" in told
    assert "等待公示" not in told and "启动公示。" not in told

    # starting the notice is the association's call, but only with a reason on record
    await zhang.press_in("仍启动公示", card)
    zhang.expect("专家评分平均 45.0 分，低于及格线 60 分；仍要启动公示，需说明理由")
    assert (await _app(cast)).stage is ApplicationStage.EVALUATED
    await zhang.say("该工作室在高技能人才培养方面有突出贡献")
    await zhang.press("提交")
    zhang.expect("已进入公示", "低于及格线 60 分，您说明的理由已记录")
    assert (await _app(cast)).stage is ApplicationStage.PUBLIC_NOTICE
    async with cast.world.sessions() as s:
        decision = await s.scalar(select(ReviewDecision).where(ReviewDecision.stage == "evaluated"))
        row = await s.scalar(select(AuditLog).where(AuditLog.to_state == "public_notice"))
    assert decision is not None and decision.reason == "该工作室在高技能人才培养方面有突出贡献"
    assert row is not None and row.detail["below_pass"] is True and row.detail["average"] == "45.0"


async def test_a_notice_below_the_pass_line_without_a_reason_is_refused(cast: Cast) -> None:
    await _to_experts(cast)
    for expert in cast.experts:
        await _score(expert, "9 9 13 9 5")
    app = await _app(cast)
    forged = payloads.pack(cast.world.config.secret_key, ApplicationPress("notice", app.id, "e"))
    await cast.association.send_payload(forged)  # the press asks for a reason; it never starts the notice bare
    cast.association.expect("仍要启动公示，需说明理由")
    await cast.association.say("取消")
    assert (await _app(cast)).stage is ApplicationStage.EVALUATED


# ---- 3. a refusal closes the year's window -------------------------------------------------------------------


async def test_not_named_after_an_upheld_objection_waits_for_next_years_window(
    quick: Cast, sessions: async_sessionmaker[AsyncSession]
) -> None:
    cast = quick
    await _to_notice(cast)
    await cast.stranger.say("异议")
    await cast.stranger.say("成果数据有夸大")
    await cast.stranger.press("提交")
    await cast.world.deliver()
    await cast.association.press_in("异议成立")
    await cast.association.say("核实确有夸大")
    await cast.association.press("提交")
    await cast.world.deliver()
    assert "本年度不能再申报，下一次申报期从 2027-03-01 开始" in cast.lead.pushed()

    await cast.lead.say("申报")
    cast.lead.expect(
        "王建国技师创新工作室 本年度的申报（#1）未获通过，本年度不能再申报。下一次申报期从 2027-03-01 开始"
    )
    cast.lead.expect_not("请核对", "活动场所")
    cast.world.advance(days=30)  # still in this year's window (to 4月30日)
    await cast.lead.say("/apply")
    cast.lead.expect("本年度不能再申报")
    assert await _stages(cast) == [ApplicationStage.REJECTED]

    cast.world.now = at("2027-03-01 09:00")
    await cast.lead.say("申报")  # a year on, 第三条(4) looks at the activities of the last 12 months again
    cast.lead.expect("近 12 个月内经审核通过的活动至少 6 次（当前 1 次）")
    await log_activities(cast.world, cast.studio, cast.lead, 6)
    await approve_all(cast.world)
    await cast.lead.say("申报")
    cast.lead.expect("活动场所")
    await cast.lead.say("取消")


async def test_turned_down_at_recommendation_also_waits_and_the_english_lead_is_told_when(
    quick: Cast,
) -> None:
    cast = quick
    await ready_to_apply(cast)
    await apply(cast.lead)
    await cast.world.deliver()
    await cast.reviewer.press_in("不予推荐")  # the district's word (第九条)
    cast.reviewer.expect("不予推荐申报 #1（王建国技师创新工作室）")
    await cast.reviewer.say("团队成员并非一线技术人员")
    await cast.reviewer.press("提交")
    cast.reviewer.expect("❌ 王建国技师创新工作室 的申报不予推荐，已通知领衔人。")
    await cast.world.deliver()
    assert "❌ 您的申报（王建国技师创新工作室）不予推荐。" in cast.lead.pushed()
    assert "下一次申报期从 2027-03-01 开始" in cast.lead.pushed()
    await cast.lead.say("语言 en")
    await cast.lead.say("/apply")
    cast.lead.expect("cannot apply again this year", "The next application window opens on 2027-03-01")
    async with cast.world.sessions() as s:
        studio = await s.get(Studio, cast.studio.id)
    assert studio is not None and studio.status is StudioStatus.PROSPECTIVE
    assert await _stages(cast) == [ApplicationStage.REJECTED]


def test_the_window_after_a_refusal_is_the_next_one_even_across_the_new_year() -> None:
    spring, winter = HandlerConfig(), HandlerConfig(application_window="11-01..01-31")
    assert window.reopens(spring, date(2026, 3, 10)) == date(2027, 3, 1)
    assert window.reopens(spring, date(2026, 6, 1)) == date(2027, 3, 1)  # outside any window: the next one
    assert window.reopens(winter, date(2026, 12, 15)) == date(2027, 11, 1)
    assert window.reopens(winter, date(2027, 1, 20)) == date(2027, 11, 1)  # the window opened in 2026


# ---- 4. who is told what -------------------------------------------------------------------------------------


async def test_the_studio_hears_it_is_on_notice_and_named_the_unions_hear_the_news(quick: Cast) -> None:
    cast = quick
    await _to_notice(cast)
    for own in (cast.lead, cast.members[0]):
        assert "您的工作室 王建国技师创新工作室 正在公示，公示期 2026-03-10 至 2026-03-16" in own.pushed()
        assert "请发送“异议”" not in own.pushed()
    assert "如有异议，请发送“异议”" in cast.reviewer.pushed()
    assert "您的工作室" not in cast.reviewer.pushed()

    cast.world.advance(days=7)
    app = await _app(cast)
    name = payloads.pack(cast.world.config.secret_key, ApplicationPress("name", app.id, "p"))
    await cast.association.send_payload(name)
    cast.association.expect("已命名为上海市技师创新工作室")
    await cast.world.deliver()
    for own in (cast.lead, cast.members[1]):
        assert "请坚持记录台账" in own.pushed()
    for onlooker in (cast.reviewer, cast.reviewer2, cast.admin):
        assert "请坚持记录台账" not in onlooker.pushed()
    assert "已被命名为上海市技师创新工作室，第一个管理周期：2026-03-17 至 2029-03-16。" in cast.reviewer.pushed()
