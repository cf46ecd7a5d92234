"""Speak instead of type (issue 19, part 7): what the platform heard is shown back, and taken when confirmed."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.engine.pipeline import Bot
from tests.support import Transcript, World
from tests.support.fixtures import bot_fixture, clock_fixture, entries, latest_fields, world_fixture  # noqa: F401
from tests.test_flows_long_text import activity_until_content


async def test_a_dictated_answer_is_shown_back_and_taken_when_confirmed(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    chat = Transcript(bot, "lead")
    await activity_until_content(chat)
    await chat.speak("组织读装配图，讲解公差配合。")
    chat.expect("听到的是：", "“组织读装配图，讲解公差配合”", "就用这段", "活动内容：做了什么")
    chat.expect_buttons("就用这段")
    await chat.press("就用这段")
    chat.expect("取得了什么成效")
    for answer in ("跳过", "跳过", "提交"):
        await chat.say(answer)
    [entry] = await entries(sessions)
    assert (await latest_fields(sessions, entry.id))["content"] == "组织读装配图，讲解公差配合"


async def test_a_misheard_answer_is_replaced_by_typing_or_saying_it_again(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    await activity_until_content(chat)
    await chat.speak("组织读装配图")
    heard = chat.button("就用这段")
    await chat.speak("组织读装配图和公差")
    chat.expect("“组织读装配图和公差”")
    await chat.say("组织读装配图，讲公差")  # typed: taken at once
    chat.expect("取得了什么成效")
    await chat.press_button(heard)  # the first hearing went with its question
    chat.expect("取得了什么成效")
    for answer in ("跳过", "跳过"):
        await chat.say(answer)
    chat.expect("活动内容：组织读装配图，讲公差")


async def test_a_long_dictation_offers_its_first_part(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    for answer in ("记录活动", "今天", "学习"):
        await chat.say(answer)
    await chat.speak("读图" * 60)
    chat.expect("听到的是：")
    await chat.press("只保留前 100 字")
    chat.expect("活动地点")


async def test_commands_and_choices_can_be_spoken(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    await chat.speak("记录活动。")  # no conversation open: a command, as typed
    chat.expect("活动是哪天")
    await chat.speak("今天。")  # an answer: shown back first
    chat.expect("“今天”")
    await chat.press("就用这段")
    chat.expect("活动类别")
    await chat.speak("取消。")
    chat.expect("已取消")


async def test_a_dictated_answer_in_english(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    await chat.say("/lang en")
    for answer in ("/activity", "today", "学习"):
        await chat.say(answer)
    await chat.speak("Reading assembly drawings.")
    chat.expect("I heard:", "“Reading assembly drawings”", "Use this")
    await chat.press("Use this")
    chat.expect("Where")
