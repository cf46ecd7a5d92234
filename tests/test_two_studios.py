"""People in two studios: 统计 / 考核 / 导出 / 履历 offer their studios as buttons and take any unambiguous part of a
name; 我的台账 and the entry card name the studio; the binding reply names where the role is held."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.engine.pipeline import Bot
from storage.models import LedgerKind, RoleKind, Studio
from storage.repos import invites, ledgers, org, persons
from tests.export_data import activity
from tests.support import Transcript, World, add_studio, make_world
from tests.support.clock import Clock
from tests.support.fixtures import clock_fixture  # noqa: F401
from tests.support.transcript import make_bot

SECOND = "李工焊接创新工作室"


@pytest.fixture
async def world(sessions: async_sessionmaker[AsyncSession]) -> World:
    return await make_world(sessions)


@pytest.fixture
async def second(sessions: async_sessionmaker[AsyncSession], world: World) -> Studio:
    """A second studio the world's lead (张工) also leads, with one activity in each studio."""
    studio = await add_studio(sessions, world, SECOND, lead=world.lead)
    async with sessions() as session, session.begin():
        for where, title in ((world.studio, "数控编程交流"), (studio, "焊缝探伤培训")):
            await ledgers.create_entry(
                session=session,
                studio_id=where.id,
                kind=LedgerKind.ACTIVITY,
                author_id=world.lead.id,
                fields=activity(date(2026, 3, 2), "学习", "2", title),
            )
    return studio


@pytest.fixture
def bot(sessions: async_sessionmaker[AsyncSession], clock: Clock, tmp_path: Path) -> Bot:
    return make_bot(sessions, clock=clock, export_dir=tmp_path / "exports")


async def test_each_studio_command_offers_the_studios_as_buttons(bot: Bot, world: World, second: Studio) -> None:
    lead = Transcript(bot, "lead")
    for command, verb in (("导出", "导出"), ("统计", "统计"), ("考核", "考核"), ("履历", "履历")):
        await lead.say(command)
        lead.expect(f"您在多个工作室，要{'看哪一个的履历' if command == '履历' else verb + '哪一个'}？")
        assert lead.buttons == ["张工数控创新工作室", SECOND], command
        lead.expect_not("请写明要导出")
    await lead.say("导出")
    await lead.press(SECOND)
    lead.expect(f"“{SECOND}”台账已导出")
    await lead.say("履历")
    await lead.press("张工数控创新工作室")
    lead.expect("张工数控创新工作室")


async def test_any_unambiguous_part_of_a_name_is_understood(bot: Bot, world: World, second: Studio) -> None:
    lead = Transcript(bot, "lead")
    await lead.say("导出 焊接")
    lead.expect(f"“{SECOND}”台账已导出")
    await lead.say("考核 数控")
    lead.expect("第 1 个管理周期考核")
    await lead.say("导出 工作室")  # both names hold it: the two are offered
    lead.expect("名称里有“工作室”的工作室不止一个，请点选：")
    assert lead.buttons == ["张工数控创新工作室", SECOND]
    await lead.say("导出 木工")
    lead.expect("没有找到名为“木工”的工作室。")

    reviewer = Transcript(bot, "rev")  # a reviewer has no studio of their own: any studio in their scope
    await reviewer.say("导出 李工")
    reviewer.expect(f"“{SECOND}”台账已导出")


async def test_my_ledger_and_the_entry_card_name_the_studio(bot: Bot, world: World, second: Studio) -> None:
    lead = Transcript(bot, "lead")
    await lead.say("我的台账")
    lead.expect(f"活动｜{SECOND}｜焊缝探伤培训｜待复核", "活动｜张工数控创新工作室｜数控编程交流｜待复核")
    await lead.press("焊缝探伤")
    lead.expect(f"工作室：{SECOND}")

    member = Transcript(bot, "m1")  # in one studio: the list stays as it was
    await member.say("我的台账")
    member.expect("活动｜数控编程交流｜待复核")
    member.expect_not(SECOND)


async def test_the_binding_reply_names_the_studio_or_union(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    async with sessions() as session, session.begin():
        person = await persons.create_person(session=session, name="钱新", grade="技师")
        await org.grant_role(session=session, person=person, kind=RoleKind.MEMBER, studio=world.studio)
        code, _ = await invites.issue_invite(
            session=session, person=person, role=RoleKind.MEMBER, studio=world.studio, now=clock()
        )
        reviewer = await persons.create_person(session=session, name="孙审核")
        await org.grant_role(session=session, person=reviewer, kind=RoleKind.REVIEWER, union=world.district)
        union_code, _ = await invites.issue_invite(
            session=session, person=reviewer, role=RoleKind.REVIEWER, union=world.district, now=clock()
        )
    chat = Transcript(bot, "new-member")
    await chat.say(f"绑定 {code}")
    chat.expect("绑定成功！钱新，您的身份是：张工数控创新工作室 工作室成员。")
    english = Transcript(bot, "new-reviewer", language="en")
    await english.say(f"/bind {union_code}")
    english.expect("浦东新区总工会")
