"""Keep the bot token out of the logs: httpx logs every request URL, and Telegram's URLs contain it."""

from __future__ import annotations

import logging

# Loggers that may print a Bot API URL: httpx logs "HTTP Request: POST https://…/bot<token>/sendMessage" and
# PTB's bot logs "Set Bot API URL: …/bot<token>". A logger's filter sees only records made on that very
# logger, so every existing logger of these packages gets one, and the known ones are created if need be.
PACKAGES = ("telegram", "httpx", "httpcore")
KNOWN = ("httpx", "telegram.Bot", "telegram.ext.ExtBot", "telegram.ext.Updater", "telegram.ext.Application")


class TokenFilter(logging.Filter):
    """Replaces the token in a record's rendered message."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact, never drop."""
        if not self.token:
            return True
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "<bot-token>"), None
        return True


def install(token: str) -> None:
    """Add the filter (once per token) to the loggers that could leak the token."""
    existing = [name for name in logging.root.manager.loggerDict if name.split(".")[0] in PACKAGES]
    for name in {*KNOWN, *existing}:
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenFilter) and f.token == token for f in logger.filters):
            logger.addFilter(TokenFilter(token))
