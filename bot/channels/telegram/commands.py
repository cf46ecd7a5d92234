"""The bot's command menu (setMyCommands), in each language the bot speaks."""

from __future__ import annotations

import logging
import re

from telegram import Bot, BotCommand
from telegram.error import TelegramError

from handlers.account.basic import menu_for
from handlers.core.i18n import DEFAULT_LOCALE
from handlers.engine.router import Routes

log = logging.getLogger(__name__)

# Telegram's language_code for each locale; the menu without a language is the default locale's.
LANGUAGES = {"zh_CN": "zh", "en": "en"}
_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


def bot_commands(routes: Routes, locale: str) -> list[BotCommand]:
    """The chat commands, described in one language, as Telegram accepts them."""
    return [
        BotCommand(name, (description.strip() or name)[:256])
        for name, description in menu_for(routes, locale)
        if _NAME.match(name)
    ]


async def publish_commands(bot: Bot, routes: Routes, default_locale: str = DEFAULT_LOCALE) -> None:
    """Set the menu for Chinese, English, and everybody else; a failure is logged, never fatal."""
    menus: list[tuple[str | None, str]] = [(code, locale) for locale, code in LANGUAGES.items()]
    menus.append((None, default_locale))
    for language_code, locale in menus:
        try:
            menu = bot_commands(routes, locale)
        except KeyError as exc:  # a command whose help text is missing from the catalogue
            log.error("telegram command menu (%s) not built: %s", language_code or "default", exc)
            continue
        try:
            await bot.set_my_commands(menu, language_code=language_code)
        except TelegramError as exc:
            log.warning("telegram command menu (%s) not set: %s", language_code or "default", exc)
