"""Pushes to WeCom members through the real outbox sender: cards, 30 messages a minute per member, lost members."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.channels.base import PushTarget
from bot.channels.wecom.pusher import MemberRate, WeComPusher
from handlers.core.types import Button, Reply, reply_to_dict
from storage.base import utcnow
from storage.models import OutboxMessage, OutboxStatus
from storage.repos import outbox
from tests.support.wechat_world import WxWorld, wechat_world
from tests.test_wecom_channel import cards, say

LEAD = "wangjianguo"
REMINDER = Reply(text="工作室已30天没有记录活动", buttons=((Button("记录活动", "go:activity~abcdefghij"),),))


async def push(world: WxWorld, key: str) -> OutboxMessage:
    async with world.runtime.sessions() as s, s.begin():
        await outbox.enqueue(session=s, key=key, person_id=world.seeded.lead_id, payload=reply_to_dict(REMINDER))
    assert world.runtime.sender is not None
    await world.runtime.sender.run_once()
    async with world.runtime.sessions() as s:
        row = await s.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))
    assert row is not None
    return row


async def test_a_push_is_a_card_and_a_lost_member_is_not_retried(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await say(world, LEAD, f"绑定 {world.seeded.lead_code}")
        row = await push(world, "idle:1:2026-11")
        assert row.status is OutboxStatus.SENT
        [card] = [c for c in cards(world, LEAD) if c["main_title"]["title"] == "工作室已30天没有记录活动"]
        assert [b["text"] for b in card["button_list"]] == ["记录活动"]
        world.fake.fail("message/send", 60111, touser=LEAD)  # the member left the company
        gone = await push(world, "idle:1:2026-12")
        assert gone.status is OutboxStatus.FAILED and gone.attempts == 1


async def test_a_member_gets_at_most_30_messages_a_minute(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        clock = [1000.0]
        waited: list[float] = []

        async def sleep(seconds: float) -> None:
            waited.append(seconds)
            clock[0] += seconds

        rate = MemberRate(now=lambda: clock[0])
        world.wecom.outbound.count = rate.count
        pusher = WeComPusher(world.wecom.outbound, rate, sleep=sleep)
        target = PushTarget(world.seeded.lead_id, "wecom", LEAD, LEAD, utcnow(), "zh_CN")
        for n in range(15):
            clock[0] += 1
            await pusher.push(target, Reply(text=f"第 {n} 条"), kind="notice")  # 15 texts
            await pusher.push(target, Reply(text="", buttons=REMINDER.buttons), kind="notice")  # 15 cards
        assert not waited
        await pusher.push(target, Reply(text="第 31 条"), kind="notice")
        assert waited == [46.0]  # the first of the 30 went at 1001 s: the 31st may go at 1061 s, 46 s after 1015
        assert len(world.fake.sent("message/send", touser=LEAD)) == 31
