"""POST /telegram: Telegram's webhook, refused without the secret header, answered once the turn is saved."""

from __future__ import annotations

import hmac
import json
import logging
from time import perf_counter
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update

from bot.channels.telegram import CHANNEL
from bot.http.metrics import metrics_of
from handlers.engine.failures import TurnNotTaken

if TYPE_CHECKING:
    from bot.channels.telegram.channel import TelegramChannel

log = logging.getLogger(__name__)

PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name, not a secret
MAX_BODY = 1024 * 1024  # an update is a few kilobytes; anything this large is not from Telegram


def _refuse(status: int, error: str, reason: str, request: Request) -> Response:
    client = request.client.host if request.client else "?"
    log.warning("telegram webhook refused (%d): %s, from %s", status, reason, client)
    return JSONResponse({"ok": False, "error": error}, status_code=status)


async def _body(request: Request) -> bytes | None:
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY:
            return None
    return bytes(body)


def telegram_routes(channel: TelegramChannel) -> list[Route]:
    """The webhook route of this channel, for the project's one ASGI app."""

    async def webhook(request: Request) -> Response:
        started = perf_counter()
        metrics = metrics_of(request.app.state)
        if channel.polling:
            return _refuse(404, "not_found", "the channel polls, no webhook is set", request)
        given = request.headers.get(SECRET_HEADER, "")
        if not given or not hmac.compare_digest(given.encode(), channel.secret.encode()):
            channel.stats["webhook_refused"] += 1
            metrics.event(CHANNEL, "bad_signature")
            return _refuse(403, "forbidden", "wrong secret token" if given else "no secret token", request)
        if not channel.running:
            metrics.event(CHANNEL, "unavailable")
            # Telegram retries a failed delivery: nothing is lost while we start or stop
            return _refuse(503, "starting", "the channel is not running", request)
        body = await _body(request)
        if body is None:
            metrics.event(CHANNEL, "bad_json")
            return _refuse(413, "too_large", "body larger than 1 MiB", request)
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update")
            update = Update.de_json(data, channel.application.bot)
        except Exception as exc:  # parsing only: whatever json or de_json cannot read is not an update
            channel.stats["webhook_malformed"] += 1
            metrics.event(CHANNEL, "bad_json")
            return _refuse(400, "malformed", f"malformed update ({type(exc).__name__})", request)
        try:
            outcome = await channel.receive(update, metrics)
        except TurnNotTaken:
            metrics.event(CHANNEL, "not_taken", perf_counter() - started)
            # the database cannot be written now: Telegram delivers the update again
            return _refuse(503, "unavailable", f"update {update.update_id} not taken (database)", request)
        except Exception:
            log.exception("telegram webhook: could not handle update %s", update.update_id)
            metrics.error(CHANNEL, "answer")
            metrics.event(CHANNEL, "error", perf_counter() - started)
            # nothing was committed: a 500 makes Telegram deliver the update again
            return JSONResponse({"ok": False, "error": "internal"}, status_code=500)
        metrics.event(CHANNEL, outcome, perf_counter() - started)
        return JSONResponse({"ok": True})

    return [Route(PATH, webhook, methods=["POST"], name="telegram_webhook")]
