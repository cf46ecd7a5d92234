"""The WeCom app over real HTTP: the callback handshake, binding, a whole activity conversation on cards, errors."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from wechatpy.enterprise.crypto import PrpCrypto

from storage.models import Attachment, ChannelIdentity, Conversation, EntryStatus, LedgerEntry, SeenDelivery
from tests.support.fake_wechat import CORP_ID
from tests.support.wechat_world import WECOM_TOKEN, Answer, WxWorld, _stamp, wechat_world
from tests.test_wechat_errors import BOMB, EXTERNAL

LEAD = "wangjianguo"


def cards(world: WxWorld, user: str) -> list[dict[str, Any]]:
    """The template cards sent to a member, oldest first."""
    return [c.body["template_card"] for c in world.fake.sent("message/send", touser=user, msgtype="template_card")]


def texts(world: WxWorld, user: str) -> list[str]:
    """The text messages sent to a member by the API, oldest first."""
    return [c.body["text"]["content"] for c in world.fake.sent("message/send", touser=user, msgtype="text")]


async def press(world: WxWorld, user: str, label: str) -> Answer:
    """Press the newest card button whose text contains `label`, as WeCom reports it."""
    for card in reversed(cards(world, user)):
        for button in card["button_list"]:
            if label in button["text"]:
                answer = await world.wecom_platform.press(user, button["key"], card["task_id"], secrets.token_hex(8))
                await world.settle()
                return answer
    raise AssertionError(f"no button {label!r} in {[b['text'] for c in cards(world, user) for b in c['button_list']]}")


async def say(world: WxWorld, user: str, text: str) -> Answer:
    answer = await world.wecom_platform.text(user, text)
    await world.settle()
    return answer


async def test_the_callback_handshake_decrypts_echostr(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        timestamp, nonce = _stamp()
        echo = PrpCrypto(world.wecom_platform.crypto.key).encrypt("1846270813427364", CORP_ID)
        echo = echo.decode() if isinstance(echo, bytes) else echo
        signature = hashlib.sha1("".join(sorted([WECOM_TOKEN, timestamp, nonce, echo])).encode()).hexdigest()
        query = {"msg_signature": signature, "timestamp": timestamp, "nonce": nonce, "echostr": echo}
        ok = await world.http.get("/wecom", params=query)
        assert (ok.status_code, ok.text) == (200, "1846270813427364")
        bad = await world.http.get("/wecom", params={**query, "msg_signature": "0" * 40})
        assert bad.status_code == 403 and "1846270813427364" not in bad.text
        garbage = "QUJD" * 8
        signed = hashlib.sha1("".join(sorted([WECOM_TOKEN, timestamp, nonce, garbage])).encode()).hexdigest()
        undecryptable = await world.http.get("/wecom", params={**query, "msg_signature": signed, "echostr": garbage})
        assert undecryptable.status_code == 400 and "Traceback" not in undecryptable.text


async def test_binding_then_a_whole_activity_conversation_on_cards(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        bound = await say(world, LEAD, f"绑定 {world.seeded.lead_code}")
        assert bound.status == 200 and "王建国" in bound.text
        start = await say(world, LEAD, "记录活动")
        assert start.text == ""  # the question has buttons: it went out as cards
        first = cards(world, LEAD)[0]
        shown = first["main_title"]["title"] + first.get("sub_title_text", "") + "".join(texts(world, LEAD))
        assert first["card_type"] == "button_interaction" and "活动是哪天" in shown
        await press(world, LEAD, "今天")
        kinds = [b["text"] for c in cards(world, LEAD)[-3:] for b in c["button_list"]]
        assert "技术攻关" in kinds and all(len(c["button_list"]) <= 6 for c in cards(world, LEAD))
        await press(world, LEAD, "技术攻关")
        await say(world, LEAD, "主轴振动攻关")
        await press(world, LEAD, "跳过")  # place
        await press(world, LEAD, "李明")
        await press(world, LEAD, "完成")
        await press(world, LEAD, "4")  # hours
        await say(world, LEAD, "分析主轴振动原因，更换轴承并复测。")
        await press(world, LEAD, "跳过")  # results
        photo = world.fake.add_media(b"\x89PNG wecom photo", media_type="image/png")
        await world.wecom_platform.image(LEAD, photo)
        await world.settle()
        await press(world, LEAD, "完成")  # files → summary
        await press(world, LEAD, "提交")
        async with world.runtime.sessions() as s:
            entry = await s.scalar(select(LedgerEntry))
            assert entry is not None and entry.title == "主轴振动攻关" and entry.status is EntryStatus.SUBMITTED
            attachment = await s.scalar(select(Attachment))
            assert attachment is not None and attachment.channel == "wecom" and attachment.media_type == "image/png"
            assert await s.scalar(select(func.count()).select_from(Conversation)) == 0
        assert any("主轴振动攻关" in t for t in texts(world, LEAD))  # the submitted-note names the entry


async def test_the_same_message_three_times_is_processed_once(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        platform = world.wecom_platform
        bind = platform.xml(LEAD, "text", {"Content": f"绑定 {world.seeded.lead_code}"})
        answers = [await platform.post(bind) for _ in range(3)]
        assert answers[0].text == answers[1].text == answers[2].text and "王建国" in answers[0].text
        start = platform.xml(LEAD, "text", {"Content": "记录活动"})
        for _ in range(3):
            await platform.post(start)
        await world.settle()
        first_cards = [c for c in cards(world, LEAD) if "今天" in str(c["button_list"])]
        assert len(first_cards) == 1
        async with world.runtime.sessions() as s:
            assert await s.scalar(select(func.count()).select_from(ChannelIdentity)) == 1
            assert await s.scalar(select(func.count()).select_from(SeenDelivery)) == 2


async def test_bad_signatures_bad_xml_and_odd_messages(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        timestamp, nonce = _stamp()
        forged = await world.http.post(
            "/wecom",
            params={"msg_signature": "0" * 40, "timestamp": timestamp, "nonce": nonce},
            content=b"<xml><ToUserName>x</ToUserName><Encrypt>AAAA</Encrypt></xml>",
        )
        assert forged.status_code == 403
        for body in (b"<xml><Encrypt>", BOMB.encode(), EXTERNAL.encode(), b"<xml><ToUserName>x</ToUserName></xml>"):
            answer = await world.http.post(
                "/wecom", params={"msg_signature": "0" * 40, "timestamp": timestamp, "nonce": nonce}, content=body
            )
            assert answer.status_code == 400 and "Traceback" not in answer.text
        platform = world.wecom_platform
        assert (await platform.post(BOMB)).status == 400  # a bomb inside a well-encrypted envelope
        video = await platform.post(platform.xml(LEAD, "video", {"MediaId": "V1", "ThumbMediaId": "T1"}))
        assert video.status == 200 and "暂不支持" in video.text  # (voice is understood: test_voice_channels)
        entering = await platform.post(platform.xml(LEAD, "event", {"Event": "enter_agent", "EventKey": ""}))
        assert entering.status == 200 and entering.text == ""
        async with world.runtime.sessions() as s:
            assert await s.scalar(select(func.count()).select_from(SeenDelivery)) == 0


async def test_a_retry_of_a_long_plain_reply_gets_the_same_first_piece(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await say(world, LEAD, f"绑定 {world.seeded.lead_code}")
        platform = world.wecom_platform
        xml = platform.xml(LEAD, "text", {"Content": "履历 " + "长" * 1500})  # echoed: a 4.5 KB plain answer
        first = await platform.post(xml)
        await world.settle()
        sent = texts(world, LEAD)
        assert 0 < len(first.text.encode()) <= 2048 and sent and all(len(t.encode()) <= 2048 for t in sent)
        retry = await platform.post(xml)  # WeCom's retry: our first answer did not reach it
        await world.settle()
        assert retry.text == first.text and texts(world, LEAD) == sent  # the first piece again, nothing resent


async def test_app_menu_clicks_with_unknown_keys_get_a_polite_answer(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await say(world, LEAD, f"绑定 {world.seeded.lead_code}")
        platform = world.wecom_platform
        for key in ("MENU_KEY_01", "nonexistent", "菜单-1"):
            answer = await platform.post(platform.xml(LEAD, "event", {"Event": "click", "EventKey": key}))
            assert "没听懂" in answer.text, key
        help_click = await platform.post(platform.xml(LEAD, "event", {"Event": "click", "EventKey": "help"}))
        assert "记录活动" in help_click.text
