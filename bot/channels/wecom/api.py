"""The WeCom client of wechatpy, pointed at WECOM_API_BASE_URL, its token taken from the shared store."""

from __future__ import annotations

from typing import Any

from wechatpy.enterprise import WeChatClient as WeComClientBase

from bot.channels.wxbase.api import TokenFromContext, settle_environment


class WeComClient(TokenFromContext, WeComClientBase):  # type: ignore[misc]
    """wechatpy's enterprise client; `gettoken` goes to this client's host too."""

    def __init__(self, corp_id: str, secret: str, base_url: str, *, timeout: float = 5.0) -> None:
        super().__init__(corp_id, secret, timeout=timeout, auto_retry=False)
        self.API_BASE_URL = base_url.rstrip("/") + "/cgi-bin/"
        settle_environment(self._http, self.API_BASE_URL)  # wechatpy's requests.Session

    def fetch_access_token(self) -> dict[str, Any]:
        """Fetch a new token (wechatpy hard-codes qyapi.weixin.qq.com)."""
        result: dict[str, Any] = self._fetch_access_token(
            url=self.API_BASE_URL + "gettoken", params={"corpid": self.corp_id, "corpsecret": self.secret}
        )
        return result
