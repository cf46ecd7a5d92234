"""Keep WeChat secrets out of the logs: urllib3 logs every request line, and WeChat's URLs carry them.

At DEBUG, urllib3 prints "GET /cgi-bin/token?grant_type=…&secret=… HTTP/1.1" and every API call's
`access_token`, and the database drivers print the parameters of every statement (a stored token
among them). The filter masks secret query values, the configured secrets and every access token
this process has seen, in the rendered record.
"""

from __future__ import annotations

import logging
import re

LOGGERS = ("urllib3.connectionpool", "urllib3", "requests", "wechatpy", "aiosqlite", "sqlalchemy.engine", "asyncpg")
_QUERY_SECRET = re.compile(r"(?i)\b(access_token|secret|corpsecret|encoding_aes_key)=([^&\s\"']+)")
_SECRETS: set[str] = set()


class SecretFilter(logging.Filter):
    """Masks secret query values and every remembered secret; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact, never drop."""
        message = record.getMessage()
        redacted = _QUERY_SECRET.sub(r"\1=<redacted>", message)
        for secret in _SECRETS:
            if secret in redacted:
                redacted = redacted.replace(secret, "<redacted>")
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def remember(*secrets: str) -> None:
    """Mask these values from now on (short values are too common to mask)."""
    _SECRETS.update(s for s in secrets if s and len(s) >= 6)


def install(*secrets: str) -> None:
    """Mask these secrets, and add the filter to the loggers that could print them (once)."""
    remember(*secrets)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, SecretFilter) for f in logger.filters):
            logger.addFilter(SecretFilter())
