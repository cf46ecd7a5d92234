"""The Official Account client of wechatpy, pointed at WECHAT_API_BASE_URL, its token taken from the shared store."""

from __future__ import annotations

from typing import Any

from wechatpy import WeChatClient

from bot.channels.wxbase.api import TokenFromContext, settle_environment


class OAClient(TokenFromContext, WeChatClient):  # type: ignore[misc]
    """The Official Account client, pointed at WECHAT_API_BASE_URL."""

    def __init__(self, app_id: str, secret: str, base_url: str, *, timeout: float = 5.0) -> None:
        super().__init__(app_id, secret, timeout=timeout, auto_retry=False)
        self.API_BASE_URL = base_url.rstrip("/") + "/cgi-bin/"
        settle_environment(self._http, self.API_BASE_URL)  # wechatpy's requests.Session

    def fetch_access_token(self) -> dict[str, Any]:
        """Fetch a new token from this client's host (wechatpy hard-codes api.weixin.qq.com)."""
        result: dict[str, Any] = self._fetch_access_token(
            url=self.API_BASE_URL + "token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )
        return result
