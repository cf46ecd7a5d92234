"""The small dead ends of issue 19, each as a transcript: console numbering, the studio's venue as the place,
a stable step counter, who may edit another's entry, the lead told of a member's entry, greetings that fit
the role, emoji kept whole."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.console import ConsoleScreen
from bot.channels.wxbase.text import numbered
from bot.cli.chat import converse
from bot.settings import Settings
from handlers.core.i18n import Translator
from handlers.core.types import Button, Reply
from handlers.engine.pipeline import Bot
from storage.models import LedgerKind, RoleKind, Studio
from storage.repos import ledgers, org, persons
from tests.export_data import activity
from tests.support import Inbox, Transcript, World, make_world
from tests.support.fixtures import bot_fixture, clock_fixture, latest_fields, world_fixture  # noqa: F401
from tests.support.transcript import make_bot


async def _activities(sessions: async_sessionmaker[AsyncSession], world: World, count: int) -> None:
    async with sessions() as session, session.begin():
        for n in range(1, count + 1):
            await ledgers.create_entry(
                session=session,
                studio_id=world.studio.id,
                kind=LedgerKind.ACTIVITY,
                author_id=world.lead.id,
                fields=activity(date(2026, 3, n), "学习", "2", f"第{n}次学习"),
            )


async def test_console_ledger_numbers_are_the_entry_numbers(sessions: async_sessionmaker[AsyncSession]) -> None:
    world = await make_world(sessions, channel="console")
    await _activities(sessions, world, 7)
    bot, screen = make_bot(sessions), ConsoleScreen()

    async def type_(text: str) -> str:
        turn = await bot.handle(screen.incoming(text, user_id="lead"))
        return "\n".join(screen.render(turn.replies))

    shown = await type_("我的台账")
    assert "#7 第7次学习" in shown and "[1]" not in shown  # the options are the entries' own numbers
    assert (await type_("7")).startswith("#7 活动台账")  # 7 opens #7, not the first option (#1)
    await type_("我的台账")
    assert (await type_("#3")).startswith("#3 活动台账")
    await type_("我的台账")
    assert "没听懂" in await type_("随便说说")
    assert (await type_("2")).startswith("#2 活动台账")  # the list above still answers to its numbers

    await _activities(sessions, world, 2)  # nine entries: a second page
    shown = await type_("我的台账")
    assert "（更早的 ›）" in shown
    assert "#1 第1次学习" in await type_("更早的")  # a label typed without its arrow presses it


async def test_an_entry_number_typed_anywhere_opens_it(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _activities(sessions, world, 3)
    chat = Transcript(bot, "lead")
    await chat.say("#2")
    chat.expect("#2 活动台账", "第2次学习")
    await chat.say("我的台账 3")
    chat.expect("#3 活动台账")
    await chat.say("我的台账 #１")
    chat.expect("#1 活动台账")


async def test_the_place_offered_is_the_studios_registered_venue_and_is_stored_as_it(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session, session.begin():
        await session.execute(update(Studio).where(Studio.id == world.studio.id).values(venue="三号厂房二楼创新室"))
    chat = Transcript(bot, "lead")
    for answer in ("记录活动", "今天", "学习", "读图"):
        await chat.say(answer)
    chat.expect("活动地点")
    assert "三号厂房二楼创新室" in chat.buttons and "工作室" not in chat.buttons
    await chat.press("三号厂房二楼创新室")
    for answer in ("李明", "1", "读装配图", "跳过", "跳过"):
        await chat.say(answer)
    chat.expect("地点：三号厂房二楼创新室")
    await chat.press("提交")
    assert (await latest_fields(sessions, 1))["place"] == "三号厂房二楼创新室"


async def test_the_step_counter_keeps_its_total_through_the_flow(bot: Bot, world: World) -> None:
    chat = Transcript(bot, "lead")
    answers = ("记录成果", "数控夹具改进", "小革新", "李明", "完成", "今天", "是", "今天", "3万", "跳过", "有")
    totals, numbers = set(), []
    for answer in answers:
        await chat.say(answer)
        found = re.search(r"（第 (\d+)/(\d+) 步）", chat.text)
        assert found, chat.transcript()
        numbers.append(int(found.group(1)))
        totals.add(int(found.group(2)))
    assert len(totals) == 1, chat.transcript()  # 应用于生产 / 资助 / 专利 answered yes add no steps to the total
    assert numbers == sorted(numbers) and numbers[0] == 1


async def test_a_member_opening_anothers_entry_is_told_who_may_edit_it(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _activities(sessions, world, 1)
    member = Transcript(bot, "m1")
    await member.say("#1")
    member.expect("这条台账只有 张工 可以修改或撤回；需要改动请联系他们。")
    assert member.buttons == ["返回列表"]


async def test_the_lead_is_told_when_a_member_submits_in_the_studios_name(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    inbox = Inbox(sessions)
    member = Transcript(bot, "m1")
    for answer in ("记录活动", "今天", "学习", "读图", "跳过", "李明", "1", "读装配图", "跳过", "跳过", "提交"):
        await member.say(answer)
    member.expect("已提交")
    await inbox.deliver()
    told = inbox.texts("lead")
    assert any(
        "📝 李明 以“张工数控创新工作室”的名义提交了活动台账 #1「读图」（第1版），已送工会复核。" in t for t in told
    )
    lead = Transcript(bot, "lead")
    await lead.press_button(inbox.replies("lead")[-1].all_buttons()[0])
    lead.expect("#1 活动台账")

    await lead.say("记录活动")  # the lead's own entries are not announced to the lead
    for answer in ("今天", "学习", "读标准", "跳过", "李明", "1", "读了新标准", "跳过", "跳过", "提交"):
        await lead.say(answer)
    await inbox.deliver()
    assert len([t for t in inbox.texts("lead") if t.startswith("📝")]) == 1


async def test_reviewers_experts_and_the_association_are_greeted_with_what_they_can_use(
    db_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    world = await make_world(sessions, channel="console")
    assert world.reviewer is not None
    out: list[str] = []

    async def lines() -> AsyncIterator[str]:
        yield "帮助"
        yield "exit"

    await converse(Settings(database_url=db_url), as_name="周审核", write=out.append, lines=lines())
    text = "\n".join(out)
    assert "试试发送：待审（等您复核的台账）" in text and "记录活动 · 记录成果" not in text
    assert "记录过程中随时可以发送" not in text and "台账送审、申报推进时会通知您" in text
    out.clear()
    await converse(Settings(database_url=db_url), as_name="张工", write=out.append, lines=lines())
    assert "试试发送：记录活动 · 记录成果 · 记录培训 · 我的台账 · 帮助" in "\n".join(out)
    async with sessions() as session, session.begin():
        for name, kind in (("市协钱", RoleKind.REVIEWER), ("专家孙", RoleKind.EXPERT)):
            person = await persons.create_person(session=session, name=name)
            await org.grant_role(session=session, person=person, kind=kind, union=world.municipal)
    for name, expected in (("市协钱", "待审（等您审核的台账和申报）"), ("专家孙", "待审（等您评分的申报）")):
        out.clear()
        await converse(Settings(database_url=db_url), as_name=name, write=out.append, lines=lines())
        assert f"试试发送：{expected}" in "\n".join(out) and "记录活动 ·" not in "\n".join(out)


async def test_an_emoji_with_a_zero_width_joiner_is_kept_whole(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chat = Transcript(bot, "lead")
    for answer in ("记录活动", "今天", "学习", "👨‍🔧 师傅带徒", "跳过", "李明", "1", "读装配图\u202e", "跳过", "跳过"):
        await chat.say(answer)
    chat.expect("主题：👨‍🔧 师傅带徒")
    await chat.press("提交")
    fields = await latest_fields(sessions, 1)
    assert fields["title"] == "👨\u200d🔧 师傅带徒" and fields["content"] == "读装配图"  # a bidi override still goes


def test_the_official_accounts_numbered_text_uses_the_entries_own_numbers_too() -> None:
    def button(label: str, payload: str) -> Button:
        return Button(label, payload)

    reply = Reply(
        text="最近的 2 条台账：",
        buttons=((button("#7 第7次学习", "p7"), button("#6 第6次学习", "p6")), (button("更早 ›", "more"),)),
    )
    text, mapping = numbered(reply, Translator("zh_CN"))
    assert "\n#7 第7次学习\n#6 第6次学习\n8. 更早 ›\n" in text  # no "1. #7": 7 means #7
    assert (mapping["7"], mapping["#7"], mapping["6"], mapping["8"]) == ("p7", "p7", "p6", "more")
    assert "1" not in mapping


async def test_an_entry_that_says_the_studio_still_reads_so_after_a_venue_is_registered(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session, session.begin():
        await ledgers.create_entry(
            session=session,
            studio_id=world.studio.id,
            kind=LedgerKind.ACTIVITY,
            author_id=world.lead.id,
            fields=activity(date(2026, 3, 2), "学习", "2", "读图", place="工作室"),
        )
        await session.execute(update(Studio).where(Studio.id == world.studio.id).values(venue="三号厂房二楼创新室"))
    chat = Transcript(bot, "lead")
    await chat.say("/lang en")
    await chat.say("#1")
    chat.expect("Place: The studio")
