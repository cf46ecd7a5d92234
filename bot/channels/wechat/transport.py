"""JSON POSTs to the platform API on the event loop, over kept-alive HTTP/1.1 connections.

The customer-service messages of a turn (a msgmenu inside the 5 s reply deadline) went through wechatpy's
requests in a worker thread: ~1.3 ms of CPU per call, most of it requests' own bookkeeping and the thread hop.
Here the same request (same URL, query and JSON bytes) costs ~0.1 ms. It is used only where requests would go
straight to the host: when the environment names a proxy for it, `for_url` gives None and wechatpy does the call.
Certificates are checked as requests checks them (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, else certifi's bundle).
"""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
from urllib.parse import urlencode, urlsplit

import requests.utils

log = logging.getLogger(__name__)  # masked by redact, as urllib3's request lines are
MAX_IDLE = 10  # connections kept open per host, as requests' pool keeps
MAX_BODY = 4 * 1024 * 1024  # an API answer is a few hundred bytes
Stream = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class BadResponse(OSError):
    """The host answered something that is not an HTTP/1.x response we can read."""


class Direct:
    """JSON POSTs to one API host: one request at a time per connection, idle connections kept for the next."""

    def __init__(self, base_url: str, *, timeout: float = 5.0) -> None:
        url = urlsplit(base_url)
        self.host = url.hostname or ""
        self.tls = url.scheme == "https"
        self.port = url.port or (443 if self.tls else 80)
        self.prefix = url.path if url.path.endswith("/") else url.path + "/"
        default = (self.tls and self.port == 443) or (not self.tls and self.port == 80)
        self.authority = self.host if default else f"{self.host}:{self.port}"
        self.timeout = timeout
        self._ssl = _ssl_context() if self.tls else None
        self._idle: list[Stream] = []

    @classmethod
    def for_url(cls, base_url: str, *, timeout: float = 5.0) -> Direct | None:
        """A Direct for this API, or None when it is not plain http(s) or the environment sends it through a proxy."""
        if urlsplit(base_url).scheme not in ("http", "https") or requests.utils.get_environ_proxies(base_url):
            return None
        return cls(base_url, timeout=timeout)

    async def post(self, endpoint: str, params: dict[str, str], body: bytes) -> tuple[int, bytes]:
        """POST `body` (JSON) to `endpoint` (after the base URL's path) with these query parameters; status, body."""
        target = f"{self.prefix}{endpoint}?{urlencode(params)}"
        head = (
            f"POST {target} HTTP/1.1\r\nHost: {self.authority}\r\n"
            f"User-Agent: studio-ledger-bot\r\nAccept: */*\r\nContent-Type: application/json; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        async with asyncio.timeout(self.timeout):
            reader, writer = await self._connection()
            try:
                writer.write(head.encode() + body)
                status, answer, reusable = await _response(reader)
            except BaseException:
                writer.close()
                raise
        log.debug('%s "POST %s HTTP/1.1" %d %d', self.authority, target, status, len(answer))
        if reusable and len(self._idle) < MAX_IDLE:
            self._idle.append((reader, writer))
        else:
            writer.close()
        return status, answer

    async def _connection(self) -> Stream:
        while self._idle:
            reader, writer = self._idle.pop()
            if not reader.at_eof() and not writer.is_closing():  # the host may have closed it while idle
                return reader, writer
            writer.close()
        return await asyncio.open_connection(
            self.host, self.port, ssl=self._ssl, server_hostname=self.host if self.tls else None
        )

    def close(self) -> None:
        """Close the idle connections."""
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()


def _ssl_context() -> ssl.SSLContext:
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    return ssl.create_default_context(cafile=bundle or requests.utils.DEFAULT_CA_BUNDLE_PATH)


async def _response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """Status, body, and whether the connection can carry another request."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.LimitOverrunError:
        raise BadResponse("response head too large") from None
    lines = head.decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    code = rest[:3]
    if not version.startswith("HTTP/1.") or not code.isdigit():
        raise BadResponse("not an HTTP/1.x response")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    reusable = version == "HTTP/1.1" and "close" not in headers.get("connection", "").lower()
    if code.startswith("1") or code in ("204", "304"):
        return int(code), b"", reusable
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return int(code), await _chunked(reader), reusable
    length = headers.get("content-length")
    if length is not None:
        if not length.isdigit() or int(length) > MAX_BODY:
            raise BadResponse("bad Content-Length")
        return int(code), await reader.readexactly(int(length)), reusable
    return int(code), await _to_end(reader), False  # the body runs to the end of the connection


async def _to_end(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while chunk := await reader.read(65536):
        body += chunk
        if len(body) > MAX_BODY:
            raise BadResponse("response too large")
    return bytes(body)


async def _chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size_line = (await reader.readuntil(b"\r\n")).split(b";", 1)[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError:
            raise BadResponse("bad chunk size") from None
        if size < 0:
            raise BadResponse("bad chunk size")
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
                pass
            return bytes(body)
        if len(body) + size > MAX_BODY:
            raise BadResponse("response too large")
        body += await reader.readexactly(size)
        if await reader.readexactly(2) != b"\r\n":
            raise BadResponse("bad chunk end")
