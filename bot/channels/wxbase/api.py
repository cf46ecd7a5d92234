"""wechatpy clients of either platform, run off the event loop, with one access token shared through the database.

wechatpy is synchronous (requests). Every call runs in a worker thread; the token it uses comes
from a context variable set by the async caller, which fetched it from the `access_tokens` table
(refreshed there under a lock, through the channel services' TokenStore). A rejected token is expired only if it
is still the stored one, so processes never invalidate each other's fresh token.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any, TypeVar

import requests
from wechatpy.exceptions import WeChatClientException

from bot import logsafe
from bot.channels.base import ChannelConfigError
from bot.channels.services import StoredToken, TokenStore

log = logging.getLogger(__name__)
T = TypeVar("T")
TOKEN_REJECTED = frozenset({40001, 40014, 42001})
_current_token: ContextVar[str] = ContextVar("wechat_access_token", default="")


class ApiError(Exception):
    """A platform API call that failed: `errcode` from the platform, or None for a transport failure.

    `uncertain`: the request went out and no answer came in time, so the platform most likely acted on it.
    """

    def __init__(self, what: str, errcode: int | None, errmsg: str, *, uncertain: bool = False) -> None:
        super().__init__(f"{what}: errcode={errcode} {errmsg}")
        self.what = what
        self.errcode = errcode
        self.errmsg = errmsg
        self.uncertain = uncertain


def aes_key_ok(name: str, value: str) -> str:
    """An EncodingAESKey is 43 characters of base64 (32 bytes); anything else is refused up front."""
    import base64
    import binascii

    try:
        if len(value) == 43 and len(base64.b64decode(value + "=", validate=True)) == 32:
            return value
    except (binascii.Error, ValueError):
        pass
    raise ChannelConfigError(
        f"配置错误 / configuration error: {name} must be the 43-character EncodingAESKey from the platform's console"
    )


class TokenFromContext:
    """Mixin for wechatpy clients: the access token is whatever the async caller put in the context."""

    @property
    def access_token(self) -> str:
        return _current_token.get()


def settle_environment(http: requests.Session, base_url: str) -> None:
    """Read the proxy and CA settings for base_url from the environment once, then stop requests re-reading it.

    With `trust_env` on, requests scans the whole environment twice on every call (proxies, then
    no_proxy), for settings that do not change while the bot runs (cost: bench/README.md).
    """
    found = http.merge_environment_settings(base_url, {}, None, None, None)
    http.proxies.update(found["proxies"])
    http.verify = found["verify"]
    http.trust_env = False


class Api:
    """Async access to one wechatpy client: token from the database, calls in a worker thread."""

    def __init__(
        self,
        client: Any,
        tokens: TokenStore,
        *,
        key: str,
        clock: Callable[[], datetime],
    ) -> None:
        self.client = client
        self.tokens = tokens
        self.key = key
        self.clock = clock
        self._cached: tuple[str, datetime] | None = None
        self._refresh_lock = asyncio.Lock()

    async def token(self) -> str:
        """A token good for a while: this process's copy, the stored one, or a fresh one (fetched once)."""
        now = self.clock()
        if self._cached and self._cached[1] - self.tokens.margin > now:
            return self._cached[0]
        stored = await self.tokens.valid(self.key, now=now)
        if stored is not None:
            logsafe.remember(stored.value)  # fetched by another process
            self._cached = (stored.value, stored.expires_at)
            return stored.value
        async with self._refresh_lock:
            return await self._refresh()

    async def _refresh(self) -> str:
        async def fetch(now: datetime) -> StoredToken:
            result = await self._in_thread("token", self.client.fetch_access_token)
            token = str(result["access_token"])
            logsafe.remember(token)
            return StoredToken(token, now + timedelta(seconds=int(result.get("expires_in", 7200))))

        token, fetched = await self.tokens.refresh(self.key, clock=self.clock, fetch=fetch)
        logsafe.remember(token.value)  # when another process refreshed while we waited
        if fetched:
            log.info("fetched a new access token for %s, valid until %s", self.key, token.expires_at.isoformat())
        self._cached = (token.value, token.expires_at)
        return token.value

    async def _rejected(self, token: str) -> None:
        self._cached = None
        await self.tokens.invalidate(self.key, token, now=self.clock())

    async def call(self, what: str, fn: Callable[[Any], T]) -> T:
        """Run `fn(client)` in a worker thread with a valid token; ApiError if the platform refuses."""
        for attempt in (1, 2):
            token = await self.token()

            def run(token: str = token) -> T:
                _current_token.set(token)
                return fn(self.client)

            try:
                return await self._in_thread(what, run)
            except ApiError as exc:
                if exc.errcode in TOKEN_REJECTED and attempt == 1:
                    log.info("%s: access token rejected (%s); fetching another", what, exc.errcode)
                    await self._rejected(token)
                    continue
                raise
        raise AssertionError("unreachable")

    @staticmethod
    async def _in_thread(what: str, fn: Callable[[], T]) -> T:
        try:
            return await asyncio.to_thread(fn)
        except WeChatClientException as exc:
            code = int(exc.errcode) if exc.errcode is not None else None
            raise ApiError(what, code, str(exc.errmsg or "")) from None
        except requests.RequestException as exc:
            late = isinstance(exc, requests.ReadTimeout)  # sent, but no answer: sending again would duplicate it
            raise ApiError(what, None, type(exc).__name__, uncertain=late) from None
