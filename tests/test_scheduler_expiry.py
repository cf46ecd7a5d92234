"""The scheduler's planning pass also ends abandoned conversations and tells their owners."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import OutboxSender
from bot.scheduler import LeaseLeader, ReminderService
from handlers.engine.pipeline import Bot
from storage.models import Conversation
from tests.reminders_support import CONFIG
from tests.support import Clock, Inbox, Transcript, World
from tests.support.fixtures import bot_fixture, clock_fixture, world_fixture  # noqa: F401


async def test_a_planning_tick_ends_an_abandoned_draft_and_says_so(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    chat = Transcript(bot, "lead")
    await chat.say("记录活动")
    await chat.say("今天")
    chat.expect("活动类别")
    sender = OutboxSender(sessions, {}, clock=clock)
    service = ReminderService(
        sessions=sessions, config=CONFIG, sender=sender, leader=LeaseLeader(sessions, clock=clock), clock=clock
    )

    clock.advance(hours=2)  # still within the day the draft is kept
    await service.tick_plan()
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Conversation)) == 1

    clock.advance(days=2)
    await service.tick_plan()
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Conversation)) == 0
    inbox = Inbox(sessions, clock=clock)
    await inbox.deliver()
    [note] = [text for text in inbox.texts("lead") if "太久没有继续" in text]
    assert "记录活动" in note

    await service.tick_plan()  # a second pass finds nothing more to end and tells nobody twice
    await inbox.deliver()
    assert len([text for text in inbox.texts("lead") if "太久没有继续" in text]) == 1
