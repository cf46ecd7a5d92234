"""Applications that behave (issue 17, item 7): 取消 says what is kept, a draft is never submitted unseen,
a lead withdraws until the district acts, and a resubmission carries the reason it was returned."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Application, ApplicationStage, AuditLog, ReviewDecision, RoleKind, Studio, StudioStatus
from tests.reviews_support import ONE_EXPERT, Cast, World, apply, at, make_cast, ready_to_apply, recommend


@pytest.fixture
async def cast(sessions: async_sessionmaker[AsyncSession], tmp_path: Path) -> Cast:
    sheet = tmp_path / "expert_rubric.toml"
    sheet.write_text(ONE_EXPERT, encoding="utf-8")
    return await make_cast(World(sessions, at("2026-03-10 10:00"), expert_rubric_file=sheet))


async def _apps(cast: Cast) -> list[Application]:
    async with cast.world.sessions() as s:
        return list(await s.scalars(select(Application).order_by(Application.id)))


async def test_cancel_after_a_draft_says_it_is_kept_and_the_next_apply_walks_every_step(cast: Cast) -> None:
    await ready_to_apply(cast)
    lead = cast.lead
    await apply(lead, venue="")  # no venue: the check keeps the answers as a draft
    lead.expect("已保存为草稿")
    await lead.say("取消")
    lead.expect("已退出申报。申报草稿 #1 仍然保留", "发送“撤回申报”可删除这份草稿")
    lead.expect_not("没有保存任何内容")

    await lead.say("申报")
    lead.expect("您有一份未提交的申报草稿（#1）", "工作室的活动场所是？")
    lead.expect_not("请核对", "✅ 提交")
    await lead.say("1")  # once the summary's submit: now an answer to the first question, refused as too short
    lead.expect("内容太短了", "工作室的活动场所是？")
    assert [a.stage for a in await _apps(cast)] == [ApplicationStage.DRAFT]
    await lead.say("三号楼创新工作室")
    await lead.press("数控车床 3 台")
    assert "焊接夹具快换装置（上次已选）" in lead.buttons
    await lead.press("焊接夹具")
    await lead.press("完成")
    await lead.press("沿用上次填写")
    await lead.say("跳过")
    lead.expect("请核对", "创新活动：坚持每月开展技术交流和攻关活动，解决生产难题 12 项")
    await lead.press("提交")
    lead.expect("✅ 申报已提交（编号 #1）")
    assert [a.stage for a in await _apps(cast)] == [ApplicationStage.SUBMITTED]


async def test_withdrawing_the_draft_discards_it(cast: Cast) -> None:
    await ready_to_apply(cast)
    await apply(cast.lead, venue="")
    await cast.lead.say("取消")
    await cast.lead.say("撤回申报")
    cast.lead.expect("已删除 王建国技师创新工作室 的申报草稿 #1。")
    await cast.lead.say("申报")
    cast.lead.expect("工作室的活动场所是？")
    cast.lead.expect_not("草稿")
    await cast.lead.say("取消")
    cast.lead.expect("已取消申报技师创新工作室，没有保存任何内容。")
    assert [a.stage for a in await _apps(cast)] == [ApplicationStage.WITHDRAWN]


async def test_a_lead_withdraws_by_button_before_the_district_acts(cast: Cast) -> None:
    await ready_to_apply(cast)
    await apply(cast.lead)
    cast.lead.expect("✅ 申报已提交（编号 #1）", "发送“撤回申报”撤回")
    withdraw = cast.lead.button("撤回申报")
    await cast.world.deliver()
    card = cast.reviewer.inbox[-1]
    assert "撤回" not in " ".join(b.label for b in card.all_buttons())
    await cast.reviewer.say("待审")
    cast.reviewer.expect("王建国技师创新工作室")

    await cast.members[0].press_button(withdraw)  # a member may not withdraw the lead's application
    cast.members[0].expect("只有工作室领衔人可以申报")
    await cast.lead.press_button(withdraw)
    cast.lead.expect("↩️ 已撤回 王建国技师创新工作室 的申报")
    await cast.world.deliver()
    assert "王建国技师创新工作室 的申报已由申请人撤回，无需再推荐" in cast.reviewer.pushed()
    await cast.reviewer.say("待审")
    cast.reviewer.expect_not("王建国技师创新工作室")
    await cast.reviewer.press_in("推荐", card)
    cast.reviewer.expect("已由 王建国 于 3月10日 10:00 撤回。")
    await cast.lead.press_button(withdraw)
    cast.lead.expect("已由 王建国 于 3月10日 10:00 撤回。")

    [app] = await _apps(cast)
    async with cast.world.sessions() as s:
        studio = await s.get(Studio, cast.studio.id)
        row = await s.scalar(select(AuditLog).where(AuditLog.to_state == "withdrawn"))
    assert app.stage is ApplicationStage.WITHDRAWN
    assert studio is not None and studio.status is StudioStatus.PROSPECTIVE
    assert row is not None and (row.from_state, row.actor_id) == ("submitted", cast.lead.person.id)
    await cast.lead.say("申报")  # a withdrawn application does not close the year's window
    cast.lead.expect("工作室的活动场所是？")


async def test_typed_withdrawal_is_refused_once_the_district_recommended(cast: Cast) -> None:
    await ready_to_apply(cast)
    await cast.lead.say("撤回申报")
    cast.lead.expect("您的工作室没有可以撤回的申报。")
    await apply(cast.lead)
    await cast.world.deliver()
    await recommend(cast.reviewer)
    await cast.lead.say("撤回申报")
    cast.lead.expect("申报 #1 已到“待市职工技协审核”阶段，不能再撤回")
    assert [a.stage for a in await _apps(cast)] == [ApplicationStage.RECOMMENDED]
    await cast.lead.say("语言 en")
    await cast.lead.say("/withdraw_application")
    cast.lead.expect("can no longer be withdrawn")


async def test_a_resubmission_is_linked_and_shows_its_reason_to_lead_and_reviewer(cast: Cast) -> None:
    await ready_to_apply(cast)
    await apply(cast.lead)
    await cast.world.deliver()
    await cast.reviewer.press_in("退回")
    await cast.reviewer.say("请补充成果应用证明")
    await cast.reviewer.press("提交")
    await cast.world.deliver()
    lead = cast.lead
    await lead.press_in("修改后重新申报", lead.inbox[-1])
    lead.expect("您的申报 #1 被退回修改，原因：请补充成果应用证明", "工作室的活动场所是？")
    lead.expect_not("请核对")
    await lead.say("取消")
    lead.expect("被退回的申报 #1 仍可修改后重新申报")
    await lead.say("申报")
    lead.expect("原因：请补充成果应用证明")
    await lead.press("二号车间创新室")
    await lead.press("数控车床 3 台")
    await lead.press("焊接夹具")
    await lead.press("完成")
    await lead.say("补充：成果已在三条产线应用，附应用证明")
    await lead.say("跳过")
    await lead.press("提交")
    lead.expect("✅ 申报已提交（编号 #2）")

    returned, again = await _apps(cast)
    assert (returned.stage, again.stage, again.resubmits_id) == (
        ApplicationStage.RETURNED,
        ApplicationStage.SUBMITTED,
        returned.id,
    )
    await cast.world.deliver()
    card = cast.reviewer.inbox[-1]
    assert "🔁 重新申报：上一份申报 #1 曾被退回，原因：请补充成果应用证明" in card.text
    async with cast.world.sessions() as s:
        row = await s.scalar(select(AuditLog).where(AuditLog.object_id == again.id, AuditLog.to_state == "submitted"))
        decisions = list(await s.scalars(select(ReviewDecision.application_id)))
    assert row is not None and row.detail["resubmits"] == returned.id
    assert decisions == [returned.id]


async def test_recommending_asks_the_opinion_and_only_of_who_may_recommend(cast: Cast) -> None:
    await ready_to_apply(cast)
    await apply(cast.lead)
    await cast.world.deliver()
    card = cast.reviewer.inbox[-1]
    await cast.outsider.press_button(card.all_buttons()[0])
    cast.outsider.expect("只有该工作室所属区县局（产业）工会的审核人可以推荐。")
    cast.outsider.expect_not("推荐意见")
    await cast.reviewer.press_in("推荐", card)
    await cast.reviewer.say("好")
    cast.reviewer.expect("请填写推荐意见")
    assert [a.stage for a in await _apps(cast)] == [ApplicationStage.SUBMITTED]
    await cast.reviewer.say("取消")
    assert [a.stage for a in await _apps(cast)] == [ApplicationStage.SUBMITTED]
    await recommend(cast.reviewer, card, "团队攻关能力强，同意推荐")
    cast.reviewer.expect("👍 已推荐 王建国技师创新工作室")
    async with cast.world.sessions() as s:
        decision = await s.scalar(select(ReviewDecision))
        row = await s.scalar(select(AuditLog).where(AuditLog.to_state == "recommended"))
    assert decision is not None and decision.reason == "团队攻关能力强，同意推荐"
    assert row is not None and row.reason == "团队攻关能力强，同意推荐"


async def test_a_lead_of_two_studios_resubmits_linked_too(cast: Cast) -> None:
    await ready_to_apply(cast)
    await apply(cast.lead)
    await cast.world.deliver()
    await cast.reviewer.press_in("退回")
    await cast.reviewer.say("请补充成果应用证明")
    await cast.reviewer.press("提交")
    second = await cast.world.studio("王建国第二工作室", cast.enterprise_union)
    await cast.world.grant(cast.lead, RoleKind.LEAD, studio=second)
    lead = cast.lead
    await lead.say("申报")
    await lead.press("王建国技师创新工作室")
    for answer in ("二号车间创新室", "数控车床 3 台"):
        await lead.say(answer)
    assert "焊接夹具快换装置（上次已选）" in lead.buttons  # the picked studio's returned answers are offered
    await lead.press("焊接夹具")
    await lead.press("完成")
    assert any(b.startswith("沿用上次填写：坚持每月开展技术交流") for b in lead.buttons)
    await lead.say("补充：成果已在三条产线应用")
    await lead.say("跳过")
    await lead.press("提交")
    lead.expect("✅ 申报已提交（编号 #2）")
    returned, again = await _apps(cast)
    assert again.resubmits_id == returned.id
