"""Pushes to OA followers through the real outbox sender: 48-hour window, template messages, 45015, held messages."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from handlers.core.types import Button, Reply, reply_to_dict
from storage.base import utcnow
from storage.models import ChannelIdentity, OutboxMessage, OutboxStatus
from storage.repos import outbox
from tests.support.wechat_world import TEMPLATE_ID, WxWorld, wechat_world

LEAD = "oLEAD-openid-0001"
REMINDER = Reply(
    text="工作室已30天没有记录活动\n请及时记录日常活动台账。",
    buttons=((Button("记录活动", "go:activity~abcdefghij"),),),
)


async def bound_lead(world: WxWorld, *, last_seen_ago: timedelta | None = None) -> None:
    answer = await world.oa_platform.text(LEAD, f"绑定 {world.seeded.lead_code}")
    assert "王建国" in answer.text
    if last_seen_ago is not None:
        async with world.runtime.sessions() as s, s.begin():
            await s.execute(update(ChannelIdentity).values(last_inbound_at=utcnow() - last_seen_ago))


async def push(world: WxWorld, key: str, reply: Reply = REMINDER) -> OutboxMessage:
    """Queue a notice for the lead and let the real sender push it; the row afterwards."""
    async with world.runtime.sessions() as s, s.begin():
        await outbox.enqueue(session=s, key=key, person_id=world.seeded.lead_id, payload=reply_to_dict(reply))
    assert world.runtime.sender is not None
    await world.runtime.sender.run_once()
    async with world.runtime.sessions() as s:
        row = await s.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))
    assert row is not None
    return row


async def test_within_48_hours_a_customer_service_message_goes(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await bound_lead(world, last_seen_ago=timedelta(hours=47))
        row = await push(world, "idle:1:2026-11")
        assert row.status is OutboxStatus.SENT
        [menu] = world.fake.sent("message/custom/send", touser=LEAD, msgtype="msgmenu")
        assert menu.body["msgmenu"]["head_content"].startswith("工作室已30天")
        assert not world.fake.sent("message/template/send")


async def test_outside_48_hours_a_template_message_links_to_the_item(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await bound_lead(world, last_seen_ago=timedelta(hours=49))
        row = await push(world, "idle:1:2026-12", Reply(text="工作室已30天没有记录活动\n<请及时记录> & 跟进"))
        assert row.status is OutboxStatus.SENT
        assert not world.fake.sent("message/custom/send", touser=LEAD)
        [template] = world.fake.sent("message/template/send", touser=LEAD)
        assert template.body["template_id"] == TEMPLATE_ID
        assert template.body["data"]["keyword1"]["value"] == "工作室已30天没有记录活动"
        url = template.body["url"]
        assert url.startswith("https://bot.example.cn/wechat/item/")
        page = await world.http.get(url.removeprefix("https://bot.example.cn"))
        assert page.status_code == 200
        assert "&lt;请及时记录&gt; &amp; 跟进" in page.text and "<请及时记录>" not in page.text
        gone = await world.http.get("/wechat/item/no-such-item")
        assert gone.status_code == 404
        metrics = (await world.http.get("/metrics")).text
        assert 'studio_replies_total{channel="wechat",way="template"} 1.0' in metrics


async def test_45015_from_customer_service_falls_back_to_the_template(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await bound_lead(world, last_seen_ago=timedelta(hours=2))
        world.fake.fail("message/custom/send", 45015, touser=LEAD)
        row = await push(world, "cycle:1:1:T-30")
        assert row.status is OutboxStatus.SENT
        assert len(world.fake.sent("message/custom/send", touser=LEAD)) == 1  # refused with 45015
        assert len(world.fake.sent("message/template/send", touser=LEAD)) == 1


async def test_a_message_that_cannot_go_is_held_until_the_follower_writes(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await bound_lead(world, last_seen_ago=timedelta(days=5))
        world.fake.fail("message/template/send", 43004, touser=LEAD)  # unsubscribed meanwhile
        row = await push(world, "cycle:1:1:T-7")
        assert row.status is OutboxStatus.SENT  # handed over: kept by the channel, not lost
        assert not world.fake.sent("message/custom/send", touser=LEAD)
        answer = await world.oa_platform.text(LEAD, "帮助")  # back: the window is open again
        await world.settle()
        assert "记录活动" in answer.text
        [menu] = world.fake.sent("message/custom/send", touser=LEAD, msgtype="msgmenu")
        assert menu.body["msgmenu"]["head_content"].startswith("工作室已30天")
        await world.oa_platform.text(LEAD, "帮助")
        await world.settle()
        assert len(world.fake.sent("message/custom/send", touser=LEAD, msgtype="msgmenu")) == 1  # once only


async def test_a_follower_who_never_wrote_gets_the_template(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await bound_lead(world)
        async with world.runtime.sessions() as s, s.begin():
            await s.execute(update(ChannelIdentity).values(last_inbound_at=None))
        row = await push(world, "notice:never")
        assert row.status is OutboxStatus.SENT
        assert len(world.fake.sent("message/template/send", touser=LEAD)) == 1
