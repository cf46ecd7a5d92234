"""The API clients honour the proxy settings the environment gives when the bot starts, and only those."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channel_stores import StoredTokens
from bot.channels.wechat.api import OAClient
from bot.channels.wecom.api import WeComClient
from bot.channels.wxbase.api import Api
from tests.support.clock import Clock
from tests.support.fake_wechat import APP_ID, APP_SECRET, CORP_ID, CORP_SECRET, FakeWeChat

PROXY_VARS = (
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
)
NOWHERE = "http://api.weixin.invalid"  # resolves nowhere: only a proxy can carry the call
DEAD = "http://127.0.0.1:9"  # nothing listens there


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def say(text: str) -> Any:
    return lambda client: client.message.send_text("oFOLLOWER", text)


async def test_a_proxy_set_at_start_carries_the_calls_and_later_changes_do_not(
    sessions: async_sessionmaker[AsyncSession], clean_env: pytest.MonkeyPatch
) -> None:
    fake = FakeWeChat()  # plays the proxy: it answers the absolute-form requests a proxy gets
    await fake.start()
    try:
        clean_env.setenv("HTTP_PROXY", fake.url)
        oa = Api(OAClient(APP_ID, APP_SECRET, NOWHERE), StoredTokens(sessions), key=f"wechat:{APP_ID}", clock=Clock())
        wecom = Api(
            WeComClient(CORP_ID, CORP_SECRET, NOWHERE), StoredTokens(sessions), key=f"wecom:{CORP_ID}", clock=Clock()
        )
        clean_env.setenv("HTTP_PROXY", DEAD)  # read once, at start: the running bot keeps its settings
        await oa.call("custom/text", say("经代理"))
        await wecom.call("token", lambda client: client.fetch_access_token())
        assert [c.path for c in fake.calls].count("message/custom/send") == 1
        assert {"token", "gettoken"} <= {c.path for c in fake.calls}
    finally:
        await fake.stop()


async def test_no_proxy_for_the_api_host_goes_straight_there(
    sessions: async_sessionmaker[AsyncSession], clean_env: pytest.MonkeyPatch
) -> None:
    fake = FakeWeChat()
    await fake.start()
    try:
        clean_env.setenv("HTTP_PROXY", DEAD)
        clean_env.setenv("NO_PROXY", "127.0.0.1")
        oa = Api(OAClient(APP_ID, APP_SECRET, fake.url), StoredTokens(sessions), key=f"wechat:{APP_ID}", clock=Clock())
        await oa.call("custom/text", say("直连"))
        assert [c.path for c in fake.calls].count("message/custom/send") == 1
    finally:
        await fake.stop()
