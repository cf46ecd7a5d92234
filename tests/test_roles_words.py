"""The measures' words: the activity kinds of 第四条/第十一条, 不予推荐, 驳回, 复核 and 审核, 活动正常."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.engine.pipeline import Bot
from tests.support import Transcript, World
from tests.support.fixtures import bot_fixture, clock_fixture, entries, latest_fields, world_fixture  # noqa: F401

KINDS = ["技术学习", "技术交流", "技术练兵", "技术创新", "技术革新", "技术攻关", "五小", "合理化建议", "技能培训"]
KINDS += ["高师带徒", "其他"]


async def _to_kind(chat: Transcript) -> None:
    await chat.say("记录活动")
    await chat.press("今天")
    chat.expect("活动类别")


async def test_the_kinds_are_the_measures_words_and_the_old_short_words_still_work(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chat = Transcript(bot, "lead")
    await _to_kind(chat)
    assert chat.buttons[: len(KINDS)] == KINDS
    for typed, shown in (("攻关", "技术攻关"), ("学习", "技术学习"), ("技术革新", "技术革新")):
        await chat.say(typed)
        chat.expect("活动主题")
        await chat.say("返回")
        await chat.say(typed)
        for answer in ("主轴改造", "跳过", "[李明]", "[完成]", "2", "更换主轴轴承", "异响消除", "[完成]"):
            await (chat.press(answer[1:-1]) if answer.startswith("[") else chat.say(answer))
        chat.expect(f"类别：{shown}")
        await chat.press("提交")
        if typed != "技术革新":
            await _to_kind(chat)
    stored = [(await latest_fields(sessions, e.id))["kind"] for e in await entries(sessions)]
    assert stored == ["攻关", "学习", "技术革新"]  # the codes stored before stay as they were


async def test_english_names_each_kind_with_the_measures_word(bot: Bot, world: World) -> None:
    chat = Transcript(bot, "lead")
    await chat.say("语言 en")
    await chat.say("/activity")
    await chat.press("Today")
    assert "Technical study (技术学习)" in chat.buttons and "Technical renovation (技术革新)" in chat.buttons
    await chat.say("技术攻关")
    chat.expect("Title of the activity")
