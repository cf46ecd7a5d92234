"""The Official Account over real HTTP: URL verification, binding, a whole activity conversation by msgmenu, files."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.channel_services import RuntimeServices
from bot.channels.wechat.channel import WeChatChannel
from handlers.core.payloads import peek
from handlers.core.presses import FlowPress
from storage.models import Attachment, ChannelIdentity, Conversation, EntryStatus, LedgerEntry
from tests.support.fake_wechat import Call
from tests.support.wechat_world import OA_TOKEN, OAPlatform, WxWorld, _sign, _stamp, wechat_world

LEAD = "oLEAD-openid-0001"


def last_menu(world: WxWorld, openid: str) -> dict[str, Any]:
    """The newest customer-service msgmenu sent to this follower."""
    menus = [c for c in world.fake.sent("message/custom/send", touser=openid) if c.body["msgtype"] == "msgmenu"]
    assert menus, f"no msgmenu was sent to {openid}; calls: {[c.body for c in world.fake.calls]}"
    return dict(menus[-1].body["msgmenu"])


def texts_to(world: WxWorld, openid: str) -> list[str]:
    """Every customer-service text sent to this follower."""
    calls: list[Call] = world.fake.sent("message/custom/send", touser=openid)
    return [c.body["text"]["content"] for c in calls if c.body["msgtype"] == "text"]


async def click(world: WxWorld, openid: str, label: str) -> str:
    """Click the item of the newest msgmenu whose text contains `label`, as WeChat reports it; the passive reply."""
    menu = last_menu(world, openid)
    item = next((i for i in menu["list"] if label in i["content"]), None)
    assert item is not None, f"{label!r} not in {[i['content'] for i in menu['list']]}"
    answer = await world.oa_platform.text(openid, item["content"], bizmsgmenuid=item["id"])
    assert answer.status == 200
    await world.settle()
    return answer.text


async def bind_lead(world: WxWorld) -> None:
    answer = await world.oa_platform.text(LEAD, f"绑定 {world.seeded.lead_code}")
    assert answer.status == 200 and "王建国" in answer.text


async def test_url_verification_echoes_and_refuses_a_bad_signature(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        timestamp, nonce = _stamp()
        good = {"signature": _sign(OA_TOKEN, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
        ok = await world.http.get("/wechat", params={**good, "echostr": "echo-123456"})
        assert (ok.status_code, ok.text) == (200, "echo-123456")
        bad = await world.http.get("/wechat", params={**good, "signature": "0" * 40, "echostr": "x"})
        assert bad.status_code == 403 and "x" not in bad.text


async def test_binding_then_a_whole_activity_conversation_by_msgmenu(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await bind_lead(world)
        oa = world.oa_platform
        start = await oa.text(LEAD, "记录活动")
        await world.settle()
        assert start.status == 200 and start.text == ""  # the question went out as a msgmenu
        assert "哪天" in last_menu(world, LEAD)["head_content"]
        await click(world, LEAD, "今天")
        await click(world, LEAD, "攻关")
        await oa.text(LEAD, "主轴振动攻关")
        await world.settle()
        await click(world, LEAD, "跳过")  # place
        await click(world, LEAD, "李明")
        await click(world, LEAD, "赵强")
        await click(world, LEAD, "完成")
        await click(world, LEAD, "2")  # hours
        await oa.text(LEAD, "分析主轴振动原因，更换轴承并复测。")
        await world.settle()
        await click(world, LEAD, "跳过")  # results
        photo = world.fake.add_media(b"\xff\xd8\xff\xe0 a photo of the spindle", media_type="image/jpeg")
        await oa.image(LEAD, photo)
        await world.settle()
        await click(world, LEAD, "完成")  # files → summary
        summary = last_menu(world, LEAD)
        assert "主轴振动攻关" in summary["head_content"]
        await click(world, LEAD, "提交")
        async with world.runtime.sessions() as s:
            entry = await s.scalar(select(LedgerEntry))
            assert entry is not None and entry.title == "主轴振动攻关" and entry.status is EntryStatus.SUBMITTED
            attachment = await s.scalar(select(Attachment))
            assert attachment is not None and attachment.entry_id == entry.id and attachment.channel == "wechat"
            stored = await asyncio.to_thread(Path(attachment.stored_path).read_bytes)
            assert stored == b"\xff\xd8\xff\xe0 a photo of the spindle"
            assert await s.scalar(select(func.count()).select_from(Conversation)) == 0


async def test_a_menu_id_of_another_follower_is_only_text(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await bind_lead(world)
        await world.oa_platform.text(LEAD, "记录活动")
        await world.settle()
        item = last_menu(world, LEAD)["list"][0]
        stranger = await world.oa_platform.text("oSTRANGER", item["content"], bizmsgmenuid=item["id"])
        assert stranger.status == 200 and "绑定" in stranger.text  # not a press on the lead's behalf


async def test_plaintext_mode_answers_plain_xml(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path, safe_mode=False) as world:
        answer = await world.oa_platform.text("oNEW", "帮助")
        assert answer.status == 200 and "<Encrypt>" not in answer.body and "绑定" in answer.text
        async with world.runtime.sessions() as s:
            assert await s.scalar(select(func.count()).select_from(ChannelIdentity)) == 0


async def test_subscribe_with_a_binding_code_scene_binds(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        now = int(time.time())
        answer = await world.oa_platform.event(LEAD, "subscribe", f"qrscene_{world.seeded.lead_code}", at=now)
        assert "王建国" in answer.text
        click_menu = await world.oa_platform.event(LEAD, "CLICK", "help", at=now)  # same second, another event
        assert "记录活动" in click_menu.text
        ignored = await world.oa_platform.event(LEAD, "VIEW", "https://example.cn", at=now)
        assert ignored.status == 200 and ignored.body == "success"


async def test_without_customer_service_rights_buttons_become_numbers(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await bind_lead(world)
        world.fake.fail("message/custom/send", 48001)
        oa: OAPlatform = world.oa_platform
        start = await oa.text(LEAD, "记录活动")
        assert "哪天" in start.text and "1. " in start.text and "回复序号" in start.text
        chosen = await oa.text(LEAD, "1")  # today, typed as its number
        assert "活动类别" in chosen.text and "6. 技术攻关" in chosen.text and "12. 返回" in chosen.text
        await oa.text(LEAD, "6")
        async with world.runtime.sessions() as s:
            conv = await s.scalar(select(Conversation))
            assert conv is not None and conv.data["values"]["kind"] == "攻关" and conv.data["values"]["occurred_on"]
        assert len(world.fake.sent("message/custom/send", msgtype="msgmenu")) == 1  # refused once, never retried


async def test_a_menu_click_is_understood_by_another_process(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await bind_lead(world)
        await world.oa_platform.text(LEAD, "记录活动")
        await world.settle()
        item = last_menu(world, LEAD)["list"][0]
        await world.oa.outbound.menus.flush()  # stored in the background a moment after sending
        other = WeChatChannel(RuntimeServices(world.runtime))  # a second server process: nothing in its memory
        msg = {"MsgType": "text", "FromUserName": LEAD, "Content": item["content"], "bizmsgmenuid": item["id"]}
        received = await other.inbound.convert({**msg, "MsgId": "77", "CreateTime": "1"})
        assert received.incoming is not None and received.incoming.payload is not None
        assert isinstance(peek(received.incoming.payload), FlowPress)
