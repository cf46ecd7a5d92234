"""记录培训 end to end: mentoring with a promotion, training by an outsider, counts with or without 人."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.engine.pipeline import Bot
from storage.models import LedgerKind
from tests.support import Clock, Transcript, World
from tests.support.fixtures import bot_fixture, clock_fixture, entries, latest_fields, world_fixture  # noqa: F401


async def test_mentoring_with_a_promotion(bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]):
    chat = Transcript(bot, "lead")
    await chat.say("记录培训")
    chat.expect("培训是哪天")
    await chat.say("3月2日")
    chat.expect("培训还是高师带徒")
    await chat.press("高师带徒")
    chat.expect("师傅是谁")
    await chat.press("张工")
    chat.expect("学员有谁")
    await chat.press("王芳")
    await chat.press("赵强")
    await chat.press("完成")
    await chat.say("8")  # more than the offered 1–4 hours: typed
    chat.expect("主题")
    await chat.say("数控车床编程带教")
    await chat.say("两人通过技师考核")
    chat.expect("晋升")
    await chat.press("技师")
    chat.expect("几人晋升")
    await chat.say("12人")  # more promoted than trainees is refused at submit, every answer kept
    await chat.press("提交")
    chat.expect("晋升人数（12 人）多于学员人数（2 人）", "请核对")
    assert await entries(sessions) == []
    await chat.press("修改")
    await chat.press("晋升人数")
    await chat.say("2人")
    chat.expect("请核对", "高师带徒", "张工", "王芳、赵强", "8 小时", "技师", "晋升人数：2")
    await chat.press("提交")
    [entry] = await entries(sessions)
    assert entry.kind is LedgerKind.TRAINING and entry.title == "数控车床编程带教"
    fields = await latest_fields(sessions, entry.id)
    assert fields["held_on"] == date(2026, 3, 2)
    assert fields["kind"] == "高师带徒"
    assert fields["mentor"] == "张工"
    assert fields["trainees"] == ["王芳", "赵强"]
    assert fields["hours"] == Decimal("8.0")
    assert (fields["promoted_grade"], fields["promoted_count"]) == ("技师", 2)


async def test_training_by_an_outside_teacher_without_promotion(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    chat = Transcript(bot, "m2")
    for answer in ("/training", "昨天", "培训", "厂外专家刘老师"):
        await chat.say(answer)
    chat.expect("学员有谁")
    await chat.say("王芳，李明，外协厂小陈")
    await chat.say("2")
    await chat.say("五轴加工安全规范")
    await chat.say("跳过")
    await chat.say("跳过")
    chat.expect("请核对", "厂外专家刘老师", "王芳、李明、外协厂小陈")
    chat.expect_not("晋升人数")
    await chat.say("提交")
    [entry] = await entries(sessions)
    fields = await latest_fields(sessions, entry.id)
    assert fields["promoted_grade"] is None and fields["promoted_count"] == 0
    assert fields["trainees"] == ["王芳", "李明", "外协厂小陈"]


async def test_count_errors(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    for answer in ("记录培训", "今天", "培训", "张工", "王芳", "1", "安全", "跳过", "高级工"):
        await chat.say(answer)
    for bad in ("几个", "0", "-1"):
        await chat.say(bad)
        chat.expect("请填写人数")
    await chat.say("两人")  # Chinese numerals count too
    chat.expect("晋升人数：2")


async def test_english_options_typed_with_or_without_their_chinese_name(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    chat = Transcript(bot, "lead")
    await chat.say("/lang en")
    for kind in ("Mentoring", "mentoring (高师带徒)", "高师带徒", "Mentoring（高师带徒）"):
        await chat.say("/training")
        await chat.say("today")
        await chat.say(kind)
        chat.expect("Who taught or mentored")
        await chat.say("cancel")
    for answer in ("/training", "today", "Mentoring", "张工", "王芳", "2", "Lathe programming", "skip"):
        await chat.say(answer)
    chat.expect("promoted to a higher grade")
    await chat.say("Technician")
    chat.expect("How many were promoted")
    await chat.say("1")
    chat.expect("Technician (技师)")
    await chat.say("submit")
    [entry] = await entries(sessions)
    fields = await latest_fields(sessions, entry.id)
    assert (fields["kind"], fields["promoted_grade"]) == ("高师带徒", "技师")


async def test_a_training_date_in_january_without_a_year_is_last_year(
    bot: Bot, world: World, clock: Clock, sessions: async_sessionmaker[AsyncSession]
):
    clock.now = datetime(2027, 1, 2, 2, 0, tzinfo=UTC)
    chat = Transcript(bot, "lead")
    await chat.say("记录培训")
    await chat.say("12月30日")
    chat.expect("培训还是高师带徒")
    await chat.say("培训")
    await chat.say("张工")
    await chat.say("12人、王芳")  # a count goes last (王芳等12人): first, it is a name, and no name is a number
    chat.expect("不是姓名", "学员有谁")
    for answer in ("王芳", "2", "安全", "跳过", "跳过"):
        await chat.say(answer)
    chat.expect("日期：2026-12-30", "学员：王芳")
    await chat.press("提交")
    [entry] = await entries(sessions)
    fields = await latest_fields(sessions, entry.id)
    assert (fields["held_on"], fields["trainees"]) == (date(2026, 12, 30), ["王芳"])
