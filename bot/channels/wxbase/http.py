"""The HTTP side of a WeChat-family callback: secrets from settings, refusals logged without the sender, the peer."""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bot.http.metrics import Metrics


def secret(value: Any) -> str:
    """The plain value of a SecretStr (or '')."""
    return value.get_secret_value() if value is not None else ""


def refuse(
    logger: logging.Logger, request: Request, metrics: Metrics, channel: str, outcome: str, why: str
) -> Response:
    """403 for a callback not taken, logged (without its query or body: they name the sender) and counted."""
    logger.warning("%s: refused a %s from %s: %s", channel, request.method, peer(request), why)
    metrics.event(channel, outcome)
    return PlainTextResponse("forbidden", status_code=403)


def peer(request: Request) -> str:
    """Who sent a request, for the log."""
    return request.client.host if request.client else "?"


def not_taken(logger: logging.Logger, metrics: Metrics, channel: str) -> Response:
    """503 for a message the bot could not write down: the platform delivers it again (WeChat thrice)."""
    logger.warning("%s: a message was not taken (the database cannot be written); asking for a retry", channel)
    metrics.event(channel, "not_taken")
    return PlainTextResponse("service unavailable", status_code=503, headers={"Retry-After": "5"})
