"""Answers as people in a Shanghai workshop type them (issue 19): casual dates, hours, numerals, yes/no, 提交吧."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.engine.pipeline import Bot
from tests.support import Clock, Transcript, World
from tests.support.fixtures import bot_fixture, clock_fixture, entries, latest_fields, world_fixture  # noqa: F401

REST = ("学习", "读图", "跳过", "李明", "1", "读装配图", "跳过", "跳过")  # kind to files, 李明 alone, 1 hour


async def activity_until_hours(chat: Transcript) -> None:
    """An activity today up to the hours question."""
    for answer in ("记录活动", "今天", "学习", "读图", "跳过", "李明"):
        await chat.say(answer)
    chat.expect("多少小时")


async def test_casual_dates_are_understood(bot: Bot, world: World):
    # the clock stands at Tuesday 10 March 2026 in Shanghai
    chat = Transcript(bot, "lead")
    for typed, stored in [
        ("上周五", "2026-03-06"),
        ("上个月5号", "2026-02-05"),
        ("上月五号", "2026-02-05"),
        ("前天", "2026-03-08"),
        ("三月五日", "2026-03-05"),
        ("十二月五日", "2025-12-05"),
        ("12.5", "2025-12-05"),
        ("２０２６年３月５日", "2026-03-05"),
        ("2026年3月5日", "2026-03-05"),
    ]:
        await chat.say("记录活动")
        await chat.say(typed)
        chat.expect("活动类别")
        for answer in REST:
            await chat.say(answer)
        chat.expect(f"日期：{stored}")
        await chat.say("取消")


async def test_impossible_and_incomplete_dates_say_what_is_wrong(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    await chat.say("记录活动")
    await chat.say("2月30日")
    chat.expect("2月没有30日", "活动是哪天")
    await chat.say("上个月")
    chat.expect("上个月的哪一天", "活动是哪天")
    await chat.say("/lang en")
    await chat.say("2月30日")
    chat.expect("Month 2 has no day 30")
    await chat.say("上个月")
    chat.expect("Which day of last month")


async def test_a_month_day_just_ahead_asks_which_year(bot: Bot, world: World, clock: Clock):
    clock.now = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 7 December in Shanghai
    chat = Transcript(bot, "lead")
    await chat.say("记录活动")
    await chat.say("12月8号")
    chat.expect("是哪一年", "2026-12-08 还没到", "2025-12-08", "活动是哪天")
    await chat.say("去年12月8号")
    chat.expect("活动类别")
    for answer in REST:
        await chat.say(answer)
    chat.expect("日期：2025-12-08")
    await chat.say("取消")
    await chat.say("/lang en")
    await chat.say("/activity")
    await chat.say("12月8号")
    chat.expect("Which year?", "2026-12-08 has not come yet", "2025-12-08")


async def test_hours_as_people_say_them(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    for typed, shown in [
        ("两个小时", "2 小时"),
        ("一个半小时", "1.5 小时"),
        ("半天", "4 小时"),
        ("90分钟", "1.5 小时"),
    ]:
        await activity_until_hours(chat)
        await chat.say(typed)
        chat.expect("活动内容")
        for answer in ("读装配图", "跳过", "跳过"):
            await chat.say(answer)
        chat.expect(f"时长（小时）：{shown}")
        await chat.say("取消")
    await activity_until_hours(chat)
    await chat.say("1,000")
    chat.expect("1000 小时太多了：一次最多 24 小时", "多少小时")
    await chat.say("/lang en")
    await chat.say("30")
    chat.expect("30 hours is too many: at most 24 hours")


async def test_full_width_digits_choose_options(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    await chat.say("记录活动")
    await chat.say("今天")
    await chat.say("３")  # a Chinese input method types option 3 full-width
    chat.expect("活动主题")
    for answer in ("练兵", "跳过", "李明", "２", "练车床", "跳过", "跳过"):
        await chat.say(answer)
    chat.expect("类别：技术练兵", "时长（小时）：2 小时")


async def test_a_summary_is_submitted_as_people_say_it(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    chat = Transcript(bot, "lead")
    for confirm in ("提交吧", "确认", "好"):
        await chat.say("记录活动")
        await chat.say("今天")
        for answer in REST:
            await chat.say(answer)
        await chat.say(confirm)
        chat.expect("已提交")
    assert len(await entries(sessions)) == 3


async def test_amounts_in_chinese_numerals_and_no_patent_typed(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    chat = Transcript(bot, "lead")
    for answer in ("记录成果", "夹具", "小革新", "张工", "是的", "上周五"):
        await chat.say(answer)
    chat.expect("多少资助")
    await chat.say("两万元")
    chat.expect("资助来自哪个项目")
    await chat.say("企业自筹")
    chat.expect("有专利吗")
    await chat.say("没有")
    chat.expect("经济效益")
    await chat.say("十五万")
    for answer in ("跳过", "跳过"):
        await chat.say(answer)
    chat.expect("请核对", "20000 元", "15 万元")
    await chat.say("提交")
    [entry] = await entries(sessions)
    fields = await latest_fields(sessions, entry.id)
    assert fields["funding_amount"] == Decimal("20000.00")
    assert fields["applied_since"] == date(2026, 3, 6)
    assert fields["patent_kind"] is None  # 没有 answered 无: no patent


async def test_no_patent_in_english(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    await chat.say("/lang en")
    for answer in ("/outcome", "Jig", "小革新", "张工", "no", "skip"):
        await chat.say(answer)
    chat.expect("patent")
    await chat.say("no")
    chat.expect("benefit")


async def test_training_headcount_in_chinese_numerals(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    for answer in ("记录培训", "今天", "培训", "张工", "王芳", "一个半小时", "安全", "跳过", "高级工"):
        await chat.say(answer)
    await chat.say("十二人")
    chat.expect("晋升人数：12", "时长（小时）：1.5 小时")
