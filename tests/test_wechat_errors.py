"""What the Official Account endpoint refuses or absorbs: bad signatures, bad XML, bombs, retries, odd messages."""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.models import ChannelIdentity, Conversation, SeenDelivery
from tests.support.fake_wechat import APP_SECRET, CORP_SECRET
from tests.support.wechat_world import OA_TOKEN, WECOM_TOKEN, WxWorld, wechat_world

LEAD = "oLEAD-openid-0001"
BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<xml><ToUserName>gh</ToUserName><FromUserName>oX</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&lol4;</Content><MsgId>1</MsgId></xml>"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh</ToUserName><FromUserName>oX</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>2</MsgId></xml>"""


async def count(world: WxWorld, model: type) -> int:
    async with world.runtime.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_bad_signature_gets_403_and_nothing_happens(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        oa = world.oa_platform
        xml = oa.xml(LEAD, "text", {"Content": f"绑定 {world.seeded.lead_code}"})
        forged = await oa.post(xml, query=oa.query(signature="f" * 40))
        assert forged.status == 403 and "Traceback" not in forged.body
        wrong_msg_signature = await world.http.post(
            "/wechat",
            params={**oa.query(), "encrypt_type": "aes", "msg_signature": "0" * 40},
            content=b"<xml><ToUserName>gh</ToUserName><Encrypt>AAAA</Encrypt></xml>",
        )
        assert wrong_msg_signature.status_code == 403
        assert await count(world, SeenDelivery) == 0
        genuine = await oa.post(xml)
        assert genuine.status == 200 and "王建国" in genuine.text
        assert await count(world, ChannelIdentity) == 1


async def test_bad_xml_bombs_and_external_entities_get_400(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path, safe_mode=False) as world:
        oa = world.oa_platform
        huge = "<xml><Content>" + "长" * 200_000 + "</Content></xml>"
        for body in ("<xml><ToUserName>gh</To", BOMB, EXTERNAL, "not xml at all", "<html></html>", huge):
            answer = await oa.post("", body=body)
            assert answer.status == 400, body[:40]
            assert "Traceback" not in answer.body and "passwd" not in answer.body
        assert await count(world, SeenDelivery) == 0


async def test_bombs_inside_the_encryption_and_undecryptable_bodies_get_400(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        oa = world.oa_platform
        assert (await oa.post(BOMB)).status == 400  # encrypted by the platform helper, bomb inside
        assert (await oa.post(EXTERNAL)).status == 400
        crypto = oa.crypto
        assert crypto is not None
        q = oa.query()
        garbage = "Z" * 64
        signature = hashlib.sha1("".join(sorted([crypto.token, q["timestamp"], q["nonce"], garbage])).encode())
        answer = await world.http.post(
            "/wechat",
            params={**q, "encrypt_type": "aes", "msg_signature": signature.hexdigest()},
            content=f"<xml><ToUserName>gh</ToUserName><Encrypt>{garbage}</Encrypt></xml>".encode(),
        )
        assert answer.status_code == 400 and "Traceback" not in answer.text


async def test_the_same_message_three_times_is_processed_once(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        oa = world.oa_platform
        bind = oa.xml(LEAD, "text", {"Content": f"绑定 {world.seeded.lead_code}"}, msg_id=5_000_001)
        answers = [await oa.post(bind) for _ in range(3)]
        assert [a.status for a in answers] == [200, 200, 200]
        assert answers[0].text == answers[1].text == answers[2].text and "王建国" in answers[0].text
        start = oa.xml(LEAD, "text", {"Content": "记录活动"}, msg_id=5_000_002)
        for _ in range(3):
            assert (await oa.post(start)).status == 200
        await world.settle()
        assert len(world.fake.sent("message/custom/send", msgtype="msgmenu")) == 1
        assert await count(world, ChannelIdentity) == 1
        assert await count(world, Conversation) == 1
        now = int(time.time())
        for _ in range(3):  # events: the same sender and CreateTime is the same event
            await oa.event(LEAD, "CLICK", "help", at=now + 30)
        async with world.runtime.sessions() as s:
            ids = list(await s.scalars(select(SeenDelivery.delivery_id)))
        assert sorted(ids) == sorted(["m:5000001", "m:5000002", f"e:{LEAD}:{now + 30}:CLICK:help"])


async def test_unknown_message_types_and_lost_media_get_a_polite_text(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        oa = world.oa_platform
        video = await oa.post(oa.xml(LEAD, "video", {"MediaId": "V1", "ThumbMediaId": "T1"}))
        assert video.status == 200 and "暂不支持" in video.text  # (voice is understood: test_voice_channels)
        location = await oa.post(oa.xml(LEAD, "location", {"Location_X": "31.2", "Location_Y": "121.5"}))
        assert "暂不支持" in location.text
        await oa.text(LEAD, f"绑定 {world.seeded.lead_code}")
        await oa.text(LEAD, "记录活动")  # media is fetched only for a record that takes files
        await world.settle()
        lost = await oa.image(LEAD, "MEDIA-that-expired")
        assert lost.status == 200 and "没能收到" in lost.text


async def test_logs_never_show_secrets_or_tokens(db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with wechat_world(db_url, tmp_path) as world:
        oa = world.oa_platform
        await oa.text(LEAD, f"绑定 {world.seeded.lead_code}")
        world.fake.fail("message/custom/send", 45009)
        await oa.text(LEAD, "记录活动")  # the msgmenu is refused: logged, answered as numbered text
        await world.settle()
        await oa.post(oa.xml(LEAD, "text", {"Content": "x"}), query=oa.query(signature="0" * 40))
        await oa.post(BOMB)  # inside the encryption: safe mode refuses a plaintext body before reading it
        world.fake.revoke_tokens()
        await world.wecom_platform.text("member1", f"绑定 {world.seeded.reviewer_code}")
        await world.wecom_platform.text("member1", "记录活动")
        await world.settle()
        settings = world.runtime.settings
        secrets = [
            APP_SECRET,
            CORP_SECRET,
            OA_TOKEN,
            WECOM_TOKEN,
            settings.wechat_aes_key.get_secret_value() if settings.wechat_aes_key else "",
            settings.wecom_aes_key.get_secret_value() if settings.wecom_aes_key else "",
            *world.fake.tokens_issued,
        ]
    assert "access_token=<redacted>" in caplog.text  # urllib3 did log the API calls, masked
    leaked = [s for s in secrets if s and s in caplog.text]
    assert not leaked
