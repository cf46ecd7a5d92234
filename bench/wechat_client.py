"""The benchmark's WeChat side: callbacks signed and encrypted before the clock starts, sent with aiohttp.

Every message is built, signed and AES-encrypted with wechatpy (through OAPlatform, as in the tests) before a timed
run, so that the client spends the machine's second core on sending, not on crypto. A reply is stored as it came;
`check` then verifies every one after the run: HTTP 200, and every XML reply decrypted with its signature checked.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import aiohttp

from tests.support.wechat_world import OAPlatform


@dataclass
class Prepared:
    """One callback ready to go: who sends it, what it says, the signed query and the encrypted body."""

    openid: str
    text: str
    path: str
    content: bytes


@dataclass
class Outcome:
    """What came back for one prepared callback, checked later."""

    message: Prepared
    status: int = 0
    body: bytes = b""
    error: str = ""
    latency: float = 0.0


def prepare(platform: OAPlatform, messages: list[tuple[str, str]]) -> list[Prepared]:
    """Sign and encrypt these (openid, text) callbacks now, as WeChat would send them."""
    out = []
    for openid, text in messages:
        query, body = platform.envelope(platform.xml(openid, "text", {"Content": text}), platform.query())
        out.append(Prepared(openid, text, f"/wechat?{urlencode(query)}", body.encode()))
    return out


KEEP_IDLE = 4.0  # seconds; uvicorn closes a connection idle for 5, and reusing one it is closing fails


class Connections:
    """aiohttp over kept-alive connections to the server on loopback (its C parser keeps the client light)."""

    def __init__(self, port: int, most: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        connector = aiohttp.TCPConnector(limit=most, keepalive_timeout=KEEP_IDLE)
        self.http = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30))

    async def send(self, message: Prepared, outcome: Outcome) -> None:
        """POST one prepared callback and keep the raw reply."""
        try:
            async with self.http.post(self.base + message.path, data=message.content, headers=_XML) as answer:
                outcome.status, outcome.body = answer.status, await answer.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            outcome.error = type(exc).__name__

    async def close(self) -> None:
        """Close the client and its connections."""
        await self.http.close()


_XML = {"Content-Type": "text/xml"}


async def timed(connections: Connections, message: Prepared, since: float | None = None) -> Outcome:
    """Send one callback; its latency counts from `since` (its due time) or from now."""
    outcome = Outcome(message)
    started = since if since is not None else time.perf_counter()
    await connections.send(message, outcome)
    outcome.latency = time.perf_counter() - started
    return outcome


def check(platform: OAPlatform, outcomes: list[Outcome], stranger: Callable[[str], bool]) -> list[str]:
    """Every failure among these replies: transport errors, statuses, bad signatures, strangers left unanswered."""
    failures = []
    for o in outcomes:
        if o.error:
            failures.append(f"{o.error} {o.message.text}")
            continue
        body = o.body.decode()
        try:
            text = platform.reply_text(body)  # decrypts and checks MsgSignature with wechatpy
        except Exception as exc:
            failures.append(f"{type(exc).__name__} {o.message.text} → {body[:80]!r}")
            continue
        # a lead's answer may be a msgmenu (passive reply empty): in a flow, even 帮助 shows the step's buttons
        if o.status != 200 or (stranger(o.message.openid) and not text):
            failures.append(f"{o.status} {o.message.text} → {body[:80]!r}")
    return failures
