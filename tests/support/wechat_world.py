"""A WeChat world for tests and benchmarks: the real app under uvicorn, both WeChat channels, a fake platform API.

`OAPlatform` and `WeComPlatform` play WeChat's servers: they sign (and encrypt) callbacks with wechatpy's
own crypto exactly as the platforms do, POST them over real HTTP, and decrypt the passive replies.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import os
import secrets
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import xmltodict
from sqlalchemy import select
from wechatpy.crypto import WeChatCrypto
from wechatpy.enterprise.crypto import PrpCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto

from bot.channel_services import RuntimeServices
from bot.channels.wechat.channel import WeChatChannel
from bot.channels.wecom.channel import WeComChannel
from bot.http.app import create_app
from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from storage.base import utcnow
from storage.models import LedgerEntry
from tests.support.fake_telegram import serving
from tests.support.fake_wechat import AGENT_ID, APP_ID, APP_SECRET, CORP_ID, CORP_SECRET, FakeWeChat
from tests.support.telegram_world import Seeded, seed
from tests.support.transcript import Transcript

OA_TOKEN, WECOM_TOKEN = "oa-callback-token", "wecom-callback-token"
TEMPLATE_ID = "TPL-reminder-0001"


def aes_key() -> str:
    """A fresh EncodingAESKey: 43 characters of base64 for 32 bytes."""
    return base64.b64encode(os.urandom(32)).decode()[:-1]


def wechat_settings(db_url: str, fake: FakeWeChat, tmp: Path, *, oa_aes: str, wecom_aes: str) -> Settings:
    """Settings with both WeChat channels pointed at the fake (oa_aes '' means plaintext mode)."""
    return Settings(
        _env_file=None,
        environment="test",
        secret_key="test-secret-key-0123456789abcdef",
        database_url=db_url,
        media_dir=tmp / "media",
        export_dir=tmp / "exports",
        public_base_url="https://bot.example.cn",
        wechat_app_id=APP_ID,
        wechat_app_secret=APP_SECRET,
        wechat_token=OA_TOKEN,
        wechat_aes_key=oa_aes or None,
        wechat_api_base_url=fake.url,
        wechat_reminder_template_id=TEMPLATE_ID,
        wecom_corp_id=CORP_ID,
        wecom_agent_id=AGENT_ID,
        wecom_secret=CORP_SECRET,
        wecom_token=WECOM_TOKEN,
        wecom_aes_key=wecom_aes,
        wecom_api_base_url=fake.url,
    )


@dataclass
class Answer:
    """What our server answered one callback: the status and the (decrypted) passive text reply."""

    status: int
    text: str
    body: str


def _stamp(clock: Callable[[], datetime] = utcnow) -> tuple[str, str]:
    """A callback's timestamp (now by the clock the server reads) and a fresh nonce."""
    return str(int(clock().timestamp())), secrets.token_hex(8)


def _sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def _cdata(fields: dict[str, Any]) -> str:
    return "".join(
        f"<{k}>{v}</{k}>" if isinstance(v, int) else f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items()
    )


class OAPlatform:
    """WeChat's servers calling our /wechat: signed, encrypted in safe mode (aes_key set)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        aes: str,
        account: str = "gh_studio0001",
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.http = http
        self.crypto = WeChatCrypto(OA_TOKEN, aes, APP_ID) if aes else None
        self.account = account
        self.clock = clock
        self._ids = itertools.count(24_000_000_000_000_000 + secrets.randbelow(10**9) * 1000)

    def query(self, *, signature: str | None = None, timestamp: str | None = None) -> dict[str, str]:
        """The signed query string of a callback (signed now, unless given another timestamp)."""
        now, nonce = _stamp(self.clock)
        timestamp = now if timestamp is None else timestamp
        return {"signature": signature or _sign(OA_TOKEN, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}

    def xml(
        self, openid: str, msg_type: str, fields: dict[str, Any], *, msg_id: int | None = None, at: int | None = None
    ) -> str:
        """A message as WeChat writes it (events carry no MsgId; `at` is its CreateTime)."""
        head = {
            "ToUserName": self.account,
            "FromUserName": openid,
            "CreateTime": at or int(time.time()),
            "MsgType": msg_type,
        }
        if msg_type != "event":
            fields = {**fields, "MsgId": msg_id if msg_id is not None else next(self._ids)}
        return f"<xml>{_cdata({**head, **fields})}</xml>"

    def envelope(self, plain_xml: str, query: dict[str, str]) -> tuple[dict[str, str], str]:
        """The query and body WeChat sends for a message: encrypted and signed in safe mode, else as it is."""
        if self.crypto is None:
            return query, plain_xml
        envelope = xmltodict.parse(self.crypto.encrypt_message(plain_xml, query["nonce"], query["timestamp"]))["xml"]
        q = {**query, "encrypt_type": "aes", "msg_signature": envelope["MsgSignature"]}
        body = (
            f"<xml><ToUserName><![CDATA[{self.account}]]></ToUserName>"
            f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>"
        )
        return q, body

    async def post(self, plain_xml: str, *, query: dict[str, str] | None = None, body: str | None = None) -> Answer:
        """POST a callback (encrypted in safe mode) and read the passive reply."""
        q = query or self.query()
        if body is None:
            q, body = self.envelope(plain_xml, q)
        response = await self.http.post("/wechat", params=q, content=body.encode())
        return Answer(response.status_code, self.reply_text(response.text), response.text)

    def reply_text(self, text: str) -> str:
        """The text of a passive reply, decrypted (and its signature checked) in safe mode; '' for 'success'."""
        if not text.startswith("<xml>"):
            return ""
        data = xmltodict.parse(text)["xml"]
        if "Encrypt" in data:
            assert self.crypto is not None
            inner = self.crypto.decrypt_message(text, data["MsgSignature"], data["TimeStamp"], data["Nonce"])
            data = xmltodict.parse(inner)["xml"]
        return str(data.get("Content") or "")

    async def text(self, openid: str, content: str, *, msg_id: int | None = None, **extra: Any) -> Answer:
        """The follower types a message (extra fields: bizmsgmenuid for a menu click)."""
        return await self.post(self.xml(openid, "text", {"Content": content, **extra}, msg_id=msg_id))

    async def image(self, openid: str, media_id: str) -> Answer:
        """The follower sends a photo."""
        return await self.post(self.xml(openid, "image", {"PicUrl": "http://mmbiz.example/p.jpg", "MediaId": media_id}))

    async def voice(self, openid: str, media_id: str, recognition: str | None = None) -> Answer:
        """The follower sends a voice message (with 接收语音识别结果 on, WeChat adds what it heard)."""
        return await self.post(self.voice_xml(openid, media_id, recognition))

    def voice_xml(self, openid: str, media_id: str, recognition: str | None = None) -> str:
        """A voice message as WeChat writes it."""
        fields = {"MediaId": media_id, "Format": "amr"}
        return self.xml(openid, "voice", fields if recognition is None else {**fields, "Recognition": recognition})

    async def event(self, openid: str, event: str, key: str = "", *, at: int | None = None) -> Answer:
        """A subscribe / SCAN / CLICK event (two from one follower in one second are one event to WeChat)."""
        return await self.post(self.xml(openid, "event", {"Event": event, "EventKey": key}, at=at))


class WeComPlatform:
    """WeCom's servers calling our /wecom: always encrypted, signed with msg_signature."""

    def __init__(self, http: httpx.AsyncClient, *, aes: str, clock: Callable[[], datetime] = utcnow) -> None:
        self.http = http
        self.crypto = WeComCrypto(WECOM_TOKEN, aes, CORP_ID)
        self.clock = clock
        self._ids = itertools.count(7_000_000_000_000_000 + secrets.randbelow(10**9) * 1000)

    def xml(self, user: str, msg_type: str, fields: dict[str, Any], *, create_time: int | None = None) -> str:
        """A message as WeCom writes it."""
        head = {
            "ToUserName": CORP_ID,
            "FromUserName": user,
            "CreateTime": create_time or int(time.time()),
            "MsgType": msg_type,
        }
        if msg_type != "event":
            fields = {**fields, "MsgId": next(self._ids)}
        return f"<xml>{_cdata({**head, **fields, 'AgentID': int(AGENT_ID)})}</xml>"

    def envelope(
        self, plain_xml: str, *, timestamp: str | None = None, nonce: str | None = None
    ) -> tuple[dict[str, str], str]:
        """The query and encrypted body WeCom sends for a message (signed now, unless told otherwise)."""
        now, fresh = _stamp(self.clock)
        timestamp, nonce = timestamp if timestamp is not None else now, nonce or fresh
        envelope = xmltodict.parse(self.crypto.encrypt_message(plain_xml, nonce, timestamp))["xml"]
        q = {"msg_signature": envelope["MsgSignature"], "timestamp": timestamp, "nonce": nonce}
        body = (
            f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><AgentID><![CDATA[{AGENT_ID}]]></AgentID>"
            f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>"
        )
        return q, body

    def echo_query(self, echo: str, *, timestamp: str | None = None) -> dict[str, str]:
        """The signed query of the callback handshake whose echostr decrypts to `echo`."""
        now, nonce = _stamp(self.clock)
        timestamp = now if timestamp is None else timestamp
        sealed = PrpCrypto(self.crypto.key).encrypt(echo, CORP_ID)
        echostr = sealed.decode() if isinstance(sealed, bytes) else sealed
        signature = _sign(WECOM_TOKEN, timestamp, nonce, echostr)
        return {"msg_signature": signature, "timestamp": timestamp, "nonce": nonce, "echostr": echostr}

    async def post(self, plain_xml: str, *, query: dict[str, str] | None = None, body: str | None = None) -> Answer:
        """POST an encrypted callback (or the query and body given) and decrypt the passive reply."""
        if query is None or body is None:
            query, body = self.envelope(plain_xml)
        response = await self.http.post("/wecom", params=query, content=body.encode())
        text = ""
        if response.text.startswith("<xml>"):
            data = xmltodict.parse(response.text)["xml"]
            inner = self.crypto.decrypt_message(response.text, data["MsgSignature"], data["TimeStamp"], data["Nonce"])
            text = str(xmltodict.parse(inner)["xml"].get("Content") or "")
        return Answer(response.status_code, text, response.text)

    async def text(self, user: str, content: str) -> Answer:
        """The member types a message."""
        return await self.post(self.xml(user, "text", {"Content": content}))

    async def image(self, user: str, media_id: str) -> Answer:
        """The member sends a photo."""
        return await self.post(self.xml(user, "image", {"PicUrl": "http://wework.example/p.jpg", "MediaId": media_id}))

    async def voice(self, user: str, media_id: str) -> Answer:
        """The member sends a voice message (WeCom adds no recognition)."""
        return await self.post(self.xml(user, "voice", {"MediaId": media_id, "Format": "amr"}))

    async def press(self, user: str, key: str, task_id: str, response_code: str) -> Answer:
        """The member presses a button on a template card (the template_card_event)."""
        fields = {
            "Event": "template_card_event",
            "EventKey": key,
            "TaskId": task_id,
            "CardType": "button_interaction",
            "ResponseCode": response_code,
        }
        return await self.post(self.xml(user, "event", fields))


@dataclass
class WxWorld:
    """Everything a WeChat test touches."""

    runtime: Runtime
    oa: WeChatChannel
    wecom: WeComChannel
    fake: FakeWeChat
    http: httpx.AsyncClient
    seeded: Seeded
    oa_platform: OAPlatform
    wecom_platform: WeComPlatform

    async def settle(self) -> None:
        """Wait until both channels have sent everything they queued after answering."""
        await self.oa.sequencer.drain()
        await self.wecom.sequencer.drain()


async def submit_activity(world: WxWorld, title: str = "主轴振动攻关") -> int:
    """The lead logs one activity on the plain test channel (reviewers hear of it by push); the entry id."""
    chat = Transcript(world.runtime.bot, user="lead-on-test")
    await chat.say(f"绑定 {world.seeded.lead_code}")
    chat.expect("王建国")
    await chat.say("记录活动")
    await chat.press("今天")
    await chat.press("攻关")
    await chat.say(title)
    await chat.press("跳过")
    await chat.press("李明")
    await chat.press("完成")
    await chat.press("2")
    await chat.say("分析主轴振动原因，更换轴承并复测。")
    await chat.press("跳过")
    await chat.press("跳过")
    await chat.press("提交")
    async with world.runtime.sessions() as s:
        entry_id = await s.scalar(select(LedgerEntry.id).where(LedgerEntry.title == title))
    assert entry_id is not None, chat.transcript()
    return int(entry_id)


@asynccontextmanager
async def wechat_world(
    db_url: str, tmp: Path, *, safe_mode: bool = True, clock: Callable[[], datetime] = utcnow
) -> AsyncIterator[WxWorld]:
    """Start the fake API, the runtime, both channels and the app on loopback; seed the studio."""
    fake = FakeWeChat()
    await fake.start()
    oa_aes, wecom_aes = (aes_key() if safe_mode else ""), aes_key()
    runtime = build_runtime(wechat_settings(db_url, fake, tmp, oa_aes=oa_aes, wecom_aes=wecom_aes))
    services = RuntimeServices(runtime)
    oa, wecom = WeChatChannel(services, clock=clock), WeComChannel(services, clock=clock)
    await oa.start()
    await wecom.start()
    app = create_app(runtime, [*oa.routes(), *wecom.routes()])
    oa.bind_metrics(app.state.metrics)
    wecom.bind_metrics(app.state.metrics)
    try:
        async with serving(app) as base, httpx.AsyncClient(base_url=base, timeout=30) as http:
            seeded = await seed(runtime.sessions)
            oa_platform = OAPlatform(http, aes=oa_aes, clock=clock)
            wecom_platform = WeComPlatform(http, aes=wecom_aes, clock=clock)
            yield WxWorld(runtime, oa, wecom, fake, http, seeded, oa_platform, wecom_platform)
            await oa.stop()
            await wecom.stop()
    finally:
        await runtime.close()
        await fake.stop()
