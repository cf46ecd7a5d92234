"""Keep secrets out of every log line: bot tokens, app secrets and access tokens, in every encoding they travel in.

Libraries log request URLs, and URLs carry secrets: httpx logs each Bot API call with the token in the path,
percent-encoded (`%3A`) when PTB downloads a file; urllib3 logs WeChat's `?secret=…&access_token=…`; the
database drivers log statement parameters, a stored access token among them. The filter masks every secret
this process has been told of, raw, percent-encoded (upper and lower case) and form-encoded, plus the values
of secret query parameters. It sits on the loggers known to print them and on the root handlers `setup()`
makes, so that a library's logger nobody listed is masked too.
"""

from __future__ import annotations

import json
import logging
import re
from typing import TextIO
from urllib.parse import quote, quote_plus

MASK = "<redacted>"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# A logger's filter sees only records made on that very logger, so each known one gets the filter, and so
# does every existing logger of these packages; the root handlers catch the rest.
LOGGERS = (
    "httpx",
    "telegram.Bot",
    "telegram.ext.ExtBot",
    "telegram.ext.Updater",
    "telegram.ext.Application",
    "urllib3.connectionpool",
    "urllib3",
    "requests",
    "wechatpy",
    "aiosqlite",
    "sqlalchemy.engine",
    "asyncpg",
)
PACKAGES = ("telegram", "httpx", "httpcore", "urllib3", "wechatpy")
MIN_LENGTH = 6  # shorter values are too common to mask
_QUERY_SECRET = re.compile(r"(?i)\b(access_token|secret|corpsecret|encoding_aes_key)=([^&\s\"']+)")
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None


def encodings(secret: str) -> set[str]:
    """The secret as it may appear in a log line: raw, percent-encoded (either case) and form-encoded."""
    encoded = quote(secret, safe="")
    lower = re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), encoded)
    return {secret, quote(secret), encoded, lower, quote_plus(secret)}


def mask(text: str) -> str:
    """The text with every remembered secret, in each encoding, and every secret query value masked."""
    text = _QUERY_SECRET.sub(rf"\1={MASK}", text)
    return _pattern.sub(MASK, text) if _pattern is not None else text


class SecretFilter(logging.Filter):
    """Masks a record's message, exception and stack text; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact, never drop."""
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: the handler reports it, with nothing rendered
            return True
        # rendered now, not later: an argument may be changed after the call (PTB completes a logged
        # getFile result with the token-bearing file URL afterwards)
        record.msg, record.args = mask(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True


_FILTER = SecretFilter()


def remember(*secrets: str) -> None:
    """Mask these values from now on."""
    global _pattern
    _secrets.update(s for s in secrets if s and len(s) >= MIN_LENGTH)
    forms = {form for secret in _secrets for form in encodings(secret)}
    # longest first: a token is masked whole before a part of it could be
    _pattern = re.compile("|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))) if forms else None


def install(*secrets: str) -> None:
    """Mask these secrets, and put the filter on the loggers known to print them (once each)."""
    remember(*secrets)
    existing = [name for name in logging.root.manager.loggerDict if name.split(".")[0] in PACKAGES]
    for name in {*LOGGERS, *existing}:
        _add(logging.getLogger(name))


class JsonFormatter(logging.Formatter):
    """One JSON object per line for log collectors; the text is the record as the filter left it (masked)."""

    def format(self, record: logging.LogRecord) -> str:
        """time, level, logger, message, and the exception text when there is one."""
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # exc_text only: the filter has masked it, while formatting exc_info afresh would not be
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


def setup(level: int = logging.INFO, stream: TextIO | None = None, *, json_lines: bool = False) -> logging.Handler:
    """The logging `studio-bot serve` runs with: a stream handler on the root, every root handler masked."""
    root = logging.getLogger()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    for each in root.handlers:
        _add(each)
    # at INFO httpx logs every request URL, and a Bot API URL is the token (PTB's docs advise WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return handler


def _add(target: logging.Filterer) -> None:
    if _FILTER not in target.filters:
        target.addFilter(_FILTER)
