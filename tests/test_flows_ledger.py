"""我的台账: the list with statuses, opening an entry, editing it as a new version, withdrawing it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.assessment.figures import compile_figures
from handlers.core.payloads import pack
from handlers.core.presses import ReviewAction, ReviewPress
from handlers.engine.pipeline import Bot
from storage.base import utcnow
from storage.exports.ledgers import LedgerFilter, ledger_query
from storage.models import Decision, EntryStatus, LedgerKind
from storage.repos import ledger_versions, ledgers, reviews
from tests.support import Transcript, World
from tests.support.clock import Clock
from tests.support.fixtures import audit_rows, bot_fixture, clock_fixture, entries, latest_fields, world_fixture  # noqa: F401
from tests.support.transcript import SECRET


async def quick_activity(chat: Transcript, title: str) -> None:
    for answer in ("记录活动", "今天", "学习", title, "跳过", "李明", "2", "学习内容", "跳过", "跳过", "提交"):
        await chat.say(answer)
    chat.expect("已提交")


async def edit_title(chat: Transcript, number: int, title: str) -> None:
    """From 我的台账: open the entry, change its title, submit the new version."""
    await chat.say("我的台账")
    await chat.press(f"#{number}")
    await chat.press("修改")
    await chat.press("修改")
    await chat.press("主题")
    await chat.say(title)
    await chat.press("提交")


async def review(sessions: async_sessionmaker[AsyncSession], world: World, entry_id: int, to: Decision, reason: str):
    """A reviewer's decision on version 1, as the review workflow records it."""
    assert world.reviewer is not None
    async with sessions() as session, session.begin():
        decided = await reviews.decide_entry(
            session=session,
            entry_id=entry_id,
            version=1,
            decision=to,
            reviewer_id=world.reviewer.id,
            channel="test",
            now=utcnow(),
            reason=reason or None,
        )
        assert decided is not None


async def test_the_list_shows_recent_entries_with_their_status(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    chat = Transcript(bot, "lead")
    await chat.say("我的台账")
    chat.expect("还没有台账记录")
    chat.expect_buttons("记录活动", "记录成果", "记录培训")
    for n in range(10):
        await quick_activity(chat, f"学习第{n}课")
    await review(sessions, world, 1, Decision.APPROVE, "")
    await chat.say("/ledger")
    chat.expect("#10", "学习第9课", "待复核", "#3")
    chat.expect_not("#2 ", "#1 ")
    await chat.press("更早")
    chat.expect("第 9–10 条台账", "#2", "#1", "已通过")
    chat.expect_not("最近的")
    await chat.press("较新")
    chat.expect("#10")
    member = Transcript(bot, "m3")  # members see their studio's ledger too
    await member.say("我的台账")
    member.expect("#10")


async def test_edit_makes_a_new_version_back_to_submitted(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    chat = Transcript(bot, "lead")
    await quick_activity(chat, "读图")
    await review(sessions, world, 1, Decision.RETURN, "请补充参加人员")
    await chat.say("我的台账")
    chat.expect("退回修改")
    await chat.press("#1")
    chat.expect("退回原因：请补充参加人员", "第 1 版")
    await chat.press("修改后重新提交")
    chat.expect("修改 #1", "请核对", "读图", "李明")
    await chat.press("修改")
    await chat.press("参加人员")
    await chat.press("王芳")
    await chat.press("完成")
    chat.expect("李明、王芳")
    await chat.press("提交")
    chat.expect("已重新提交 #1", "第 2 版")

    [entry] = await entries(sessions)
    assert (entry.version, entry.status) == (2, EntryStatus.SUBMITTED)
    assert (await latest_fields(sessions, 1))["participants"] == ["李明", "王芳"]
    async with sessions() as session:
        versions = await ledger_versions.versions_of(session=session, entry=entry)
    assert [v.participants for v in versions] == [["李明"], ["李明", "王芳"]]  # type: ignore[union-attr]
    trail = await audit_rows(sessions, 1)
    assert [(r.from_state, r.to_state, r.version) for r in trail][-1] == ("returned", "submitted", 2)


async def test_an_entry_and_its_new_version_are_stamped_with_the_bots_clock(
    bot: Bot, clock: Clock, world: World, sessions: async_sessionmaker[AsyncSession]
):
    chat = Transcript(bot, "lead")
    logged = clock.advance(days=3, hours=5, minutes=17)
    await quick_activity(chat, "读图")
    await review(sessions, world, 1, Decision.RETURN, "请补充参加人员")
    edited = clock.advance(days=2, minutes=9)
    await chat.say("我的台账")
    await chat.press("#1")
    await chat.press("修改后重新提交")
    await chat.press("提交")
    chat.expect("已重新提交 #1", "第 2 版")

    [entry] = await entries(sessions)
    assert (entry.created_at, entry.status_changed_at) == (logged, edited)
    async with sessions() as session:
        versions = await ledger_versions.versions_of(session=session, entry=entry)
    assert [v.created_at for v in versions] == [logged, edited]


async def test_withdraw_asks_first_and_happens_once(bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]):
    chat = Transcript(bot, "lead")
    await quick_activity(chat, "读图")
    await chat.say("我的台账")
    await chat.press("#1")
    await chat.press("撤回")
    chat.expect("确定撤回 #1")
    await chat.press("不撤回")
    chat.expect("待复核")
    await chat.press("撤回")
    confirm = chat.button("确认撤回")
    await chat.press_button(confirm)
    chat.expect("已撤回 #1")
    await chat.press_button(confirm)  # a double tap
    chat.expect("不能撤回")
    [entry] = await entries(sessions)
    assert entry.status is EntryStatus.WITHDRAWN
    assert [r.to_state for r in await audit_rows(sessions, 1)] == ["submitted", "withdrawn"]
    await chat.say("我的台账")
    await chat.press("#1")
    chat.expect("已撤回")
    chat.expect_not("修改")
    assert chat.buttons == ["返回列表"]


async def test_who_may_edit_or_withdraw(bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]):
    lead = Transcript(bot, "lead")
    await quick_activity(lead, "领衔人的记录")
    await lead.say("我的台账")
    await lead.press("#1")
    edit_button, withdraw_button = lead.button("修改"), lead.button("撤回")

    member = Transcript(bot, "m1")
    await member.say("我的台账")
    await member.press("#1")
    member.expect("领衔人的记录")
    assert "修改" not in " ".join(member.buttons)  # a member may not change the lead's entry
    await member.press_button(edit_button)
    member.expect("只有领衔人或填写人")
    await member.press_button(withdraw_button)
    member.expect("只有领衔人或填写人")

    reviewer = Transcript(bot, "rev")  # outside the studio: may not even open it
    await reviewer.press_button(edit_button)
    reviewer.expect("没有找到这条记录")

    await quick_activity(member, "成员的记录")
    await member.say("我的台账")
    await member.press("#2")
    member.expect_buttons("修改", "撤回")  # the author may
    [first, second] = await entries(sessions)
    assert first.status is second.status is EntryStatus.SUBMITTED


async def test_an_edit_that_lost_a_race_keeps_the_answers(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    chat = Transcript(bot, "lead")
    await quick_activity(chat, "读图")
    await chat.say("我的台账")
    await chat.press("#1")
    await chat.press("修改")
    await chat.press("修改")
    await chat.press("主题")
    await chat.say("读装配图")
    await review(sessions, world, 1, Decision.APPROVE, "")  # the reviewer approved version 1 meanwhile
    async with sessions() as session, session.begin():
        entry = await ledgers.get_entry(session=session, entry_id=1)
        assert entry is not None
        await ledgers.edit_entry(session=session, entry=entry, editor_id=world.lead.id, fields={"title": "别人改的"})
    await chat.press("提交")
    chat.expect("在您修改期间已有变化", "请核对", "读装配图")
    assert (await latest_fields(sessions, 1))["title"] == "别人改的"
    await chat.press("取消")


async def test_editing_while_another_flow_is_open_is_refused(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    await quick_activity(chat, "读图")
    await chat.say("我的台账")
    await chat.press("#1")
    edit = chat.button("修改")
    await chat.say("记录培训")
    await chat.press_button(edit)
    chat.expect("正在进行“记录培训”", "培训是哪天")


async def test_withdrawing_an_edit_of_an_approved_entry_keeps_the_approved_version(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    chat = Transcript(bot, "lead")
    await quick_activity(chat, "读图")
    await review(sessions, world, 1, Decision.APPROVE, "")
    await edit_title(chat, 1, "读装配图")
    chat.expect("已重新提交 #1", "第 2 版")

    await chat.say("我的台账")
    await chat.press("#1")
    chat.expect("待复核", "读装配图")
    await chat.press("撤回修改")
    chat.expect("撤回对 #1", "已通过的第1版继续有效")
    confirm = chat.button("确认撤回")
    await chat.press_button(confirm)
    chat.expect("恢复为已通过的第1版")
    await chat.press_button(confirm)  # a double tap changes nothing
    chat.expect("已通过", "不能撤回")
    reviewer = Transcript(bot, "rev")  # the reviewer's card for version 2 says what became of it
    await reviewer.send_payload(pack(SECRET, ReviewPress(ReviewAction.APPROVE, 1, 2)))
    reviewer.expect("这次修改（第2版）已被撤回，台账已恢复为已通过的第1版，无需复核。")

    [entry] = await entries(sessions)
    assert (entry.status, entry.version, entry.title) == (EntryStatus.APPROVED, 1, "读图")
    assert (await latest_fields(sessions, 1))["title"] == "读图"
    async with sessions() as session:
        versions = await ledger_versions.versions_of(session=session, entry=entry)
    assert [v.title for v in versions] == ["读图", "读装配图"]  # type: ignore[union-attr]  # the edit stays on record
    trail = await audit_rows(sessions, 1)
    assert [(r.from_state, r.to_state, r.version) for r in trail][-1] == ("submitted", "restored", 2)
    await chat.say("履历")
    chat.expect(
        "台账 #1「读图」（第2版） 已通过 → 已提交", "台账 #1「读图」（第2版） 已提交 → 撤回修改，恢复为已通过的版本"
    )
    await chat.say("我的台账")
    await chat.press("#1")
    chat.expect("已通过", "第 1 版", "读图")

    await chat.press("修改")  # a later edit takes a new number: version 2 stays the withdrawn one
    await chat.press("提交")
    chat.expect("已重新提交 #1", "第 3 版")
    [entry] = await entries(sessions)
    assert (entry.status, entry.version) == (EntryStatus.SUBMITTED, 3)


async def test_an_entry_opened_from_the_ledger_shows_its_files(bot: Bot, world: World, tmp_path: Path):
    chat = Transcript(bot, "lead")
    for answer in ("记录活动", "今天", "学习", "读图", "跳过", "李明", "2", "学习内容", "跳过"):
        await chat.say(answer)
    await chat.send_file(tmp_path, "board.jpg")
    await chat.press("完成")
    await chat.press("提交")
    chat.expect("已提交")
    await chat.say("我的台账")
    await chat.press("#1")
    chat.expect("照片/文件：1 个文件")
    chat.expect_not("照片/文件：（未填）", "附件")


async def test_an_approved_entry_still_counts_while_an_edit_of_it_waits(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    chat = Transcript(bot, "lead")
    assert world.reviewer is not None
    reviewer_id = world.reviewer.id

    async def decide(entry_id: int, decision: Decision) -> None:
        async with sessions() as session, session.begin():
            await reviews.decide_entry(
                session=session,
                entry_id=entry_id,
                version=2,
                decision=decision,
                reviewer_id=reviewer_id,
                channel="test",
                now=utcnow(),
                reason="改错了" if decision is not Decision.APPROVE else None,
            )

    async def evidence() -> tuple[int, list[tuple[object, ...]]]:
        async with sessions() as session:
            figures = await compile_figures(
                session=session, studio_id=world.studio.id, starts_on=date(2000, 1, 1), ends_on=date(2100, 1, 1)
            )
            query = ledger_query(world.studio.id, LedgerKind.ACTIVITY, LedgerFilter())
            rows = [(r["id"], r["title"], r["version"]) for r in (await session.execute(query)).mappings()]
        return figures.activity_count, sorted(rows)

    await quick_activity(chat, "读图")
    await quick_activity(chat, "练兵")
    await review(sessions, world, 1, Decision.APPROVE, "")
    await review(sessions, world, 2, Decision.APPROVE, "")
    for number, title in ((1, "读装配图"), (2, "技术练兵")):
        await edit_title(chat, number, title)
        chat.expect("第 2 版")
    # the approved versions 1 are the evidence while the edits wait
    assert await evidence() == (2, [(1, "读图", 1), (2, "练兵", 1)])
    await decide(1, Decision.APPROVE)
    await decide(2, Decision.REJECT)
    # the approved edit replaces its version 1 (counted once); a rejected edit leaves version 1 standing
    assert await evidence() == (2, [(1, "读装配图", 2), (2, "练兵", 1)])
    await chat.say("我的台账")
    await chat.press("#2")
    chat.expect("已通过（修改已驳回） · 第 2 版", "已通过的第1版仍然有效")
    chat.expect_buttons("修改", "撤回修改")  # a rejected edit is not the end of an approved entry
    await chat.press("撤回修改")
    await chat.press("确认撤回")
    chat.expect("恢复为已通过的第1版")
    await chat.say("我的台账")
    await chat.press("#2")
    chat.expect("已通过 · 第 1 版", "练兵")
    await edit_title(chat, 2, "技术练兵比武")  # and it can be edited again, as version 3
    chat.expect("第 3 版")
