"""Guessing binding codes: one answer for every failure, and a limit across all accounts, kept in the database."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.engine.pipeline import Bot
from tests.support import Clock, Transcript, World
from tests.support.fixtures import bot_fixture, clock_fixture, world_fixture  # noqa: F401
from tests.support.transcript import make_bot
from tests.test_binding_codes import identities_of, invite


async def test_wrong_used_and_expired_codes_get_the_same_answer(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession], clock: Clock
):
    used = await invite(sessions, world, "甲用", clock)
    owner = Transcript(bot, "owner")
    await owner.say(f"绑定 {used}")
    owner.expect("绑定成功")
    expired = await invite(sessions, world, "乙过", clock, ttl=timedelta(hours=1))
    clock.advance(hours=2)
    guesser = Transcript(bot, "guesser")
    answers = []
    for code in ("ABCDEFGHJK", used, expired):
        await guesser.say(f"绑定 {code}")
        answers.append(guesser.text)
    assert answers[0] == answers[1] == answers[2], answers  # nothing tells a guesser a code exists
    assert await identities_of(sessions, "乙过") == []


async def test_many_accounts_guessing_lock_binding_for_everyone(
    world: World, sessions: async_sessionmaker[AsyncSession], clock: Clock
):
    bot = make_bot(sessions, clock=clock, bind_global_max_failures=20)
    code = await invite(sessions, world, "丙新", clock)
    for account in range(5):  # each stays under the per-account limit of five
        chat = Transcript(bot, f"sock-{account}")
        for n in range(4):
            await chat.say(f"绑定 WRONG{n}2345")
            chat.expect("绑定码无效")
    fresh = Transcript(bot, "fresh-account")
    await fresh.say(f"绑定 {code}")
    fresh.expect("尝试次数过多")
    other_process = Transcript(make_bot(sessions, clock=clock, bind_global_max_failures=20), "another")
    await other_process.say(f"绑定 {code}")  # a second process counts the same rows
    other_process.expect("尝试次数过多")
    assert await identities_of(sessions, "丙新") == []
    clock.advance(minutes=31)
    await fresh.say(f"绑定 {code}")
    fresh.expect("绑定成功")
