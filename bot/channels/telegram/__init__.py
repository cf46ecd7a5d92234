"""The Telegram channel (python-telegram-bot 22): the only code in the project that knows Telegram."""

from __future__ import annotations

import os

from bot.channels.base import Channel, ChannelEntry
from bot.channels.services import ChannelServices

# Opt in now to PTB 23's time periods as timedelta (RetryAfter.retry_after), which silences its deprecation warning.
os.environ.setdefault("PTB_TIMEDELTA", "true")

CHANNEL = "telegram"


def build(services: ChannelServices) -> Channel:
    """The Telegram adapter; python-telegram-bot is imported only now, when the channel is on."""
    from bot.channels.telegram.channel import TelegramChannel

    return TelegramChannel(services)


ENTRY = ChannelEntry(CHANNEL, enabled=lambda settings: settings.telegram_on, build=build)
