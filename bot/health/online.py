"""`doctor --online`: one access token per configured platform, through the clients the bot itself uses."""

from __future__ import annotations

import asyncio
from typing import Any

from bot import logsafe
from bot.settings import Settings
from handlers.health.findings import Finding, stall

TIMEOUT = 10.0


def _secret(value: Any) -> str:
    return value.get_secret_value() if value is not None else ""


async def check_online(settings: Settings) -> tuple[list[Finding], list[str]]:
    """The platforms that refused (findings) and those that answered (names)."""
    found: list[Finding] = []
    answered: list[str] = []
    probes = []
    if settings.wechat_on:
        probes.append(("wechat", _wechat(settings)))
    if settings.wecom_on:
        probes.append(("wecom", _wecom(settings)))
    if settings.telegram_on:
        probes.append(("telegram", _telegram(settings)))
    for channel, probe in probes:
        try:
            async with asyncio.timeout(TIMEOUT):
                await probe
        except TimeoutError:
            found.append(stall("online.refused", channel, reason="timeout"))
        except Exception as exc:  # the platform's refusal or the network's: said in one line
            found.append(stall("online.refused", channel, reason=logsafe.mask(_reason(exc))))
        else:
            answered.append(channel)
    return found, answered


def _reason(exc: BaseException) -> str:
    errcode = getattr(exc, "errcode", None)
    if errcode is not None:
        return f"errcode={errcode} {getattr(exc, 'errmsg', '')}".strip()
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


async def _wechat(s: Settings) -> None:
    from bot.channels.wechat.api import OAClient

    logsafe.install(_secret(s.wechat_app_secret))
    client = OAClient(s.wechat_app_id, _secret(s.wechat_app_secret), s.wechat_api_base_url)
    result = await asyncio.to_thread(client.fetch_access_token)
    logsafe.remember(str(result.get("access_token", "")))


async def _wecom(s: Settings) -> None:
    from bot.channels.wecom.api import WeComClient

    logsafe.install(_secret(s.wecom_secret))
    client = WeComClient(s.wecom_corp_id, _secret(s.wecom_secret), s.wecom_api_base_url)
    result = await asyncio.to_thread(client.fetch_access_token)
    logsafe.remember(str(result.get("access_token", "")))


async def _telegram(s: Settings) -> None:
    from telegram import Bot

    token = _secret(s.telegram_bot_token)
    logsafe.install(token, token.partition(":")[2])
    base = s.telegram_api_base_url.rstrip("/")
    async with Bot(token, base_url=f"{base}/bot", base_file_url=f"{base}/file/bot") as bot:
        await bot.get_me()
