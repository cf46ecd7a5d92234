"""A generated corpus of hostile requests to every public endpoint: the right refusal, never a 500 nor a traceback.

Malformed XML and JSON, huge fields, wrong types, bad signatures, NUL bytes and deep nesting go to /wechat,
/wecom, /telegram and the download links; afterwards nothing was written and the server still answers.
"""

from __future__ import annotations

import json
import logging
import random
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Attachment, BindAttempt, ChannelIdentity, Conversation, LedgerEntry
from tests.support.fake_telegram import text_update
from tests.support.telegram_world import STRANGER_TG, WEBHOOK_SECRET, telegram_world
from tests.support.wechat_world import OA_TOKEN, WECOM_TOKEN, _sign, _stamp, wechat_world

REFUSALS = {400, 403, 404, 405, 413}
RNG_SEED = 20

XML_BODIES: list[bytes] = [
    b"",
    b"not xml at all",
    b"<xml>",
    b"<xml><a></xml>",
    b"<xml>\x00</xml>",
    b"\x00" * 64,
    b"\xff\xfe<\x00x\x00",
    b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;'>]><xml>&b;</xml>",
    b"<!DOCTYPE xml SYSTEM 'file:///etc/passwd'><xml><Content>&xxe;</Content></xml>",
    b"<xml>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</xml>",
    b"<xml><Encrypt></Encrypt></xml>",
    b"<xml><Encrypt><![CDATA[%%%not base64%%%]]></Encrypt></xml>",
    b"<xml><Encrypt><![CDATA[" + b"QUFB" * 100 + b"]]></Encrypt></xml>",
    b"<xml><Encrypt>a</Encrypt><Encrypt>b</Encrypt></xml>",
    b"[1, 2, 3]",
    b'{"xml": 1}',
]
INNER_XML: list[str] = [
    "",
    "garbage",
    "<xml>",
    "<xml><MsgType>text</MsgType></xml>",
    "<xml><FromUserName>\x00</FromUserName><MsgType>text</MsgType><Content>hi</Content></xml>",
    "<xml><FromUserName>o1</FromUserName><MsgType><a>1</a><b>2</b></MsgType></xml>",
    "<xml><FromUserName>o1</FromUserName><MsgType>text</MsgType><Content><x>y</x></Content></xml>",
    "<xml><FromUserName>o1</FromUserName><MsgType>text</MsgType><Content>" + "长" * 5000 + "</Content></xml>",
    "<xml><FromUserName>o1</FromUserName><MsgType>event</MsgType><Event><e/></Event><EventKey>k</EventKey></xml>",
    "<xml><FromUserName>o1</FromUserName><MsgType>image</MsgType><MediaId></MediaId></xml>",
    "<xml><FromUserName>o1</FromUserName><MsgType>text</MsgType><CreateTime>-5</CreateTime><Content>x</Content></xml>",
    "<xml><FromUserName>o1</FromUserName><MsgType>text</MsgType><MsgId>x" + "9" * 400 + "</MsgId></xml>",
    "<xml>" + "<a>" * 50 + "</a>" * 50 + "</xml>",
]


async def written(sessions: async_sessionmaker[AsyncSession]) -> list[int]:
    """Rows a hostile request must never create."""
    async with sessions() as s:
        models = (ChannelIdentity, LedgerEntry, Conversation, Attachment, BindAttempt)
        return [int(await s.scalar(select(func.count()).select_from(m)) or 0) for m in models]


def never_broke(caplog: pytest.LogCaptureFixture) -> None:
    assert "Traceback" not in caplog.text, caplog.text[-3000:]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text[-3000:]


async def test_wechat_wecom_and_download_links_refuse_a_hostile_corpus(
    db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rng = random.Random(RNG_SEED)
    async with wechat_world(db_url, tmp_path) as world:
        before = await written(world.runtime.sessions)
        http, statuses = world.http, []
        with caplog.at_level(logging.INFO):
            for body in XML_BODIES:  # signed, or not, or stale, with every malformed body
                timestamp, nonce = _stamp()
                oa_sig = _sign(OA_TOKEN, timestamp, nonce)
                queries = [
                    {},
                    {"signature": "0" * 40, "timestamp": timestamp, "nonce": nonce},
                    {"signature": oa_sig, "timestamp": timestamp, "nonce": nonce},
                    {"signature": oa_sig, "timestamp": timestamp, "nonce": nonce, "encrypt_type": "aes"},
                    {"signature": oa_sig, "timestamp": "1", "nonce": nonce, "msg_signature": "x"},
                    {"signature": oa_sig + "\x00", "timestamp": timestamp, "nonce": nonce},
                ]
                for query in queries:
                    statuses.append(("/wechat", (await http.post("/wechat", params=query, content=body)).status_code))
                wecom_sig = _sign(WECOM_TOKEN, timestamp, nonce, body.decode("latin-1"))
                for query in ({}, {"msg_signature": "x", "timestamp": timestamp, "nonce": nonce}):
                    statuses.append(("/wecom", (await http.post("/wecom", params=query, content=body)).status_code))
                query = {"msg_signature": wecom_sig, "timestamp": timestamp, "nonce": nonce}
                statuses.append(("/wecom", (await http.post("/wecom", params=query, content=body)).status_code))
            for inner in INNER_XML:  # correctly encrypted and signed, broken inside
                q, body_text = world.oa_platform.envelope(inner, world.oa_platform.query())
                statuses.append(
                    ("/wechat", (await http.post("/wechat", params=q, content=body_text.encode())).status_code)
                )
                wq, wbody = world.wecom_platform.envelope(inner)
                statuses.append(("/wecom", (await http.post("/wecom", params=wq, content=wbody.encode())).status_code))
            huge = b"<xml><Content>" + b"x" * (600 * 1024) + b"</Content></xml>"
            statuses.append(
                ("/wechat", (await http.post("/wechat", params=world.oa_platform.query(), content=huge)).status_code)
            )
            statuses.append(("/wecom", (await http.post("/wecom", content=huge)).status_code))
            for _ in range(150):  # random tokens for the download links, NUL bytes and all
                length = rng.randint(1, 300)
                token = "".join(rng.choice("abcXYZ019-_.%~\x00\n/\\") for _ in range(length))
                response = await http.get("/download/" + quote(token, safe=""))
                statuses.append(("/download", response.status_code))
            for method in ("PUT", "DELETE", "PATCH"):
                for path in ("/wechat", "/wecom", "/download/x"):
                    statuses.append((path, (await http.request(method, path, content=b"x")).status_code))
        assert len(statuses) >= 300
        bad = [(path, code) for path, code in statuses if code not in REFUSALS | {200}]
        assert not bad, bad
        assert not [s for s in statuses if s[0] == "/download" and s[1] == 200]
        never_broke(caplog)
        assert await written(world.runtime.sessions) == before
        alive = await world.oa_platform.text("oALIVE", "帮助")  # the server still answers
        assert alive.status == 200 and "绑定" in alive.text


async def test_telegram_refuses_a_hostile_corpus(db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    rng = random.Random(RNG_SEED)
    shapes: list[object] = [None, 1, "x", [], {}, [1], {"a": None}, True, -1, 1.5, "\x00", "长" * 5000]
    bodies: list[bytes] = [b"", b"\x00", b"{", b"[]", b"null", b"\xff\xfe", b'{"update_id": 1e999}']
    for key in ("update_id", "message", "callback_query", "edited_message", "my_chat_member"):
        for value in shapes:
            bodies.append(json.dumps({"update_id": 7, key: value}).encode())
    for key in ("message_id", "date", "chat", "from", "text", "photo", "document", "caption", "entities"):
        for value in shapes:
            message = {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, key: value}
            bodies.append(json.dumps({"update_id": 8, "message": message}).encode())
    for depth in (100, 1000, 100_000):
        bodies.append(b'{"update_id": 9, "x": ' + b"[" * depth + b"]" * depth + b"}")
    while len(bodies) < 250:
        raw = bytes(rng.randrange(256) for _ in range(rng.randint(1, 200)))
        bodies.append(rng.choice([raw, b'{"update_id": 5, "message": ' + raw + b"}"]))
    async with telegram_world(db_url, tmp_path, "webhook") as hook:
        before = await written(hook.runtime.sessions)
        statuses = []
        with caplog.at_level(logging.INFO):
            for n, body in enumerate(bodies):
                secret = (
                    WEBHOOK_SECRET
                    if n % 5
                    else rng.choice([None, "", "wrong", WEBHOOK_SECRET + "x", WEBHOOK_SECRET[:-1]])
                )
                statuses.append((await hook.post(None, raw=body, secret=secret)).status_code)
            statuses.append(
                (await hook.post(None, raw=b'{"update_id": 1, "pad": "' + b"x" * (2 << 20) + b'"}')).status_code
            )
        assert len(statuses) >= 250
        assert set(statuses) <= REFUSALS | {200}, sorted(set(statuses))
        never_broke(caplog)
        assert await written(hook.runtime.sessions) == before
        await hook.deliver(text_update(hook.fake.next_update_id(), STRANGER_TG, "帮助"))
        assert hook.fake.messages_to(STRANGER_TG)  # the server still answers
