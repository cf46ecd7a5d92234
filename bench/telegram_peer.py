"""The peer of bench/telegram_webhook.py: a bare python-telegram-bot Application on the same updates and fake Bot API.

As PTB's own custom-webhook example does: a Starlette route puts each update on the Application's update queue and
answers 200; one MessageHandler replies to every text with the stranger's greeting through the same fake Bot API and
the same AIORateLimiter. No database, no conversation: what the project's engine and storage add shows beside it.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, MessageHandler, filters

from tests.support.fake_telegram import TOKEN, FakeTelegram, serving, until


async def run(bodies: list[bytes], concurrency: int, fake: FakeTelegram) -> tuple[float, list[float], float]:
    """POST the bodies C at a time; (seconds to accept them all, POST latencies, seconds until all replies went)."""
    base = fake.url.rstrip("/")
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{base}/bot")
        .rate_limiter(AIORateLimiter())
        .concurrent_updates(True)
        .updater(None)
        .build()
    )
    replied = [0]

    async def greet(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text("您好！您还没有绑定身份。")
        replied[0] += 1

    app.add_handler(MessageHandler(filters.TEXT, greet))

    async def telegram(request: Request) -> Response:
        await app.update_queue.put(Update.de_json(await request.json(), app.bot))
        return Response()

    latencies: list[float] = []
    queue = list(reversed(bodies))
    async with app:
        await app.start()
        web = Starlette(routes=[Route("/telegram", telegram, methods=["POST"])])
        async with serving(web) as url, httpx.AsyncClient(timeout=60) as http:

            async def worker() -> None:
                while queue:
                    body = queue.pop()
                    started = time.perf_counter()
                    response = await http.post(f"{url}/telegram", content=body, headers=_JSON)
                    latencies.append(time.perf_counter() - started)
                    assert response.status_code == 200, response.text

            began = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            accepted = time.perf_counter() - began
            await until(lambda: replied[0] >= len(bodies), within=600, what="peer replies")
            drained = time.perf_counter() - began
        await app.stop()
    return accepted, latencies, drained


_JSON: dict[str, Any] = {"Content-Type": "application/json"}
