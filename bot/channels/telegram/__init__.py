"""The Telegram channel (python-telegram-bot 22): the only code in the project that knows Telegram."""

import os

# Opt in now to PTB 23's time periods as timedelta (RetryAfter.retry_after), which silences its deprecation warning.
os.environ.setdefault("PTB_TIMEDELTA", "true")

from bot.channels.telegram.channel import TelegramChannel, TelegramConfigError
from bot.channels.telegram.webhook import telegram_routes

__all__ = ["TelegramChannel", "TelegramConfigError", "telegram_routes"]
