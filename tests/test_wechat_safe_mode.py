"""Safe mode means safe: /wechat and /wecom refuse what a URL signature alone let through (403, nothing stored).

Every callback is built as the platforms build it (wechatpy's own crypto, the token's sha1 signature) and POSTed
over real HTTP; the attacker holds only what a reverse proxy's access log shows: one genuine callback's query.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from bot.channels.wxbase.freshness import Freshness
from bot.settings import Settings
from storage.models import ChannelIdentity, Conversation, LedgerEntry, SeenDelivery
from tests.support.clock import Clock
from tests.support.serve_process import STUDIO_BOT, env_for, free_port
from tests.support.wechat_world import OA_TOKEN, OAPlatform, WxWorld, aes_key, wechat_world
from tests.test_http_app import metric

LEAD = "oLEAD-openid-0001"
MEMBER = "wangjianguo"
WINDOW = 300  # WECHAT_SIGNATURE_MAX_AGE_SECONDS by default
TABLES = (ChannelIdentity, Conversation, SeenDelivery, LedgerEntry)
EMPTY = {m.__tablename__: 0 for m in TABLES}


@pytest.fixture
def clock() -> Clock:
    """The servers' clock, at the real now (the messages' CreateTime is real too), moved by hand."""
    return Clock(datetime.now(UTC).replace(microsecond=0))


async def rows(world: WxWorld) -> dict[str, int]:
    """How many rows the tables an accepted message writes to hold."""
    async with world.runtime.sessions() as s:
        return {m.__tablename__: int(await s.scalar(select(func.count()).select_from(m)) or 0) for m in TABLES}


async def bind_lead(world: WxWorld) -> None:
    answer = await world.oa_platform.text(LEAD, f"绑定 {world.seeded.lead_code}")
    assert answer.status == 200 and "王建国" in answer.text


def ago(clock: Clock, **delta: float) -> str:
    """A timestamp `delta` before the clock's now (negative: after it)."""
    return str(int((clock() - timedelta(**delta)).timestamp()))


async def test_a_plaintext_post_in_safe_mode_is_refused_and_stores_nothing(
    db_url: str, tmp_path: Path, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with wechat_world(db_url, tmp_path, clock=clock) as world:
        oa = world.oa_platform
        bind = oa.xml(LEAD, "text", {"Content": f"绑定 {world.seeded.lead_code}"})
        q = oa.query()  # a valid URL signature, signed now: all the attacker needs under plain parsing
        for query in (q, {**q, "encrypt_type": "raw"}, {**q, "encrypt_type": "aes"}):
            forged = await world.http.post("/wechat", params=query, content=bind.encode())
            assert forged.status_code == 403, query
        assert await rows(world) == EMPTY
        await bind_lead(world)  # the genuine, encrypted message still binds
        before = await rows(world)
        start = oa.xml(LEAD, "text", {"Content": "记录活动"})
        forged = await world.http.post("/wechat", params=oa.query(), content=start.encode())
        assert forged.status_code == 403
        await world.settle()
        assert await rows(world) == before and before["conversations"] == 0
        assert not world.fake.sent("message/custom/send", touser=LEAD, msgtype="msgmenu")
        text = (await world.http.get("/metrics")).text
        assert metric(text, "studio_inbound_events_total", channel="wechat", outcome="unencrypted") == 3
        assert metric(text, "studio_inbound_events_total", channel="wechat", outcome="bad_signature") == 1
    refusals = [r for r in caplog.records if r.name == "bot.channels.wechat.channel" and r.levelno == logging.WARNING]
    assert len(refusals) == 4 and all(
        "encrypt" in r.getMessage() or "msg_signature" in r.getMessage() for r in refusals
    )
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore")))
    assert LEAD not in logged and "记录活动" not in logged and q["signature"] not in logged and q["nonce"] not in logged


async def test_a_missing_or_wrong_msg_signature_is_refused(db_url: str, tmp_path: Path, clock: Clock) -> None:
    async with wechat_world(db_url, tmp_path, clock=clock) as world:
        oa = world.oa_platform
        q, body = oa.envelope(oa.xml(LEAD, "text", {"Content": f"绑定 {world.seeded.lead_code}"}), oa.query())
        without = {k: v for k, v in q.items() if k != "msg_signature"}
        for query in (without, {**q, "msg_signature": "0" * 40}, {**q, "msg_signature": ""}):
            answer = await world.http.post("/wechat", params=query, content=body.encode())
            assert answer.status_code == 403, query
        assert await rows(world) == EMPTY
        genuine = await oa.post("", query=q, body=body)  # the very same body, with its msg_signature
        assert genuine.status == 200 and "王建国" in genuine.text


STALE = {
    "past the window": lambda c: ago(c, seconds=WINDOW + 1),
    "30 days old": lambda c: ago(c, days=30),
    "90 days old": lambda c: ago(c, days=90),
    "2001": lambda c: "1000000000",
    "tomorrow": lambda c: ago(c, days=-1),
    "ahead of the window": lambda c: ago(c, seconds=-(WINDOW + 1)),
    "not a number": lambda c: "abc",
    "a fraction": lambda c: ago(c) + ".5",
    "negative": lambda c: "-" + ago(c),
}


@pytest.mark.parametrize("when", list(STALE), ids=list(STALE))
async def test_a_signed_callback_outside_the_window_is_refused_on_wechat(
    db_url: str, tmp_path: Path, clock: Clock, when: str
) -> None:
    async with wechat_world(db_url, tmp_path, clock=clock) as world:
        oa = world.oa_platform
        await bind_lead(world)
        before = await rows(world)
        q = oa.query(timestamp=STALE[when](clock))
        verify = await world.http.get("/wechat", params={**q, "echostr": "echo-7731"})
        assert verify.status_code == 403 and "echo-7731" not in verify.text
        stale = await oa.post(oa.xml(LEAD, "text", {"Content": "记录活动"}), query=q)
        assert stale.status == 403
        await world.settle()
        assert await rows(world) == before
        assert not world.fake.sent("message/custom/send", touser=LEAD)
        text = (await world.http.get("/metrics")).text
        assert metric(text, "studio_inbound_events_total", channel="wechat", outcome="stale") == 2


@pytest.mark.parametrize("when", list(STALE), ids=list(STALE))
async def test_a_signed_callback_outside_the_window_is_refused_on_wecom(
    db_url: str, tmp_path: Path, clock: Clock, when: str
) -> None:
    async with wechat_world(db_url, tmp_path, clock=clock) as world:
        platform = world.wecom_platform
        timestamp = STALE[when](clock)
        verify = await world.http.get("/wecom", params=platform.echo_query("1846270813427364", timestamp=timestamp))
        assert verify.status_code == 403 and "1846270813427364" not in verify.text
        q, body = platform.envelope(platform.xml(MEMBER, "text", {"Content": "绑定 X"}), timestamp=timestamp)
        stale = await platform.post("", query=q, body=body)
        assert stale.status == 403
        assert await rows(world) == EMPTY
        text = (await world.http.get("/metrics")).text
        assert metric(text, "studio_inbound_events_total", channel="wecom", outcome="stale") == 2


async def test_timestamps_inside_the_window_are_taken_by_both_channels(
    db_url: str, tmp_path: Path, clock: Clock
) -> None:
    async with wechat_world(db_url, tmp_path, clock=clock) as world:
        oa, wecom = world.oa_platform, world.wecom_platform
        for edge in (ago(clock, seconds=WINDOW), ago(clock, seconds=-WINDOW)):  # late or with a fast clock
            verify = await world.http.get("/wechat", params={**oa.query(timestamp=edge), "echostr": "e"})
            assert (verify.status_code, verify.text) == (200, "e")
            handshake = await world.http.get("/wecom", params=wecom.echo_query("echo-1", timestamp=edge))
            assert (handshake.status_code, handshake.text) == (200, "echo-1")
            helped = await oa.post(oa.xml("oSOMEONE", "text", {"Content": "帮助"}), query=oa.query(timestamp=edge))
            assert helped.status == 200 and "绑定" in helped.text
            q, body = wecom.envelope(wecom.xml("someone", "text", {"Content": "帮助"}), timestamp=edge)
            assert (await wecom.post("", query=q, body=body)).status == 200


async def test_a_signature_set_replayed_with_another_body_is_refused(db_url: str, tmp_path: Path, clock: Clock) -> None:
    async with wechat_world(db_url, tmp_path, clock=clock) as world:
        oa = world.oa_platform
        await bind_lead(world)
        q = oa.query()
        helped = await oa.post(oa.xml(LEAD, "text", {"Content": "帮助"}), query=q)
        assert helped.status == 200 and "记录活动" in helped.text
        before = await rows(world)
        # the same timestamp, nonce and signature on another message, even one encrypted with the right key
        start = oa.xml(LEAD, "text", {"Content": "记录活动"})
        assert (await oa.post(start, query=q)).status == 403
        clock.advance(seconds=WINDOW - 1)  # remembered as long as its timestamp is acceptable
        assert (await oa.post(start, query=q)).status == 403
        verified = oa.query()
        ok = await world.http.get("/wechat", params={**verified, "echostr": "echo-5"})
        assert (ok.status_code, ok.text) == (200, "echo-5")
        assert (await oa.post(start, query=verified)).status == 403  # a URL verification's set on a message
        await world.settle()
        assert await rows(world) == before
        assert not world.fake.sent("message/custom/send", touser=LEAD, msgtype="msgmenu")
        text = (await world.http.get("/metrics")).text
        assert metric(text, "studio_inbound_events_total", channel="wechat", outcome="replayed") == 3


async def test_a_signature_set_replayed_with_another_body_is_refused_on_wecom(
    db_url: str, tmp_path: Path, clock: Clock
) -> None:
    async with wechat_world(db_url, tmp_path, clock=clock) as world:
        wecom = world.wecom_platform
        bound = await wecom.text(MEMBER, f"绑定 {world.seeded.lead_code}")
        assert bound.status == 200 and "王建国" in bound.text
        q, body = wecom.envelope(wecom.xml(MEMBER, "text", {"Content": "帮助"}))
        assert (await wecom.post("", query=q, body=body)).status == 200
        before = await rows(world)
        # msg_signature covers only the Encrypt element: the same set on other bytes is not WeCom's retry
        other = body.replace(f"<AgentID><![CDATA[{world.wecom.agent_id}]]></AgentID>", "<AgentID>1</AgentID>")
        assert other != body
        assert (await wecom.post("", query=q, body=other)).status == 403
        assert (await wecom.post("", query=q, body=body)).status == 200  # the genuine retry still passes
        assert await rows(world) == before
        text = (await world.http.get("/metrics")).text
        assert metric(text, "studio_inbound_events_total", channel="wecom", outcome="replayed") == 1


async def test_a_genuine_retry_still_gets_the_same_reply(db_url: str, tmp_path: Path, clock: Clock) -> None:
    async with wechat_world(db_url, tmp_path, clock=clock) as world:
        oa, wecom = world.oa_platform, world.wecom_platform
        q, body = oa.envelope(oa.xml(LEAD, "text", {"Content": f"绑定 {world.seeded.lead_code}"}), oa.query())
        first = await oa.post("", query=q, body=body)
        clock.advance(seconds=5)  # WeChat retries after 5 s, twice, with the same query and body
        retries = [await oa.post("", query=q, body=body) for _ in range(2)]
        assert [a.status for a in (first, *retries)] == [200, 200, 200]
        assert first.text == retries[0].text == retries[1].text and "王建国" in first.text
        wq, wbody = wecom.envelope(wecom.xml(MEMBER, "text", {"Content": f"绑定 {world.seeded.reviewer_code}"}))
        answers = [await wecom.post("", query=wq, body=wbody) for _ in range(3)]
        assert [a.status for a in answers] == [200, 200, 200] and answers[0].text == answers[2].text != ""
        counted = await rows(world)
        assert counted["channel_identities"] == 2 and counted["seen_deliveries"] == 2
        text = (await world.http.get("/metrics")).text
        assert metric(text, "studio_inbound_events_total", channel="wechat", outcome="duplicate") == 2
        assert metric(text, "studio_inbound_events_total", channel="wecom", outcome="duplicate") == 2


async def test_plain_mode_takes_a_fresh_callback_once(db_url: str, tmp_path: Path, clock: Clock) -> None:
    async with wechat_world(db_url, tmp_path, clock=clock, safe_mode=False) as world:
        oa = world.oa_platform
        q = oa.query()
        helped = await oa.post(oa.xml("oNEW", "text", {"Content": "帮助"}), query=q)
        assert helped.status == 200 and "<Encrypt>" not in helped.body and "绑定" in helped.text
        forged = oa.xml(LEAD, "text", {"Content": f"绑定 {world.seeded.lead_code}"})
        assert (await oa.post(forged, query=q)).status == 403  # the logged query on another body
        old = oa.query(timestamp=ago(clock, days=30))
        assert (await oa.post(forged, query=old)).status == 403
        assert (await rows(world))["channel_identities"] == 0


def test_the_guard_forgets_sets_with_the_window_and_keeps_a_bound(clock: Clock) -> None:
    guard = Freshness(WINDOW, clock, kept=3)
    now = ago(clock)
    assert guard.refusal("POST", now, "n1", "s", b"a") is None
    assert guard.refusal("POST", now, "n1", "s", b"a") is None  # a retry
    assert guard.refusal("POST", now, "n1", "s", b"b") == "replayed"
    assert guard.refusal("GET", now, "n1", "s", b"a") == "replayed"  # a verification's set on a message
    clock.advance(seconds=WINDOW + 1)
    assert guard.refusal("POST", now, "n1", "s", b"b") == "stale"
    assert guard.refusal("POST", ago(clock), "n2", "s", b"a") is None
    assert len(guard) == 1  # the expired set is gone with its window
    for n in range(5):
        assert guard.refusal("POST", ago(clock), f"m{n}", "s", b"a") is None
    assert len(guard) == 3


def test_the_window_is_a_positive_number_of_seconds() -> None:
    assert Settings(_env_file=None).wechat_signature_max_age_seconds == WINDOW
    for bad in (0, -5):
        with pytest.raises(ValidationError, match="wechat_signature_max_age_seconds"):
            Settings(_env_file=None, wechat_signature_max_age_seconds=bad)


@pytest.mark.parametrize("aes", ["", "safe"], ids=["plain", "safe"])
def test_serve_warns_of_plain_mode_which_still_answers(db_url: str, tmp_path: Path, aes: str) -> None:
    port = free_port()
    env = env_for(
        db_url,
        WECHAT_APP_ID="wx1234567890abcdef",
        WECHAT_APP_SECRET="oa-secret",
        WECHAT_TOKEN=OA_TOKEN,
        WECHAT_AES_KEY=aes_key() if aes else "",
        MEDIA_DIR=str(tmp_path / "media"),
    )
    args = [STUDIO_BOT, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-scheduler"]
    server = subprocess.Popen(args, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        platform = OAPlatform(None, aes="")  # type: ignore[arg-type]  # no HTTP client: it builds, httpx sends
        q = platform.query()
        answer = httpx.post(f"{base}/wechat", params=q, content=platform.xml("oNEW", "text", {"Content": "帮助"}))
        if aes:
            assert answer.status_code == 403  # plaintext, though a key is set
        else:
            assert answer.status_code == 200 and "绑定" in platform.reply_text(answer.text)
    finally:
        server.send_signal(signal.SIGINT)
        _, stderr = server.communicate(timeout=30)
    warnings = [line for line in stderr.splitlines() if "WARNING" in line and "plaintext mode" in line]
    assert len(warnings) == (0 if aes else 1), stderr
    if not aes:
        assert "forge" in warnings[0] and "callback URL" in warnings[0] and "WECHAT_AES_KEY" in warnings[0]
    assert "oa-secret" not in stderr and q["nonce"] not in stderr and "Traceback" not in stderr
