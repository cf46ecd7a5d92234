"""The benchmark's WeChat side: callbacks signed and encrypted before the clock starts, sent over kept-alive sockets.

Every message is built, signed and AES-encrypted with wechatpy (through OAPlatform, as in the tests) before a timed
run, so that the client spends the machine's second core on sending, not on crypto. A reply is stored as it came;
`check` then verifies every one after the run: HTTP 200, and every XML reply decrypted with its signature checked.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from tests.support.wechat_world import OAPlatform


@dataclass
class Prepared:
    """One callback ready to go: who sends it, what it says, and the whole HTTP request."""

    openid: str
    text: str
    request: bytes


@dataclass
class Outcome:
    """What came back for one prepared callback, checked later."""

    message: Prepared
    status: int = 0
    body: bytes = b""
    error: str = ""
    latency: float = 0.0


def prepare(platform: OAPlatform, port: int, messages: list[tuple[str, str]]) -> list[Prepared]:
    """Sign and encrypt these (openid, text) callbacks now, as WeChat would send them."""
    out = []
    for openid, text in messages:
        query, body = platform.envelope(platform.xml(openid, "text", {"Content": text}), platform.query())
        content = body.encode()
        head = (
            f"POST /wechat?{urlencode(query)} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: text/xml\r\nContent-Length: {len(content)}\r\n\r\n"
        )
        out.append(Prepared(openid, text, head.encode() + content))
    return out


KEEP_IDLE = 4.0  # seconds; uvicorn closes a connection idle for 5


@dataclass
class Connections:
    """Kept-alive HTTP/1.1 connections to the server on loopback, one request at a time on each."""

    port: int
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = field(default_factory=list)

    async def _connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        while self.idle:
            reader, writer, since = self.idle.pop()
            if time.monotonic() - since < KEEP_IDLE and not reader.at_eof():
                return reader, writer
            writer.close()  # the server may be closing it: never race its keep-alive timeout
        return await asyncio.open_connection("127.0.0.1", self.port)

    async def send(self, message: Prepared, outcome: Outcome) -> None:
        """Send one request on an idle connection (or a new one) and keep the raw reply."""
        reader, writer = await self._connection()
        try:
            writer.write(message.request)
            head = await reader.readuntil(b"\r\n\r\n")
            status, length = _status_and_length(head)
            outcome.status, outcome.body = status, await reader.readexactly(length)
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            outcome.error = type(exc).__name__
            writer.close()
            return
        self.idle.append((reader, writer, time.monotonic()))

    def close(self) -> None:
        """Close every idle connection."""
        for _, writer, _ in self.idle:
            writer.close()
        self.idle.clear()


def _status_and_length(head: bytes) -> tuple[int, int]:
    lines = head.decode("latin-1").split("\r\n")
    length = None
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if length is None:
        raise ValueError("a reply without Content-Length")
    return int(lines[0].split()[1]), length


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
