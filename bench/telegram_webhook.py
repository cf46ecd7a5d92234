"""Webhook throughput: N Telegram updates POSTed to /telegram over real HTTP on loopback, several at a time.

The whole stack runs: uvicorn serving the project's one ASGI app, the Telegram channel (PTB 22, webhook
mode), the engine on a real database, and a fake Bot API on loopback taking the replies. Half the updates
come from bound leads (帮助, 记录活动, 取消: real conversation turns), half from strangers. Prints updates/s
and p50/p99 of the POST (Telegram's view: the turn is committed when it gets 200), then how long the replies
took to drain (they are paced by AIORateLimiter at Telegram's 30 messages/s, by design). The peer in the same run:
a bare python-telegram-bot Application answering the same updates (bench/telegram_peer.py).
Usage: .venv/bin/python bench/telegram_webhook.py [UPDATES] [CONCURRENCY]   (BENCH_DATABASE_URL for PostgreSQL)
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the test support's fake Bot API

from bench import telegram_peer
from bot.channel_services import RuntimeServices
from bot.channels.telegram.channel import TelegramChannel
from bot.http.app import create_app
from bot.runtime import build_runtime
from storage.base import utcnow
from storage.migrate import upgrade
from storage.models import Person
from storage.repos import people
from tests.support.fake_telegram import FakeTelegram, serving, text_update, until
from tests.support.telegram_world import WEBHOOK_SECRET, seed, telegram_settings

LEADS = 20
WORDS = ("帮助", "记录活动", "取消")


async def bind_leads(sessions: async_sessionmaker[AsyncSession], lead_id: int) -> list[int]:
    """Telegram accounts 9000… bound to the lead (one person, many devices: separate conversations)."""
    async with sessions() as s, s.begin():
        lead = await s.get(Person, lead_id)
        assert lead is not None
        for n in range(LEADS):
            uid = str(9000 + n)
            await people.bind_identity(
                session=s, person=lead, channel="telegram", external_id=uid, chat_id=uid, now=utcnow()
            )
    return [9000 + n for n in range(LEADS)]


async def run(total: int, concurrency: int, db_url: str, media: Path) -> None:
    await upgrade(db_url)
    fake = FakeTelegram()
    await fake.start()
    runtime = build_runtime(telegram_settings(db_url, fake, media, webhook=True))
    channel = TelegramChannel(RuntimeServices(runtime))
    await channel.start()
    seeded = await seed(runtime.sessions)
    leads = await bind_leads(runtime.sessions, seeded.lead_id)
    bodies = []
    for i in range(total):
        if i % 2:
            uid, word = leads[(i // 2) % LEADS], WORDS[(i // (2 * LEADS)) % len(WORDS)]
        else:
            uid, word = 20_000 + i, "你好"
        bodies.append(json.dumps(text_update(fake.next_update_id(), uid, word), ensure_ascii=False).encode())
    latencies: list[float] = []
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    try:
        async with serving(create_app(runtime, channel.routes())) as base, httpx.AsyncClient(timeout=60) as http:

            async def worker() -> None:
                while not queue.empty():
                    body = queue.get_nowait()
                    started = time.perf_counter()
                    response = await http.post(f"{base}/telegram", content=body, headers=headers)
                    latencies.append(time.perf_counter() - started)
                    assert response.status_code == 200, response.text

            began = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            accepted = time.perf_counter() - began
            await until(lambda: channel.stats["handled"] >= total, within=600, what="replies")
            drained = time.perf_counter() - began
    finally:
        await channel.stop()
        await runtime.close()
        await fake.stop()
    quantiles = statistics.quantiles(latencies, n=100)
    backend = db_url.split(":")[0]
    print(f"telegram webhook, {total} updates, {concurrency} at a time, {backend}")
    print(f"  accepted: {total / accepted:8.1f} updates/s   ({accepted:.2f} s)")
    print(f"  POST latency: p50 {quantiles[49] * 1000:7.1f} ms   p99 {quantiles[98] * 1000:7.1f} ms")
    print(f"  replies sent: {len(fake.sent('sendMessage'))} in {drained:.2f} s (paced at 30 msg/s by AIORateLimiter)")
    fake = FakeTelegram()
    await fake.start()
    try:
        peer_accepted, peer_latencies, peer_drained = await telegram_peer.run(bodies, concurrency, fake)
    finally:
        await fake.stop()
    cuts = statistics.quantiles(peer_latencies, n=100)
    print(
        f"  peer, a bare PTB Application replying to every text: {total / peer_accepted:8.1f} updates/s, "
        f"POST p50 {cuts[49] * 1000:.1f} ms, p99 {cuts[98] * 1000:.1f} ms, replies in {peer_drained:.2f} s; "
        f"ours ×{peer_accepted / accepted:.2f} its rate"
    )


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    concurrency = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        db_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite+aiosqlite:///{tmp}/bench.db"
        asyncio.run(run(total, concurrency, db_url, Path(tmp) / "media"))


if __name__ == "__main__":
    main()
