"""A reminder's button acts on it: pressed in chat, it starts the activity flow or opens the waiting review."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core.config import HandlerConfig
from handlers.core.types import Button, reply_from_dict
from handlers.engine.pipeline import Bot
from handlers.reminders import plan
from storage.models import LedgerEntry
from tests.reminders_support import at, outbox_rows
from tests.support.clock import Clock
from tests.support.fixtures import bot_fixture, clock_fixture, world_fixture  # noqa: F401
from tests.support.transcript import SECRET, Transcript
from tests.support.world import World

CONFIG = HandlerConfig(secret_key=SECRET)
LOG_AN_ACTIVITY = (
    ("记录活动", None),
    ("今天", "press"),
    ("技术交流", "press"),
    ("数控编程交流", None),
    ("工作室", "press"),
    ("李明", "press"),
    ("完成", "press"),
    ("3", None),
    ("交流了宏程序的写法", None),
    ("跳过", None),
    ("跳过", None),
    ("提交", "press"),
)


async def reminder_buttons(sessions: async_sessionmaker[AsyncSession], person_id: int, topic: str) -> list[Button]:
    rows = [r for r in await outbox_rows(sessions) if r.person_id == person_id and r.idempotency_key.startswith(topic)]
    assert rows, f"no {topic} reminder for person {person_id}"
    return reply_from_dict(rows[-1].payload).all_buttons()


async def test_lead_and_reviewer_act_from_their_reminders(
    bot: Bot, world: World, clock: Clock, sessions: async_sessionmaker[AsyncSession]
) -> None:
    lead, rev = Transcript(bot, "lead"), Transcript(bot, "rev")
    for text, how in LOG_AN_ACTIVITY:  # an entry submitted on 10 March 2026, then left waiting
        await (lead.press(text) if how else lead.say(text))
    assert world.reviewer is not None
    # 18 March: more than three working days later, the reviewer is reminded with a button to open it
    async with sessions() as s, s.begin():
        # the ledger repository stamps entries with the real time, not the bot's clock: align them
        await s.execute(update(LedgerEntry).values(created_at=clock.now, status_changed_at=clock.now))
        await plan(session=s, config=CONFIG, now=at(date(2026, 3, 18), 10))
    [open_it] = await reminder_buttons(sessions, world.reviewer.id, "review:")
    await rev.press_button(open_it)
    rev.expect("数控编程交流")
    rev.expect_buttons("通过", "退回", "驳回")
    await rev.press("通过")
    # late in the cycle (it ends 2027-12-31), the lead's reminder button starts logging an activity
    clock.now = at(date(2027, 7, 5), 10)
    async with sessions() as s, s.begin():
        await plan(session=s, config=CONFIG, now=clock.now)
    buttons = await reminder_buttons(sessions, world.lead.id, "cycle:")
    assert [b.label for b in buttons] == ["记录活动", "我的台账"]
    await lead.press_button(buttons[0])
    lead.expect("活动是哪天")
