"""The Telegram settings checked (token, webhook URL and secret) and the python-telegram-bot Application built."""

from __future__ import annotations

import re
from typing import Any

from telegram.ext import Application, ApplicationBuilder

from bot.channels.base import ChannelConfigError
from bot.channels.telegram.pacing import PacedRateLimiter
from bot.settings import Settings

CONCURRENT_UPDATES = 64
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as secret_token


class TelegramConfigError(ChannelConfigError):
    """The Telegram settings cannot work; the message says which one and why."""


def build_application(token: str, api_base_url: str, *, polling: bool) -> Application[Any, Any, Any, Any, Any, Any]:
    """A PTB Application against this Bot API server, rate-limited (30 msg/s, 20/min per group, ~1/s per chat)."""
    base = api_base_url.rstrip("/")
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .rate_limiter(PacedRateLimiter())
        .concurrent_updates(CONCURRENT_UPDATES)
        .job_queue(None)  # reminders have their own scheduler
    )
    if not polling:
        builder = builder.updater(None)
    return builder.build()


def bot_settings(settings: Settings) -> tuple[str, str, str]:
    """The bot token, the webhook URL (empty: long polling) and the webhook secret; TelegramConfigError if unusable."""
    if settings.telegram_bot_token is None or not settings.telegram_bot_token.get_secret_value():
        raise TelegramConfigError("TELEGRAM_BOT_TOKEN is empty: the Telegram channel is off")
    token = settings.telegram_bot_token.get_secret_value()
    webhook_url = settings.telegram_webhook_url.strip()
    secret = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret is not None else ""
    if webhook_url and not _SECRET.match(secret):
        raise TelegramConfigError(
            "TELEGRAM_WEBHOOK_SECRET is required in webhook mode: 1-256 characters of A-Z a-z 0-9 _ -"
        )
    return token, webhook_url, secret
