"""Dates and hours as people say them, second round (issue 19): days ahead, before the cycle, 1小时30分钟, 一天."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.engine.pipeline import Bot
from tests.support import Clock, Transcript, World, make_bot
from tests.support.fixtures import bot_fixture, clock_fixture, entries, world_fixture  # noqa: F401
from tests.test_flows_typing import activity_until_hours


async def test_days_ahead_are_refused_politely(bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]):
    # the clock stands at Tuesday 10 March 2026 in Shanghai; only what has happened is recorded
    chat = Transcript(bot, "lead")
    await chat.say("记录活动")
    for typed, said in [
        ("明天", "2026-03-11 还没到"),
        ("后天", "2026-03-12 还没到"),
        ("下周三", "2026-03-18 还没到"),
        ("下个月5号", "2026-04-05 还没到"),
        ("明年3月1日", "2027-03-01 还没到"),
        ("下周", "那还没到"),
        ("下个月", "那还没到"),
    ]:
        await chat.say(typed)
        chat.expect(said, "只记已经发生的事", "活动是哪天")
    await chat.say("/lang en")
    await chat.say("下周三")
    chat.expect("2026-03-18 has not come yet", "only what has already happened is recorded")
    await chat.say("next week")
    chat.expect("That has not come yet")
    assert await entries(sessions) == []


async def test_a_date_before_the_studios_first_cycle_is_refused(bot: Bot, world: World):
    # the world's studio was named on 2025-01-01: its first cycle starts then
    chat = Transcript(bot, "lead")
    await chat.say("记录活动")
    await chat.say("2020-01-01")
    chat.expect("2020-01-01 早于本工作室第一个管理周期的开始（2025-01-01", "不记入台账", "活动是哪天")
    await chat.say("2024年12月31日")
    chat.expect("早于本工作室第一个管理周期")
    await chat.say("2025年1月1日")
    chat.expect("活动类别")
    await chat.say("取消")
    await chat.say("/lang en")
    await chat.say("/training")
    await chat.say("2020-01-01")
    chat.expect("2020-01-01 is before the studio's first management cycle began (2025-01-01")


async def test_hours_and_minutes_and_days(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    for typed, shown in [
        ("1小时30分钟", "1.5 小时"),
        ("一个小时零六分", "1.1 小时"),
        ("一天", "8 小时"),
        ("全天", "8 小时"),
        ("两天", "16 小时"),
    ]:
        await activity_until_hours(chat)
        await chat.say(typed)
        chat.expect("活动内容")
        for answer in ("读装配图", "跳过", "跳过"):
            await chat.say(answer)
        chat.expect(f"时长（小时）：{shown}")
        await chat.say("取消")
    await activity_until_hours(chat)
    await chat.say("四天")  # 32 hours: more than one activity holds
    chat.expect("32 小时太多了：一次最多 24 小时")


async def test_what_a_day_means_is_configured(sessions: async_sessionmaker[AsyncSession], world: World, clock: Clock):
    bot = make_bot(sessions, clock=clock, full_day_hours=7.5, half_day_hours=3)
    chat = Transcript(bot, "lead")
    for typed, shown in [("一天", "7.5 小时"), ("半天", "3 小时")]:
        await activity_until_hours(chat)
        await chat.say(typed)
        for answer in ("读装配图", "跳过", "跳过"):
            await chat.say(answer)
        chat.expect(f"时长（小时）：{shown}")
        await chat.say("取消")


async def test_a_month_day_just_ahead_offers_last_year_as_a_button(bot: Bot, world: World, clock: Clock):
    clock.now = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 7 December in Shanghai
    chat = Transcript(bot, "lead")
    await chat.say("记录活动")
    await chat.say("12月8号")
    chat.expect("是哪一年？2026-12-08 还没到", "请点“去年 2025-12-08”")
    await chat.press("去年 2025-12-08")
    chat.expect("活动类别")
    chat.expect_not("去年 2025-12-08")  # the offer went with its question
    for answer in ("学习", "读图", "跳过", "李明", "1", "读装配图", "跳过", "跳过"):
        await chat.say(answer)
    chat.expect("日期：2025-12-08")
    await chat.say("取消")
    await chat.say("/lang en")
    await chat.say("/training")
    await chat.say("12月8号")
    chat.expect("Which year? 2026-12-08 has not come yet", "Last year, 2025-12-08")
    await chat.press("Last year, 2025-12-08")
    chat.expect("Training, or master-apprentice mentoring?")


async def test_last_years_day_before_the_first_cycle_is_refused_when_pressed(bot: Bot, world: World, clock: Clock):
    clock.now = datetime(2025, 12, 7, 2, 0, tzinfo=UTC)  # the studio was named on 2025-01-01
    chat = Transcript(bot, "lead")
    await chat.say("记录活动")
    await chat.say("12月8号")
    await chat.press("去年 2024-12-08")
    chat.expect("2024-12-08 早于本工作室第一个管理周期的开始（2025-01-01", "活动是哪天")
