"""The whole pipeline as one multi-party transcript: 申报 → 推荐 → 审核 → 评审 → 公示 (with objections) → 命名."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core import payloads
from handlers.core.presses import ApplicationPress
from storage.models import (
    Application,
    ApplicationStage,
    AuditLog,
    Cycle,
    ExpertScore,
    Objection,
    ReviewDecision,
    Studio,
    StudioStatus,
)
from tests.reviews_support import Cast, World, apply, at, make_cast, ready_to_apply


async def _app(sessions: async_sessionmaker[AsyncSession]) -> Application:
    async with sessions() as s:
        found = await s.scalar(select(Application).order_by(Application.id.desc()).limit(1))
    assert found is not None
    return found


async def test_from_application_to_naming(sessions: async_sessionmaker[AsyncSession]) -> None:
    world = World(sessions, at("2026-03-10 10:00"))
    cast: Cast = await make_cast(world)
    await ready_to_apply(cast)
    lead, li, qian, zhang = cast.lead, cast.reviewer, cast.reviewer2, cast.association

    # 申报: the conversation collects venue, equipment, outcomes, activities; the check passes
    await apply(lead)
    lead.expect("✅ 申报已提交（编号 #1），等待 浦东新区总工会 推荐")
    app = await _app(sessions)
    assert app.stage is ApplicationStage.SUBMITTED and app.data["members"] == 3
    assert app.data["outcomes"][0]["title"] == "焊接夹具快换装置"

    # 推荐 by the district union: both its reviewers are asked; nobody else yet
    await world.deliver()
    card = li.inbox[-1]
    assert "有一份申报待您推荐" in card.text and "领衔人：王建国（高级技师）" in card.text
    assert "团队成员：3 名" in card.text and "活动场所：二号车间创新室" in card.text
    assert [b.label for b in card.all_buttons()] == ["👍 推荐", "↩️ 退回", "❌ 不予推荐"]
    assert qian.inbox and not zhang.inbox and not cast.outsider.inbox and not cast.experts[0].inbox
    await cast.outsider.press_button(card.all_buttons()[0])
    cast.outsider.expect("只有该工作室所属区县局（产业）工会的审核人可以推荐。")
    await li.press_in("推荐", card)
    li.expect("推荐申报 #1（王建国技师创新工作室）", "请填写推荐意见")
    await li.say("该工作室攻关成效显著，同意推荐")
    await li.press("提交")
    li.expect("👍 已推荐 王建国技师创新工作室")
    await qian.press_in("推荐")
    qian.expect("已由 李四 于 3月10日 10:00 推荐。")

    # 审核 by the municipal association
    await world.deliver()
    assert "您的申报（王建国技师创新工作室）已获推荐" in lead.pushed()
    assert "区县局（产业）工会推荐意见（李四）：该工作室攻关成效显著，同意推荐" in lead.pushed()
    review_card = zhang.inbox[-1]
    assert "待市职工技协审核" in review_card.text
    assert "区县局（产业）工会推荐意见（李四）：该工作室攻关成效显著，同意推荐" in review_card.text
    await li.press_button(review_card.all_buttons()[0])
    li.expect("只有市职工技协的审核人可以审核申报。")
    await zhang.press_in("审核通过", review_card)
    zhang.expect("审核通过，已请专家评审")

    # 评审: three experts of other enterprises score; the expert of 上海电气 is not asked and may not score
    world.advance(hours=1)
    await world.deliver()
    assert not cast.conflicted.inbox
    score_card = cast.experts[0].inbox[-1]
    await cast.conflicted.press_button(score_card.all_buttons()[0])
    cast.conflicted.expect("与工作室同企业、同区县局或企业工会、或是其成员的专家需回避")
    first, second, third = cast.experts
    await first.press_in("评分", score_card)
    first.expect("评分细则", "1. 技师领衔", "（0–20 分）", "请按细则顺序发送各项分数")
    await first.say("18 16 25")
    first.expect("分数个数与评分细则的项数不一致")
    await first.say("18 16 35 17 8")
    first.expect("第 3 项“创新成果：代表性、生产应用与项目资助”的分数 35 超出范围：应在 0 到 30 分之间")
    await first.say("18 16 25 17 8")
    first.expect("评审意见", "（不超过 1000 字）")  # the comment's one limit, stated (issue 19)
    await first.say("材料翔实")
    first.expect("请核对专家评分", "合计 84 分", "材料翔实")
    await first.press("提交")
    first.expect("✅ 已收到您对 王建国技师创新工作室 的评分，总分 84")
    await first.press_in("评分", score_card)
    first.expect("您已为这份申报评过分（总分 84）")
    for expert, sheet in ((second, "17 15 24 16 9"), (third, "19 17 27 18 9.5")):
        await expert.press_in("评分")
        await expert.say(sheet)
        await expert.say("跳过")
        await expert.press("提交")
    third.expect("已收齐 3 份评分，评审完成")
    assert (await _app(sessions)).stage is ApplicationStage.EVALUATED

    # 公示: started by the association for PUBLIC_NOTICE_DAYS (7) days; the studio's people hear of it
    await world.deliver()
    notice_card = zhang.inbox[-1]
    assert "专家评审已完成" in notice_card.text and "专家评分：3 份，平均 85.2 分（及格线 60 分）" in notice_card.text
    assert "低于及格线" not in notice_card.text
    assert "专家评审已完成：平均 85.2 分，达到及格线（60 分），等待市职工技协启动公示" in lead.pushed()
    await zhang.press_in("启动公示", notice_card)
    zhang.expect("已进入公示")
    app = await _app(sessions)
    assert (app.notice_starts_on, app.notice_ends_on) == (date(2026, 3, 10), date(2026, 3, 16))
    await world.deliver()
    for party in (lead, cast.members[0], li):
        assert "公示期 2026-03-10 至 2026-03-16" in party.pushed()

    # objections: any bound person; the association resolves each with a reason
    await cast.stranger.say("公示")
    cast.stranger.expect("正在公示的工作室", "王建国技师创新工作室（公示期 2026-03-10 至 2026-03-16）")
    await cast.stranger.press("提出异议")
    await cast.stranger.say("设备是借来的")
    await cast.stranger.press("提交")
    cast.stranger.expect("已收到您对 王建国技师创新工作室 的异议（编号 #1）")
    await cast.members[2].say("异议")
    await cast.members[2].say("团队成员名单与实际不符")
    await cast.members[2].press("提交")
    await world.deliver()
    objection_card = zhang.inbox[-2]
    assert "设备是借来的" in objection_card.text and "提出人：路人甲" in objection_card.text
    await li.press_button(objection_card.all_buttons()[0])
    li.expect("只有市职工技协的审核人可以处理异议。")
    await zhang.press_in("异议不成立", objection_card)
    await zhang.say("经核实设备为企业自有资产")
    await zhang.press("提交")
    zhang.expect("已认定异议 #1 不成立")
    await world.deliver()
    assert "经核实不成立" in cast.stranger.pushed() and "企业自有资产" in cast.stranger.pushed()
    await lead.say("履历")  # the studio reads that objections were raised, not who raised them
    lead.expect("异议人（不公开）：异议 #1 已提出", "异议 #1 已提出 → 不成立")
    lead.expect_not("路人甲")
    await zhang.say("履历 王建国技师创新工作室")
    zhang.expect("路人甲：异议 #1 已提出")

    # 命名 waits for the end of the notice and for every objection to be resolved
    name = payloads.pack(world.config.secret_key, ApplicationPress("name", app.id, "p"))
    await zhang.send_payload(name)
    zhang.expect("公示期至 2026-03-16 结束，2026-03-17 起才能命名。")
    world.advance(days=7)
    await zhang.say("待审")
    zhang.expect("异议 #2", "申报 #1 王建国技师创新工作室 · 公示中")
    await zhang.send_payload(name)
    zhang.expect("还有 1 条异议未处理，处理完才能命名。")
    await zhang.say("待审")
    await zhang.press("2. 王建国")
    await zhang.press("异议不成立")
    await zhang.say("名单已由企业工会核对")
    await zhang.press("提交")
    await zhang.say("待审")
    await zhang.press("1. 王建国")
    zhang.expect("当前阶段：公示中")
    await zhang.press("命名")
    zhang.expect("🏅 王建国技师创新工作室 已命名为上海市技师创新工作室")
    await world.deliver()
    assert "第一个管理周期：2026-03-17 至 2029-03-16" in lead.pushed()
    assert "已被命名" in cast.members[1].pushed() and "已被命名" in li.pushed()

    async with sessions() as s:
        studio = await s.get(Studio, cast.studio.id)
        cycles = list(await s.scalars(select(Cycle).where(Cycle.studio_id == cast.studio.id)))
        decisions = list(await s.scalars(select(ReviewDecision.stage).order_by(ReviewDecision.id)))
        scores = await s.scalar(select(func.count(ExpertScore.id)))
        objections = list(await s.scalars(select(Objection.status)))
        trail = [
            (r.object_type, r.from_state, r.to_state)
            for r in await s.scalars(select(AuditLog).where(AuditLog.studio_id == cast.studio.id).order_by(AuditLog.id))
        ]
    assert studio is not None and studio.status is StudioStatus.NAMED and studio.named_on == date(2026, 3, 17)
    assert [(c.number, c.starts_on, c.ends_on) for c in cycles] == [(1, date(2026, 3, 17), date(2029, 3, 16))]
    assert decisions == ["submitted", "recommended", "reviewed", "evaluated", "public_notice"]
    assert scores == 3 and sorted(o.value for o in objections) == ["dismissed", "dismissed"]
    stages = [(f, t) for kind, f, t in trail if kind == "application"]
    assert stages == [
        ("draft", "submitted"),
        ("submitted", "recommended"),
        ("recommended", "reviewed"),
        ("reviewed", "evaluated"),
        ("evaluated", "public_notice"),
        ("public_notice", "named"),
    ]
    assert [(f, t) for kind, f, t in trail if kind == "studio"] == [("prospective", "applying"), ("applying", "named")]
    assert ("cycle", None, "open") in trail and trail.count(("expert_score", None, "scored")) == 3
    assert trail.count(("objection", "open", "dismissed")) == 2
