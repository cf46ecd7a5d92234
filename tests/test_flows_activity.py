"""记录活动 end to end, as transcripts: answers, validation errors, back, skip, cancel, edit, files, members."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from handlers.engine.pipeline import Bot
from storage.models import EntryStatus, LedgerKind, Role
from storage.repos import attachments
from tests.support import Clock, Transcript, World, add_studio, verify_dialog
from tests.support.fixtures import audit_rows, bot_fixture, clock_fixture, entries, latest_fields, world_fixture  # noqa: F401
from tests.support.sql import statements


async def log_activity(chat: Transcript, title: str = "数控编程交流") -> None:
    """The happy path up to the summary."""
    await verify_dialog(
        chat,
        [
            ("记录活动", "活动是哪天"),
            ("[今天]", "活动类别"),
            ("[技术交流]", "活动主题"),
            (title, "活动地点"),
            ("[工作室]", "参加人员"),
            ("[李明]", "参加人员"),
            ("[王芳]", "参加人员"),
            ("[完成]", "多少小时"),
            ("2.5小时", "活动内容"),
            ("交流宏程序的写法", "成效"),
            ("两人学会了宏程序", "照片"),
            ("[完成]", "请核对"),
        ],
    )


async def test_an_activity_is_logged_end_to_end(bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]):
    chat = Transcript(bot, "lead")
    await log_activity(chat)
    chat.expect("2026-03-10", "技术交流", "数控编程交流", "李明、王芳", "2.5 小时", "两人学会了宏程序")
    chat.expect_buttons("提交", "修改", "取消")
    assert await entries(sessions) == []  # nothing written before submitting

    await chat.press("提交")
    chat.expect("已提交", "#1", "数控编程交流")
    [entry] = await entries(sessions)
    assert (entry.kind, entry.status, entry.version, entry.studio_id) == (
        LedgerKind.ACTIVITY,
        EntryStatus.SUBMITTED,
        1,
        world.studio.id,
    )
    fields = await latest_fields(sessions, entry.id)
    assert fields["occurred_on"] == date(2026, 3, 10)
    assert fields["hours"] == Decimal("2.5")
    assert fields["participants"] == ["李明", "王芳"]
    assert fields["place"] == "工作室"
    [audit] = await audit_rows(sessions, entry.id)
    assert (audit.to_state, audit.actor_id, audit.channel) == ("submitted", world.lead.id, "test")

    await chat.say("记录活动")  # the conversation is over: a new one starts
    chat.expect("活动是哪天")


async def test_dates_as_people_write_them(bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]):
    chat = Transcript(bot, "lead")
    for typed, stored in [
        ("2026-03-05", "2026-03-05"),
        ("2026/3/5", "2026-03-05"),
        ("3月5日", "2026-03-05"),
        ("2026年3月5日", "2026-03-05"),
        ("昨天", "2026-03-09"),
        ("前天", "2026-03-08"),
    ]:
        await chat.say("记录活动")
        await chat.say(typed)
        chat.expect("活动类别")
        for answer in ("学习", "读图", "跳过", "李明", "1", "读装配图", "跳过", "跳过"):
            await chat.say(answer)
        chat.expect(f"日期：{stored}")
        await chat.say("取消")
        chat.expect("已取消")
    await chat.say("记录活动")
    await chat.say("今天")
    await chat.say("学习")
    await chat.say("返回")
    await chat.say("返回")
    chat.expect("活动是哪天")


async def test_each_validation_error_keeps_the_question(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    await chat.say("记录活动")
    await chat.say("下周三")
    chat.expect("2026-03-18 还没到", "活动是哪天")
    await chat.say("前年春天")
    chat.expect("没看懂这个日期", "活动是哪天")
    await chat.say("2026-02-30")
    chat.expect("2月没有30日", "活动是哪天")
    await chat.say("2026-12-01")
    chat.expect("还没到")
    await chat.say("1999-01-01")
    chat.expect("太早")
    await chat.say("2026-03-01")
    await chat.say("打球")
    chat.expect("请从选项中选择")
    await chat.press("学习")
    await chat.say("题" * 101)
    chat.expect("有 101 字", "最多 100 字", "活动主题", "只保留前 100 字")
    await chat.say("学习新标准")
    await chat.say("跳过")
    await chat.say("完成")  # no names: then how many
    chat.expect("参加人数是多少")
    await chat.say("返回")
    chat.expect("参加人员有谁")
    await chat.say("赵强、外单位老王")  # typed names: members and others
    chat.expect("多少小时")
    for bad in ("很久", "0", "-1"):
        await chat.say(bad)
        chat.expect("请填写小时数", "最多 24 小时")
    for implausible in ("25", "1000", "5000"):  # one activity happens within a day
        await chat.say(implausible)
        chat.expect(f"{implausible} 小时太多了：一次最多 24 小时", "多少小时")
    await chat.say("3")
    await chat.say("   ")
    chat.expect("活动内容")
    await chat.say("学习 GB/T 标准")
    await chat.say("跳过")
    await chat.say("跳过")
    chat.expect("请核对", "赵强、外单位老王", "3 小时", "地点：（未填）")


async def test_back_skip_cancel_and_help(bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]):
    chat = Transcript(bot, "lead")
    await chat.say("/activity")
    await chat.say("返回")
    chat.expect("已经是第一步")
    await chat.press("昨天")
    await chat.say("跳过")
    chat.expect("必须填写", "活动类别")
    await chat.say("帮助")
    chat.expect("回答上面的问题即可", "活动类别")
    await chat.press("攻关")
    await chat.press("返回")
    chat.expect("活动类别")
    await chat.press("五小")
    await chat.say("小改小革交流")
    await chat.press("跳过")
    chat.expect("参加人员")
    await chat.say("/cancel")
    chat.expect("已取消记录活动")
    assert await entries(sessions) == []
    await chat.say("取消")
    chat.expect("没有进行中的操作")


async def test_edit_one_field_from_the_summary(bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]):
    chat = Transcript(bot, "lead")
    await log_activity(chat)
    await chat.press("修改")
    chat.expect("要修改哪一项")
    await chat.press("主题")
    chat.expect("当前内容：数控编程交流", "活动主题")
    await chat.say("五轴编程交流")
    chat.expect("请核对", "五轴编程交流")
    chat.expect_not("数控编程交流")
    await chat.press("修改")
    await chat.press("参加人员")
    await chat.press("赵强")
    await chat.press("完成")
    chat.expect("李明、王芳、赵强")
    await chat.press("修改")
    await chat.press("返回核对")
    chat.expect("请核对")
    await chat.say("随便说点什么")
    chat.expect("请选择：提交、修改或取消")
    await chat.say("提交")
    [entry] = await entries(sessions)
    assert entry.title == "五轴编程交流"


async def test_a_summary_cancel_writes_nothing(bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]):
    chat = Transcript(bot, "lead")
    await log_activity(chat)
    await chat.press("取消")
    chat.expect("已取消", "没有保存")
    assert await entries(sessions) == []


async def test_photos_are_attached_to_the_entry(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
):
    chat = Transcript(bot, "lead")
    await chat.send_file(tmp_path, "early.jpg")
    chat.expect("没有进行中的记录")
    await chat.say("记录活动")
    await chat.say("今天")
    await chat.send_file(tmp_path, "board.jpg")  # sent before its step: kept for later
    chat.expect("已收到文件", "活动类别")
    for answer in ("学习", "读图", "跳过"):
        await chat.say(answer)
    await chat.press("李明")
    await chat.press("完成")
    for answer in ("1", "读装配图", "跳过"):
        await chat.say(answer)
    chat.expect("照片")
    await chat.send_file(tmp_path, "notes.pdf", b"%PDF-1.4")
    chat.expect("共 2 个文件")
    await chat.say("跳过")  # skipping keeps what was sent
    chat.expect("照片/文件：2 个文件")
    await chat.press("提交")
    [entry] = await entries(sessions)
    async with sessions() as session:
        files = await attachments.attachments_of(session=session, entry_id=entry.id)
    assert sorted(f.filename for f in files) == ["board.jpg", "notes.pdf"]
    assert all(f.entry_version == 1 for f in files)


async def test_a_member_logs_for_the_studio(bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]):
    chat = Transcript(bot, "m2")
    await log_activity(chat, title="王芳的交流")
    await chat.press("提交")
    [entry] = await entries(sessions)
    assert (entry.studio_id, entry.author_id) == (world.studio.id, world.members[1].id)


async def test_a_person_in_two_studios_is_asked_which(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    second = await add_studio(sessions, world, "李明焊接工作室", lead=world.members[0])
    chat = Transcript(bot, "m1")
    await chat.say("记录活动")
    chat.expect("属于哪个工作室")
    chat.expect_buttons("张工数控创新工作室", "李明焊接工作室")
    await chat.press("李明焊接工作室")
    chat.expect("活动是哪天")
    for answer in ("今天", "学习", "焊接工艺", "跳过"):
        await chat.say(answer)
    await chat.press("李明")  # the members offered are those of the chosen studio
    chat.expect_not("王芳")
    await chat.press("完成")
    for answer in ("2", "学习新工艺", "跳过", "跳过"):
        await chat.say(answer)
    chat.expect("工作室：李明焊接工作室")
    await chat.press("提交")
    [entry] = await entries(sessions)
    assert entry.studio_id == second.id


async def test_someone_without_a_studio_is_told_so(bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]):
    chat = Transcript(bot, "rev")
    await chat.say("记录活动")
    chat.expect("不属于任何工作室")
    await chat.say("今天")
    chat.expect("没听懂")


async def test_english_speakers_get_english(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    await chat.say("/lang en")
    chat.expect("English")
    await chat.say("/activity")
    chat.expect("When was the activity")
    await chat.press("Yesterday")
    chat.expect("What kind")
    await chat.say("cancel")
    chat.expect("Cancelled the activity record")
    await chat.say("语言 中文")
    chat.expect("中文")


async def test_a_place_pressed_in_english_is_stored_as_everyone_reads_it(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    chat = Transcript(bot, "lead")
    await chat.say("/lang en")
    for answer in ("/activity", "today", "学习", "Reading drawings"):
        await chat.say(answer)
    await chat.press("The studio")
    chat.expect("Who took part")
    for answer in ("李明", "1", "读装配图", "skip", "skip"):
        await chat.say(answer)
    chat.expect("Place: The studio")  # shown in English to the one who pressed it
    await chat.press("Submit")
    [entry] = await entries(sessions)
    assert (await latest_fields(sessions, entry.id))["place"] == "工作室"  # stored once, for Chinese readers too


async def answer_rest(chat: Transcript) -> None:
    """From the kind step to the summary, with 李明 as the one participant."""
    for answer in ("学习", "读图", "跳过", "李明", "1", "读装配图", "跳过", "跳过"):
        await chat.say(answer)
    chat.expect("请核对")


async def test_a_month_and_day_in_early_january_is_last_year(
    bot: Bot, world: World, clock: Clock, sessions: async_sessionmaker[AsyncSession]
):
    clock.now = datetime(2027, 1, 5, 2, 0, tzinfo=UTC)  # 10:00 on 5 January in Shanghai
    chat = Transcript(bot, "lead")
    for typed, stored in [("12月30日", "2026-12-30"), ("12/30", "2026-12-30"), ("1月3日", "2027-01-03")]:
        await chat.say("记录活动")
        await chat.say(typed)
        chat.expect("活动类别")
        await answer_rest(chat)
        chat.expect(f"日期：{stored}")
        await chat.say("取消")
    await chat.say("记录活动")
    await chat.say("2027-12-30")  # a year written out is taken as written
    chat.expect("还没到", "活动是哪天")
    await chat.say("1月6日")  # tomorrow, or a year ago? asked, not guessed
    chat.expect("是哪一年", "2027-01-06 还没到", "2026-01-06", "活动是哪天")
    await chat.say("去年1月6日")
    chat.expect("活动类别")
    await answer_rest(chat)
    chat.expect("日期：2026-01-06")
    await chat.press("提交")
    [entry] = await entries(sessions)
    assert (await latest_fields(sessions, entry.id))["occurred_on"] == date(2026, 1, 6)


async def test_a_number_or_head_count_is_not_taken_for_a_name(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    chat = Transcript(bot, "lead")
    for answer in ("记录活动", "今天", "学习", "读图", "跳过"):
        await chat.say(answer)
    chat.expect("参加人员")
    for typed in ("2.5", "李明、2.5", "12人、李明"):  # a head count goes last (李明等12人): else it is no name
        await chat.say(typed)
        chat.expect("不是姓名", "输入人员的姓名", "参加人员")
        chat.expect_not("多少小时")
    await chat.say("2")  # the number of a member's button still picks that member
    chat.expect("多少小时")
    for answer in ("1", "读装配图", "跳过", "跳过"):
        await chat.say(answer)
    chat.expect("参加人员：李明", "人数：1")
    await chat.press("提交")
    [entry] = await entries(sessions)
    assert (await latest_fields(sessions, entry.id))["participants"] == ["李明"]


async def test_editing_the_participants_replaces_the_names_typed_before(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    chat = Transcript(bot, "lead")
    for answer in ("记录活动", "今天", "学习", "读图", "跳过", "李明、外单位老王"):
        await chat.say(answer)
    for answer in ("1", "读装配图", "跳过", "跳过"):
        await chat.say(answer)
    chat.expect("参加人员：李明、外单位老王")
    await chat.press("修改")
    await chat.press("参加人员")
    chat.expect("当前内容：李明、外单位老王", "替换之前输入的其他人员")
    await chat.say("外单位老张")  # the mistyped name goes; the ticked member stays
    chat.expect("请核对", "参加人员：李明、外单位老张")
    chat.expect_not("老王")
    await chat.press("修改")
    await chat.press("参加人员")
    await chat.press("李明")  # a member is unticked with the button
    await chat.press("王芳")
    await chat.press("完成")
    chat.expect("参加人员：外单位老张、王芳")
    await chat.press("提交")
    [entry] = await entries(sessions)
    assert (await latest_fields(sessions, entry.id))["participants"] == ["外单位老张", "王芳"]


async def test_hours_that_round_to_zero_are_refused(bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]):
    chat = Transcript(bot, "lead")
    for answer in ("记录活动", "今天", "学习", "读图", "跳过", "李明"):
        await chat.say(answer)
    for bad in ("0.04", "0.05", "0.049小时"):
        await chat.say(bad)
        chat.expect("请填写小时数", "最多 24 小时", "多少小时")
    await chat.say("0.06")
    for answer in ("读装配图", "跳过", "跳过"):
        await chat.say(answer)
    chat.expect("时长（小时）：0.1 小时")
    await chat.press("提交")
    [entry] = await entries(sessions)
    assert (await latest_fields(sessions, entry.id))["hours"] == Decimal("0.1")


async def test_the_first_field_edited_from_the_summary_offers_back(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    await log_activity(chat)
    await chat.press("修改")
    await chat.press("日期")
    chat.expect("当前内容：2026-03-10", "活动是哪天")
    chat.expect_buttons("返回", "取消")
    await chat.press("返回")
    chat.expect("请核对", "日期：2026-03-10", "数控编程交流")
    await chat.say("记录活动")  # a new activity's first question still has no 返回
    chat.expect("正在进行")
    await chat.press("取消")
    await chat.say("记录活动")
    assert "返回" not in chat.buttons


async def test_submitting_reads_the_studio_once(bot: Bot, world: World, engine: AsyncEngine):
    chat = Transcript(bot, "lead")
    await log_activity(chat)
    with statements(engine) as sent:
        await chat.press("提交")
    chat.expect("已提交")
    # the lead's notice and the reviewers' card both name the studio: one read serves the turn
    assert len([sql for sql in sent if sql.lstrip().startswith("SELECT studios.id")]) == 1


async def test_the_studios_people_are_read_once_a_conversation(bot: Bot, world: World, engine: AsyncEngine):
    chat = Transcript(bot, "lead")
    with statements(engine) as sent:
        await log_activity(chat)  # the participants question, two names ticked, 完成, then the summary
    chat.expect("李明、王芳")
    # the names read for the question serve the ticks and the summary: the conversation carries them
    assert len([sql for sql in sent if sql.lstrip().startswith("SELECT people.name")]) == 1


async def test_a_ticked_name_is_the_name_its_button_showed_though_someone_left_meanwhile(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    chat = Transcript(bot, "lead")
    for step in ("记录活动", "[今天]", "[技术交流]", "数控编程交流", "[工作室]"):
        await (chat.press(step[1:-1]) if step.startswith("[") else chat.say(step))
    chat.expect_buttons("张工", "李明", "王芳", "赵强", "完成")
    async with sessions() as session, session.begin():  # 王芳 leaves the studio while the question is open
        await session.execute(update(Role).where(Role.person_id == world.members[1].id).values(active=False))
    await chat.press("赵强")
    chat.expect_buttons("✓ 赵强")
    await chat.press("完成")
    await chat.say("2")
    for answer in ("交流宏程序的写法", "跳过", "跳过"):
        await chat.say(answer)
    chat.expect("请核对", "参加人员：赵强")
