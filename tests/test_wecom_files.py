"""Files to a WeCom member through the protocol: the fake API sees media/upload with the file's bytes, then a
message/send of that media_id to that member — an export (导出), and an entry's attachments (📎 查看附件)."""

from __future__ import annotations

import asyncio
import io
import time
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from handlers.core.payloads import pack
from handlers.core.presses import ReviewAction, ReviewPress
from storage.models import Attachment, LedgerEntry, RoleKind, UnionLevel
from storage.repos import org, persons
from tests.support.fake_wechat import Call
from tests.support.telegram_world import STUDIO
from tests.support.wechat_world import WxWorld, wechat_world
from tests.support.world import add_identity
from tests.test_wecom_channel import LEAD, cards, press, say, texts
from tests.test_wecom_review import REVIEWER, key_of, press_card

PHOTO = b"\x89PNG\r\n\x1a\n wecom site photo " + bytes(range(256))  # every byte value survives the round trip
OUTSIDER = "xuhui-reviewer"


def uploads(world: WxWorld) -> list[Call]:
    return [c for c in world.fake.calls if c.path == "media/upload"]


def sent_media(world: WxWorld, user: str, msgtype: str) -> list[str]:
    """The media ids sent to a member as messages of `msgtype`, oldest first."""
    return [c.body[msgtype]["media_id"] for c in world.fake.sent("message/send", touser=user, msgtype=msgtype)]


async def log_with_photo(world: WxWorld) -> int:
    """The lead, bound on WeCom, logs an activity with a photo sent from WeCom; the entry id."""
    await say(world, LEAD, f"绑定 {world.seeded.lead_code}")
    await say(world, LEAD, "记录活动")
    for label in ("今天", "技术攻关"):
        await press(world, LEAD, label)
    await say(world, LEAD, "主轴振动攻关")
    for label in ("跳过", "李明", "完成", "4"):
        await press(world, LEAD, label)
    await say(world, LEAD, "分析主轴振动原因，更换轴承并复测。")
    await press(world, LEAD, "跳过")  # results
    await world.wecom_platform.image(LEAD, world.fake.add_media(PHOTO, media_type="image/png"))
    await world.settle()
    await press(world, LEAD, "完成")  # files → summary
    await press(world, LEAD, "提交")
    async with world.runtime.sessions() as s:
        entry_id = await s.scalar(select(LedgerEntry.id).where(LedgerEntry.title == "主轴振动攻关"))
    assert entry_id is not None, texts(world, LEAD)
    return int(entry_id)


async def card_with_files(world: WxWorld) -> dict[str, Any]:
    """The reviewer, bound on WeCom before the entry came, gets its card pushed: the one with 查看附件."""
    assert world.runtime.sender is not None
    assert await world.runtime.sender.run_once() >= 1
    [card] = [c for c in cards(world, REVIEWER) if any("查看附件" in b["text"] for b in c["button_list"])]
    return card


async def test_a_lead_on_wecom_receives_the_exported_workbook(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await log_with_photo(world)
        assert not uploads(world)
        answer = await say(world, LEAD, "导出 全部")  # every status: the activity is still awaiting review
        assert answer.status == 200
        [upload] = uploads(world)
        assert upload.params["type"] == "file" and upload.filename.endswith(".xlsx") and STUDIO in upload.filename
        book = load_workbook(io.BytesIO(upload.upload))
        activities = book["日常活动台账"]
        assert activities.max_row == 2 and "主轴振动攻关" in [c.value for c in activities[2]]
        [media_id] = sent_media(world, LEAD, "file")
        assert world.fake.media[media_id][0] == upload.upload  # the id answered to that upload
        assert any("台账已导出" in t for t in [answer.text, *texts(world, LEAD)])


async def test_a_reviewer_on_wecom_presses_for_the_files_and_gets_the_photo(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await say(world, REVIEWER, f"绑定 {world.seeded.reviewer_code}")
        await log_with_photo(world)
        card = await card_with_files(world)
        assert not uploads(world)
        now = int(time.time())
        await press_card(world, card, "查看附件", at=now)
        [upload] = uploads(world)
        async with world.runtime.sessions() as s:
            [stored] = list(await s.scalars(select(Attachment)))
        stored_bytes = await asyncio.to_thread(Path(stored.stored_path).read_bytes)
        assert upload.params["type"] == "image" and upload.upload == stored_bytes == PHOTO
        [media_id] = sent_media(world, REVIEWER, "image")
        assert world.fake.media[media_id][0] == PHOTO
        assert not world.fake.sent("message/send", touser=LEAD, msgtype="image")
        assert any("「主轴振动攻关」的附件，共 1 个" in t for t in texts(world, REVIEWER))
        looking = world.fake.sent("message/update_template_card", userids=[REVIEWER])
        assert not looking  # looking decides nothing: the card stays pressable
        # in the same second: two buttons of one card are two events (the delivery id names the card and the button)
        await press_card(world, card, "通过", at=now)
        [update] = world.fake.sent("message/update_template_card", userids=[REVIEWER])
        assert update.body["button"]["replace_name"] == "✅ 已通过"


async def test_nobody_else_gets_the_files_by_pressing(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await say(world, REVIEWER, f"绑定 {world.seeded.reviewer_code}")
        entry_id = await log_with_photo(world)
        card = await card_with_files(world)
        async with world.runtime.sessions() as s, s.begin():
            xuhui = await org.create_union(session=s, name="徐汇区总工会", level=UnionLevel.DISTRICT)
            outsider = await persons.create_person(session=s, name="徐审核")
            await org.grant_role(session=s, person=outsider, kind=RoleKind.REVIEWER, union=xuhui)
        await add_identity(world.runtime.sessions, outsider, OUTSIDER, channel="wecom")
        # the key of the reviewer's card, pressed by a reviewer of another district (as if passed on)
        borrowed = await world.wecom_platform.press(OUTSIDER, key_of(card, "查看附件"), card["task_id"], "code1")
        await world.settle()
        assert borrowed.status == 200
        shown = [borrowed.text, *texts(world, OUTSIDER)]
        assert any("您没有查看这个工作室台账的权限" in t for t in shown), shown
        # a forged press (not signed with the bot's secret) by the reviewer who may see the entry
        forged = pack(b"not-our-secret", ReviewPress(ReviewAction.FILES, entry_id))
        answer = await world.wecom_platform.press(REVIEWER, forged, card["task_id"], "code2")
        await world.settle()
        assert answer.status == 200
        assert "按钮无效或已过期" in answer.text
        assert not uploads(world)
        assert not [
            c for c in world.fake.calls if c.path == "message/send" and c.body.get("msgtype") in ("image", "file")
        ]
