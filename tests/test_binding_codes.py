"""Binding: a one-time code links a channel identity to a person; wrong, used, expired codes and guessers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.engine.pipeline import Bot
from storage.models import AuditLog, ChannelIdentity, Person, RoleKind
from storage.repos import invites, org, persons
from tests.support import Clock, Transcript, World
from tests.support.fixtures import bot_fixture, clock_fixture, world_fixture  # noqa: F401


async def invite(
    sessions: async_sessionmaker[AsyncSession], world: World, name: str, clock: Clock, **kw: object
) -> str:
    """A fresh member of the studio and the code printed for them."""
    async with sessions() as session, session.begin():
        person = await persons.create_person(session=session, name=name, grade="技师")
        await org.grant_role(session=session, person=person, kind=RoleKind.MEMBER, studio=world.studio)
        code, _ = await invites.issue_invite(
            session=session,
            person=person,
            role=RoleKind.MEMBER,
            studio=world.studio,
            now=clock(),
            **kw,  # type: ignore[arg-type]
        )
    return code


async def identities_of(sessions: async_sessionmaker[AsyncSession], name: str) -> list[str]:
    async with sessions() as session:
        query = select(ChannelIdentity.external_id).join(Person, Person.id == ChannelIdentity.person_id)
        return list(await session.scalars(query.where(Person.name == name)))


async def test_a_code_binds_once(bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession], clock: Clock):
    code = await invite(sessions, world, "钱多", clock)
    chat = Transcript(bot, "new-phone")
    await chat.say("记录活动")
    chat.expect("还没有绑定身份", "绑定码")
    await chat.say(f"绑定 {code.lower()[:4]}-{code.lower()[4:]}")  # as people copy it: lower case, a dash
    chat.expect("绑定成功", "钱多", "工作室成员")
    assert await identities_of(sessions, "钱多") == ["new-phone"]
    await chat.say("记录活动")
    chat.expect("活动是哪天")
    await chat.say("取消")

    again = Transcript(bot, "someone-else")
    await again.say(f"/bind {code}")
    again.expect("绑定码无效")
    async with sessions() as session:
        rows = list(await session.scalars(select(AuditLog).where(AuditLog.object_type == "identity")))
    assert [r.to_state for r in rows] == ["bound"]


async def test_the_code_may_follow_the_word_without_a_space(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession], clock: Clock
):
    code = await invite(sessions, world, "孙立", clock)
    chat = Transcript(bot, "wx-openid-1", channel="wechat")
    await chat.say(f"绑定{code}")
    chat.expect("绑定成功", "孙立")
    telegram = Transcript(bot, "tg-42", channel="telegram")
    second = await invite(sessions, world, "孙立二", clock)
    await telegram.say(f"/start {second}")  # Telegram's deep link
    telegram.expect("绑定成功", "孙立二")


async def test_wrong_expired_and_missing_codes(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession], clock: Clock
):
    chat = Transcript(bot, "guest")
    await chat.say("绑定")
    chat.expect("请发送：绑定 绑定码")
    await chat.say("绑定 ABCDEFGHJK")
    chat.expect("绑定码无效")
    code = await invite(sessions, world, "周到", clock, ttl=timedelta(days=1))
    clock.advance(days=2)
    await chat.say(f"绑定 {code}")
    chat.expect("绑定码无效")
    assert await identities_of(sessions, "周到") == []


async def test_five_failures_in_ten_minutes_lock_the_sender_out(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession], clock: Clock
):
    code = await invite(sessions, world, "吴用", clock)
    chat = Transcript(bot, "guesser")
    for n in range(5):
        await chat.say(f"绑定 WRONG{n}2345")
        chat.expect("绑定码无效")
        clock.advance(minutes=2)
    await chat.say(f"绑定 {code}")  # even the right code is refused while locked out
    chat.expect("尝试次数过多", "分钟后再试")
    await chat.say("帮助")
    chat.expect("还没有绑定身份")
    clock.advance(minutes=31)
    await chat.say(f"绑定 {code}")
    chat.expect("绑定成功")
    other = Transcript(bot, "another-guesser")  # the lockout is per sender
    await other.say("绑定 WRONG23456")
    other.expect("绑定码无效")


async def test_failures_spread_over_more_than_ten_minutes_do_not_lock(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession], clock: Clock
):
    code = await invite(sessions, world, "郑和", clock)
    chat = Transcript(bot, "slow-typist")
    for n in range(8):
        await chat.say(f"绑定 WRONG{n}2345")
        chat.expect("绑定码无效")
        clock.advance(minutes=3)
    await chat.say(f"绑定 {code}")
    chat.expect("绑定成功")


async def test_a_bound_account_cannot_take_somebody_elses_code(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession], clock: Clock
):
    code = await invite(sessions, world, "冯新", clock)
    chat = Transcript(bot, "lead")
    await chat.say(f"绑定 {code}")
    chat.expect("已经绑定了另一个人")
    assert await identities_of(sessions, "冯新") == []
    fresh = Transcript(bot, "feng")
    await fresh.say(f"绑定 {code}")  # the code was not used up by the refused attempt
    fresh.expect("绑定成功")


async def test_a_code_for_a_role_taken_back_is_refused(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession], clock: Clock
):
    """A replaced lead's unused code no longer binds: the role it was issued for is inactive."""
    async with sessions() as session, session.begin():
        old_lead = await persons.create_person(session=session, name="郑旧", grade="技师")
        await org.grant_role(session=session, person=old_lead, kind=RoleKind.LEAD, studio=world.studio)
        code, _ = await invites.issue_invite(
            session=session, person=old_lead, role=RoleKind.LEAD, studio=world.studio, now=clock()
        )
        await org.revoke_role(session=session, person=old_lead, kind=RoleKind.LEAD, studio=world.studio)
    chat = Transcript(bot, "old-lead-phone")
    [guess] = await Transcript(bot, "guesser").say("绑定 ABCD234567")
    [answer] = await chat.say(f"绑定 {code}")
    # answered as any wrong code: a distinct answer would tell a guesser the code exists
    assert answer.text == guess.text and "绑定码无效" in answer.text and "撤销" not in answer.text
    assert await identities_of(sessions, "郑旧") == []
    async with sessions() as session:
        rows = list(await session.scalars(select(AuditLog).where(AuditLog.object_type == "identity")))
    assert rows == []
