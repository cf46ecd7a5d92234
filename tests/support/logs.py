"""Logs as `studio-bot serve` writes them, and every spelling in which a secret could leak into them."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import quote, quote_plus

import pytest

from bot import logsafe


def spellings(secret: str) -> set[str]:
    """The secret raw, percent-encoded in upper and lower case, and form-encoded (quote_plus)."""
    upper = quote(secret, safe="")
    lower = re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), upper)
    return {secret, upper, lower, quote_plus(secret)}


@contextmanager
def serve_logging(level: int = logging.INFO) -> Iterator[io.StringIO]:
    """The root handler `studio-bot serve` sets up, writing into a buffer; the logging state is put back after."""
    root, httpx_logger = logging.getLogger(), logging.getLogger("httpx")
    saved = (root.level, list(root.handlers), httpx_logger.level)
    stream = io.StringIO()
    logsafe.setup(level, stream)
    try:
        yield stream
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]
        httpx_logger.setLevel(saved[2])


def leaks(secrets: Iterable[str], caplog: pytest.LogCaptureFixture, stream: io.StringIO) -> list[str]:
    """Every spelling of a secret found in the served log, in caplog's text, or in any record caplog kept."""
    texts = [stream.getvalue(), caplog.text]
    for record in caplog.records:
        texts += [record.getMessage(), record.exc_text or "", record.stack_info or ""]
    found = {form for secret in secrets if secret for form in spellings(secret) if any(form in t for t in texts)}
    return sorted(found)
