"""Entry review as multi-party transcripts: the lead submits, the reviewer presses, the lead is told."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core import payloads
from handlers.core.presses import ReviewAction, ReviewPress
from handlers.core.types import Reply
from storage.models import AuditLog, EntryStatus, LedgerEntry, ReviewDecision, RoleKind, Studio
from tests.reviews_support import Cast, World, at, make_cast, stranger_stands_in_for_march
from tests.support import Transcript

START = at("2026-03-10 10:00")


@pytest.fixture
async def cast(sessions: async_sessionmaker[AsyncSession]) -> Cast:
    return await make_cast(World(sessions, START))


async def _one(sessions: async_sessionmaker[AsyncSession], query: Any) -> Any:
    async with sessions() as s:
        return await s.scalar(query)


async def _entry(sessions: async_sessionmaker[AsyncSession]) -> LedgerEntry:
    found = await _one(sessions, select(LedgerEntry).order_by(LedgerEntry.id.desc()).limit(1))
    assert found is not None
    return found


async def _submitted(cast: Cast) -> Reply:
    """The lead logs an activity; the card the district reviewer receives."""
    await cast.lead.log_activity()
    cast.lead.expect("已提交")
    await cast.world.deliver()
    card = cast.reviewer.inbox[-1]
    return card


async def test_the_reviewer_gets_the_summary_with_three_buttons_and_approves(
    cast: Cast, sessions: async_sessionmaker[AsyncSession]
) -> None:
    card = await _submitted(cast)
    assert "新台账待复核" in card.text
    assert "【活动】王建国技师创新工作室「数控车床刀具寿命攻关讨论」（第1版）" in card.text
    assert "提交人：王建国" in card.text and "时长（小时）：2" in card.text
    assert [b.label for b in card.all_buttons()] == ["✅ 通过", "↩️ 退回", "❌ 驳回"]
    assert all(len(b.payload.encode()) <= 64 for b in card.all_buttons())
    # every reviewer of the district union gets it; the other district, the association and the admin do not
    assert cast.reviewer2.inbox and not cast.outsider.inbox and not cast.association.inbox and not cast.admin.inbox

    replies = await cast.reviewer.press_in("通过", card)
    assert replies[0].outcome_of_press
    cast.reviewer.expect("✅ 已通过：【活动】王建国技师创新工作室「数控车床刀具寿命攻关讨论」（第1版）")
    await cast.world.deliver()
    told = cast.lead.inbox[-1].text
    assert "您的台账已通过复核" in told and "复核人：李四" in told

    entry = await _entry(sessions)
    assert entry.status is EntryStatus.APPROVED
    decision = await _one(sessions, select(ReviewDecision).where(ReviewDecision.entry_id == entry.id))
    assert (decision.decision.value, decision.entry_version, decision.channel) == ("approve", 1, "test")
    row = await _one(sessions, select(AuditLog).where(AuditLog.to_state == "approved"))
    assert (row.object_type, row.object_id, row.version, row.from_state) == ("entry", entry.id, 1, "submitted")
    assert row.actor_id == cast.reviewer.person.id and row.studio_id == cast.studio.id


async def test_a_double_tap_and_a_second_reviewer_are_told_who_decided_and_when(
    cast: Cast, sessions: async_sessionmaker[AsyncSession]
) -> None:
    card = await _submitted(cast)
    await cast.reviewer.press_in("通过", card)
    cast.world.advance(minutes=5)
    await cast.reviewer.press_in("通过", card)
    cast.reviewer.expect("您已于 3月10日 10:00 通过。")  # the decider is told in the second person
    await cast.reviewer2.press_in("驳回")
    cast.reviewer2.expect("已由 李四 于 3月10日 10:00 通过。")
    assert cast.reviewer2.replies[0].outcome_of_press
    n = await _one(sessions, select(func.count(ReviewDecision.id)))
    audits = await _one(sessions, select(func.count(AuditLog.id)).where(AuditLog.object_type == "entry"))
    assert (n, audits) == (1, 2)  # submitted + approved


async def test_return_asks_a_reason_the_lead_reads_it_fixes_and_resubmits_a_new_version(
    cast: Cast, sessions: async_sessionmaker[AsyncSession]
) -> None:
    card = await _submitted(cast)
    await cast.reviewer.press_in("退回", card)
    cast.reviewer.expect("退回：【活动】", "请写明原因")
    await cast.reviewer.say("好")
    cast.reviewer.expect("原因太短了")
    await cast.reviewer.say("缺少活动现场照片，请补充")
    cast.reviewer.expect("请核对填写原因", "缺少活动现场照片")
    await cast.reviewer.press("提交")
    cast.reviewer.expect("↩️ 已退回")
    assert (await _entry(sessions)).status is EntryStatus.RETURNED

    await cast.world.deliver()
    told = cast.lead.inbox[-1]
    assert "被退回修改" in told.text and "原因：缺少活动现场照片，请补充" in told.text and "复核人：李四" in told.text
    await cast.lead.press_button(told.all_buttons()[0])  # 我的台账
    await cast.lead.press("#1")
    cast.lead.expect("退回原因：缺少活动现场照片，请补充")
    await cast.lead.press("修改后重新提交")
    await cast.lead.press("提交")
    entry = await _entry(sessions)
    assert (entry.version, entry.status) == (2, EntryStatus.SUBMITTED)

    await cast.world.deliver()
    second = cast.reviewer.inbox[-1]
    assert "（第2版）" in second.text
    await cast.reviewer.press_in("通过", card)  # the old card: version 1 was decided already
    cast.reviewer.expect("您已于 3月10日 10:00 退回。", "原因：缺少活动现场照片，请补充")
    await cast.reviewer.press_in("通过", second)
    cast.reviewer.expect("✅ 已通过", "（第2版）")
    decisions = await _one(sessions, select(func.count(ReviewDecision.id)))
    assert decisions == 2 and (await _entry(sessions)).status is EntryStatus.APPROVED


async def test_reject_with_a_reason(cast: Cast, sessions: async_sessionmaker[AsyncSession]) -> None:
    card = await _submitted(cast)
    await cast.reviewer.press_in("驳回", card)
    await cast.reviewer.say("与工作室创新活动无关")
    await cast.reviewer.press("提交")
    cast.reviewer.expect("❌ 已驳回")
    await cast.world.deliver()
    assert "❌ 您的台账已驳回：" in cast.lead.inbox[-1].text and "与工作室创新活动无关" in cast.lead.inbox[-1].text
    row = await _one(sessions, select(AuditLog).where(AuditLog.to_state == "rejected"))
    assert row.reason == "与工作室创新活动无关"


async def test_presses_by_people_without_the_role_change_nothing(
    cast: Cast, sessions: async_sessionmaker[AsyncSession]
) -> None:
    card = await _submitted(cast)
    approve = card.all_buttons()[0]
    for party in (cast.outsider, cast.lead, cast.members[0], cast.association, cast.admin, cast.experts[0]):
        await party.press_button(approve)
        party.expect("您不是这个工作室所属工会的审核人，不能复核这条台账。", "复核由工作室所属区县局（产业）工会")
    await cast.stranger.press_button(approve)
    cast.stranger.expect("您不是这个工作室所属工会的审核人")
    assert (await _entry(sessions)).status is EntryStatus.SUBMITTED
    assert await _one(sessions, select(func.count(ReviewDecision.id))) == 0


async def test_forged_and_unbound_presses_change_nothing(
    cast: Cast, sessions: async_sessionmaker[AsyncSession]
) -> None:
    card = await _submitted(cast)
    entry = await _entry(sessions)
    forged = payloads.pack(b"not-our-secret", ReviewPress(ReviewAction.APPROVE, entry.id, 1))
    await cast.reviewer.send_payload(forged)
    cast.reviewer.expect("这个按钮无效或已过期")
    tampered = card.all_buttons()[0].payload.replace(f":{entry.id}:", f":{entry.id + 1}:")
    await cast.reviewer.send_payload(tampered)
    cast.reviewer.expect("这个按钮无效或已过期")
    nobody = Transcript(cast.world.bot, "somebody-unknown")
    await nobody.press_button(card.all_buttons()[0])
    nobody.expect("还没有绑定身份")
    assert (await _entry(sessions)).status is EntryStatus.SUBMITTED


async def test_a_withdrawn_entry_cannot_be_decided(cast: Cast, sessions: async_sessionmaker[AsyncSession]) -> None:
    card = await _submitted(cast)
    await cast.lead.say("我的台账")
    await cast.lead.press("#1")
    await cast.lead.press("撤回")
    await cast.lead.press("确认撤回")
    await cast.reviewer.press_in("通过", card)
    cast.reviewer.expect("这条台账已被提交人撤回，无需复核。")
    await cast.reviewer.press_in("退回", card)
    cast.reviewer.expect("已被提交人撤回")
    assert (await _entry(sessions)).status is EntryStatus.WITHDRAWN


async def test_a_delegate_receives_and_decides_in_the_reviewers_name(
    cast: Cast, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await stranger_stands_in_for_march(sessions, cast)
    await cast.lead.log_activity()
    await cast.world.deliver()
    card_to_delegate = cast.stranger.inbox[-1]
    assert "您作为 李四 的代理人收到此复核" in card_to_delegate.text
    await cast.stranger.press_in("通过", card_to_delegate)
    cast.stranger.expect("✅ 已通过")
    decision = await _one(sessions, select(ReviewDecision))
    assert (decision.reviewer_id, decision.on_behalf_of_id) == (cast.stranger.person.id, cast.reviewer.person.id)
    await cast.reviewer2.press_in("通过")
    cast.reviewer2.expect("已由 路人甲（代 李四） 于 3月10日 10:00 通过。")
    # after the delegation ends, the same person is a stranger again
    cast.world.advance(days=30)
    await cast.lead.log_activity("四月活动")
    await cast.world.deliver()
    assert "四月活动" not in cast.stranger.pushed()
    await cast.stranger.press_in("通过", cast.reviewer.inbox[-1])
    cast.stranger.expect("您不是这个工作室所属工会的审核人")


async def test_pending_lists_oldest_first_with_buttons_and_approves_a_selection(
    cast: Cast, sessions: async_sessionmaker[AsyncSession]
) -> None:
    for n, title in enumerate(("第一次活动", "第二次活动", "第三次活动")):
        cast.world.advance(hours=n)
        await cast.lead.log_activity(title)
    await cast.reviewer.say("待审")
    text = cast.reviewer.text
    assert "待您处理（共 3 项，最早的在前）" in text
    assert text.index("第一次活动") < text.index("第二次活动") < text.index("第三次活动")
    cast.reviewer.expect_buttons("1. 第一次活动", "2. 第二次活动", "3. 第三次活动", "批量通过")

    await cast.reviewer.press("1. 第一次活动")
    cast.reviewer.expect("第一次活动")
    cast.reviewer.expect_buttons("通过", "退回", "驳回")

    await cast.reviewer.say("待审")
    await cast.reviewer.press("批量通过")
    cast.reviewer.expect("请选择要通过的台账")
    await cast.reviewer.press("第一次活动")
    await cast.reviewer.press("第三次活动")
    await cast.reviewer2.say("待审")
    await cast.reviewer2.press("3. 第三次活动")
    await cast.reviewer2.press("通过")  # somebody else decides one of the selection meanwhile
    await cast.reviewer.press("完成")
    cast.reviewer.expect("第一次活动", "第三次活动")
    await cast.reviewer.press("提交")
    cast.reviewer.expect("✅ 已通过 1 条台账。", "#3「第三次活动」未处理：已由 钱七 于")
    async with sessions() as s:
        statuses = list(await s.scalars(select(LedgerEntry.status).order_by(LedgerEntry.id)))
    assert statuses == [EntryStatus.APPROVED, EntryStatus.SUBMITTED, EntryStatus.APPROVED]
    await cast.reviewer.say("待审")
    cast.reviewer.expect("共 1 项", "第二次活动")
    cast.reviewer.expect_not("批量通过")


async def test_pending_refuses_leads_and_says_when_nothing_waits(cast: Cast) -> None:
    await cast.lead.say("待审")
    cast.lead.expect("待审列表只对区县局（产业）工会审核人、市职工技协审核人和评审专家开放")
    await cast.reviewer.say("/pending")
    cast.reviewer.expect("目前没有等待您处理的事项")
    await cast.outsider.say("待审")
    await cast.lead.log_activity()
    await cast.outsider.say("待审")
    cast.outsider.expect("目前没有等待您处理的事项")


async def test_a_reviewer_in_another_conversation_is_asked_to_finish_it_first(cast: Cast) -> None:
    card = await _submitted(cast)
    await cast.reviewer.press_in("退回", card)
    await cast.reviewer.press_in("驳回", card)
    cast.reviewer.expect("您正在进行“填写原因”")
    await cast.reviewer.say("取消")
    await cast.reviewer.press_in("驳回", card)
    cast.reviewer.expect("驳回：【活动】")


async def test_the_reason_of_a_late_return_is_shown_back_not_lost(
    cast: Cast, sessions: async_sessionmaker[AsyncSession]
) -> None:
    card = await _submitted(cast)
    await cast.reviewer.press_in("退回", card)
    await cast.reviewer.say("数据需要核对")
    await cast.reviewer2.press_in("通过", cast.reviewer2.inbox[-1])
    await cast.reviewer.press("提交")
    cast.reviewer.expect("已由 钱七 于 3月10日 10:00 通过。", "您填写的原因未使用", "数据需要核对")
    assert (await _entry(sessions)).status is EntryStatus.APPROVED


async def test_an_english_reviewer_reads_the_card_in_english(sessions: async_sessionmaker[AsyncSession]) -> None:
    world = World(sessions, START)
    cast = await make_cast(world)
    english = await world.person("Alice", locale="en")
    await world.grant(english, RoleKind.REVIEWER, union=cast.district)
    await cast.lead.log_activity()
    await world.deliver()
    card = english.inbox[-1]
    assert "A new ledger entry waits for your review" in card.text
    assert "Kind: Technical exchange" in card.text  # the stored code 技术交流, in the reviewer's language
    assert [b.label for b in card.all_buttons()] == ["✅ Approve", "↩️ Return", "❌ Reject"]
    await english.press_in("Approve", card)
    english.expect("✅ Approved:")
    await cast.reviewer.press_in("通过")
    cast.reviewer.expect("已由 Alice 于 3月10日 10:00 通过。")
    await english.press_in("Approve", card)
    english.expect("You already approved it at 10 Mar 10:00.")


async def test_an_own_entry_is_left_to_another_reviewer(sessions: async_sessionmaker[AsyncSession]) -> None:
    world = World(sessions, START)
    cast = await make_cast(world)
    await world.grant(cast.reviewer, RoleKind.MEMBER, studio=cast.studio)
    await cast.reviewer.log_activity()
    await world.deliver()
    assert not [r for r in cast.reviewer.inbox if "新台账待复核" in r.text]
    await cast.reviewer.press_in("通过", cast.reviewer2.inbox[-1])
    cast.reviewer.expect("这条台账是您本人提交的，需由其他审核人复核。")
    await cast.members[0].log_activity()  # a colleague's entry: the reviewer is of the studio all the same
    await world.deliver()
    assert len([r for r in cast.reviewer.inbox if "新台账待复核" in r.text]) == 0
    await cast.reviewer.press_in("通过", cast.reviewer2.inbox[-1])
    cast.reviewer.expect("您是这个工作室的成员，本工作室的台账需由其他审核人复核。")
    await cast.reviewer.say("待审")
    cast.reviewer.expect_not("【活动】")


async def test_a_stand_in_from_the_studio_is_told_why_on_a_press(sessions: async_sessionmaker[AsyncSession]) -> None:
    # the one rule (matching.kept_off_own_studio) tells a stand-in what it tells a reviewer; it used to
    # look at the speaker's own reviewer roles only, and gave the stand-in "not a reviewer of this union"
    cast = await make_cast(World(sessions, START))
    await cast.world.grant(cast.stranger, RoleKind.MEMBER, studio=cast.studio)
    await stranger_stands_in_for_march(sessions, cast)
    await cast.members[0].log_activity()
    await cast.world.deliver()
    assert not [r for r in cast.stranger.inbox if "新台账待复核" in r.text]
    await cast.stranger.press_in("通过", cast.reviewer.inbox[-1])
    cast.stranger.expect("您是这个工作室的成员，本工作室的台账需由其他审核人复核。")
    await cast.stranger.log_activity("代审人的活动")
    await cast.world.deliver()
    await cast.stranger.press_in("通过", cast.reviewer.inbox[-1])
    cast.stranger.expect("这条台账是您本人提交的，需由其他审核人复核。")
    assert (await _entry(sessions)).status is EntryStatus.SUBMITTED


async def test_a_deactivated_studio_leaves_the_reviewers_pending_list(
    cast: Cast, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _submitted(cast)
    await cast.reviewer.say("待审")
    cast.reviewer.expect("王建国技师创新工作室")
    async with sessions() as session, session.begin():
        studio = await session.get(Studio, cast.studio.id)
        assert studio is not None
        studio.active = False  # what `studio-bot studio deactivate` does
    await cast.reviewer.say("待审")
    cast.reviewer.expect("目前没有等待您处理的事项")
