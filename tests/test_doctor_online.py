"""`doctor --online`: one token from each configured platform, through the bot's own clients; a refusal stalls."""

from __future__ import annotations

import base64

from pydantic import SecretStr

from bot.health.online import check_online
from bot.settings import Settings
from tests.support.fake_telegram import TOKEN, FakeTelegram
from tests.support.fake_wechat import APP_ID, APP_SECRET, CORP_ID, FakeWeChat

AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")


async def test_each_platform_is_asked_once_and_a_refused_secret_is_one_finding() -> None:
    wechat, telegram = FakeWeChat(), FakeTelegram()
    await wechat.start()
    await telegram.start()
    try:
        settings = Settings(
            wechat_app_id=APP_ID,
            wechat_app_secret=SecretStr(APP_SECRET),
            wechat_token=SecretStr("callback-token"),
            wechat_api_base_url=wechat.url,
            wecom_corp_id=CORP_ID,
            wecom_agent_id="1000002",
            wecom_secret=SecretStr("not-the-corp-secret"),
            wecom_token=SecretStr("callback-token"),
            wecom_aes_key=SecretStr(AES_KEY),
            wecom_api_base_url=wechat.url,
            telegram_bot_token=SecretStr(TOKEN),
            telegram_api_base_url=telegram.url,
        )
        found, answered = await check_online(settings)
    finally:
        await telegram.stop()
        await wechat.stop()
    assert sorted(answered) == ["telegram", "wechat"]
    assert [(f.code, f.subject, f.stalls) for f in found] == [("online.refused", "wecom", True)]
    assert "40125" in found[0].params["reason"] and "not-the-corp-secret" not in found[0].params["reason"]
    assert wechat.token_fetches() == 2
    assert telegram.sent("getMe")
