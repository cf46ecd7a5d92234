"""Customer-service messages go out on the event loop over kept-alive connections, read as wechatpy reads answers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.channels.wechat.api import ApiError, result_of
from bot.channels.wechat.transport import Direct
from tests.support.wechat_world import wechat_world

LEAD = "oLEAD-openid-0001"
OK = b'{"errcode":0,"errmsg":"ok"}'


async def test_a_msgmenu_goes_out_without_a_worker_thread_and_reuses_one_connection(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        oa = world.oa_platform
        for word in (f"绑定 {world.seeded.lead_code}", "记录活动", "取消"):  # the first msgmenu fetches the token
            assert (await oa.text(LEAD, word)).status == 200
        threads: list[str] = []
        to_thread = asyncio.to_thread

        async def spy(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
            threads.append(getattr(fn, "__qualname__", repr(fn)))
            return await to_thread(fn, *args, **kwargs)

        monkeypatch.setattr(asyncio, "to_thread", spy)
        for word in ("记录活动", "取消", "记录活动"):
            assert (await oa.text(LEAD, word)).status == 200
        await world.settle()
        menus = [c for c in world.fake.sent("message/custom/send", touser=LEAD) if c.body["msgtype"] == "msgmenu"]
        assert len(menus) == 3 and menus[-1].body["msgmenu"]["list"]
        assert threads == []
        assert len({c.peer for c in menus}) == 1


def test_a_proxy_in_the_environment_leaves_the_call_to_wechatpy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert Direct.for_url("https://api.weixin.qq.com/cgi-bin/") is None
    monkeypatch.setenv("NO_PROXY", "api.weixin.qq.com")
    assert Direct.for_url("https://api.weixin.qq.com/cgi-bin/") is not None
    assert Direct.for_url("ftp://api.weixin.qq.com/") is None


@asynccontextmanager
async def scripted(answers: list[bytes]) -> AsyncIterator[tuple[Direct, list[tuple[int, bytes]]]]:
    """A host answering each request with the next raw response: b"" hangs up, b"hang" stays silent, and after an
    answer with an `X-Then: hang-up` header it closes the connection (the client is not told)."""
    seen: list[tuple[int, bytes]] = []  # (connection number, request line)
    connections = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        number = connections
        while answers:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            await reader.readexactly(length)
            seen.append((number, head.split(b"\r\n")[0]))
            answer = answers.pop(0)
            if answer == b"hang":
                await reader.read()  # until the client gives up
            if answer in (b"", b"hang"):
                break
            writer.write(answer)
            if b"Connection: close" in answer or b"X-Then: hang-up" in answer:
                break
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    direct = Direct(f"http://127.0.0.1:{port}/cgi-bin/", timeout=1.0)
    try:
        yield direct, seen
    finally:
        direct.close()
        server.close()


def http(body: bytes, *headers: str, status: str = "200 OK") -> bytes:
    lines = [f"HTTP/1.1 {status}", *headers] + (
        [] if any("chunked" in h for h in headers) else [f"Content-Length: {len(body)}"]
    )
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def test_answers_are_read_by_length_by_chunks_and_to_the_end() -> None:
    chunked = b'7\r\n{"errco\r\n14\r\nde":45015,"errmsg":"\r\n6\r\nwindow\r\n2\r\n"}\r\n0\r\n\r\n'
    answers = [
        http(OK),
        http(chunked, "Transfer-Encoding: chunked"),
        b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + OK,
    ]
    async with scripted(answers) as (direct, seen):
        assert await direct.post("message/custom/send", {"access_token": "T1"}, b"{}") == (200, OK)
        status, body = await direct.post("message/custom/send", {"access_token": "T1"}, b"{}")
        with pytest.raises(ApiError) as refused:
            result_of("custom/text", status, body)
        assert (refused.value.errcode, refused.value.errmsg) == (45015, "window")
        assert await direct.post("message/custom/send", {"access_token": "T1"}, b"{}") == (200, OK)
        assert seen == [(1, b"POST /cgi-bin/message/custom/send?access_token=T1 HTTP/1.1")] * 3


async def test_a_connection_the_host_closed_while_idle_is_replaced() -> None:
    async with scripted([http(OK, "X-Then: hang-up"), http(OK), b"", http(OK)]) as (direct, seen):
        await direct.post("a", {}, b"{}")
        await asyncio.sleep(0.05)  # the host's FIN arrives while the connection is idle
        assert await direct.post("b", {}, b"{}") == (200, OK)
        with pytest.raises(asyncio.IncompleteReadError):
            await direct.post("c", {}, b"{}")  # the host hangs up on this one: an error, as with requests
        assert await direct.post("d", {}, b"{}") == (200, OK)
        assert [number for number, _ in seen] == [1, 2, 2, 3]


async def test_http_errors_garbage_and_silence_are_errors_without_an_errcode() -> None:
    with pytest.raises(ApiError) as failed:
        result_of("custom/text", 502, b"<html>bad gateway</html>")
    assert (failed.value.errcode, failed.value.errmsg) == (None, "")
    assert result_of("custom/text", 200, b"not json") == b"not json"
    assert result_of("custom/text", 200, json.dumps({"errcode": "0", "msgid": 5}).encode()) == {
        "errcode": 0,
        "msgid": 5,
    }
    async with scripted([b"SSH-2.0-OpenSSH\r\n\r\n", b"hang"]) as (direct, _):
        with pytest.raises(OSError):
            await direct.post("a", {}, b"{}")
        with pytest.raises(TimeoutError):
            await direct.post("b", {}, b"{}")
