"""The Telegram channel (python-telegram-bot 22): the only code in the project that knows Telegram."""

from bot.channels.telegram.channel import TelegramChannel, TelegramConfigError
from bot.channels.telegram.webhook import telegram_routes

__all__ = ["TelegramChannel", "TelegramConfigError", "telegram_routes"]
