"""WeChat OA webhook: N encrypted messages POSTed to /wechat over real HTTP on loopback, several at a time.

The server runs in its own process, as in production, on uvloop like `studio-bot serve`: uvicorn serving the
project's one ASGI app with the Official Account channel in safe mode (every message AES-encrypted and signed
with wechatpy's own crypto), the engine on a real database; a fake WeChat API in a third process takes the
customer-service messages. BENCH_MIX=mixed (default): two thirds from bound leads (帮助; 记录活动, whose buttons
go out as a msgmenu through the API inside the request; 取消), one third from strangers. BENCH_MIX=strangers:
only strangers' text (the lightest engine turn). BENCH_MIX=help: bound leads asking for help.
BENCH_ENGINE=stub answers every turn at once: what the channel and HTTP stack cost without the engine.
Every passive reply is decrypted and checked; the server's CPU time per message is read with psutil.

Two runs: as fast as CONCURRENCY clients can go (messages/s, p50/p99), then paced at 200 messages/s (p50/p99).
Usage: .venv/bin/python bench/wechat_webhook.py [MESSAGES] [CONCURRENCY]   (BENCH_DATABASE_URL for PostgreSQL)
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the test support's fake WeChat API

from bot.channels.wechat import WeChatChannel
from bot.cli.serve import run
from bot.http.app import create_app
from bot.runtime import build_runtime
from handlers.types import Incoming, Reply, Turn
from storage.base import utcnow
from storage.migrate import upgrade
from storage.models import Person
from storage.repos import people
from tests.support.fake_telegram import _serve
from tests.support.fake_wechat import FakeWeChat
from tests.support.wechat_world import OAPlatform, aes_key, seed, wechat_settings

LEADS = 30
WORDS = ("帮助", "记录活动", "取消")
PACED_RATE = 200
MAX_IN_FLIGHT = 64  # connections the paced client keeps; later messages wait their turn (and it is counted)


def _fake_api(ports: Any) -> None:
    logging.basicConfig(level=logging.WARNING)

    async def serve() -> None:
        fake = FakeWeChat()
        await fake.start()
        ports.put(fake.port)
        await fake._task

    run(serve())


def _server(db_url: str, aes: str, tmp: str, api_port: int, ports: Any) -> None:
    logging.basicConfig(level=logging.WARNING)
    run(_serve_forever(db_url, aes, Path(tmp), api_port, ports))  # on uvloop, as `studio-bot serve` runs


async def _serve_forever(db_url: str, aes: str, tmp: Path, api_port: int, ports: Any) -> None:
    fake = FakeWeChat()  # not started: only its address is used, the API runs in its own process
    fake.port = api_port
    runtime = build_runtime(wechat_settings(db_url, fake, tmp, oa_aes=aes, wecom_aes=aes_key()))
    channel = WeChatChannel(runtime)
    await channel.start()
    if os.environ.get("BENCH_ENGINE") == "stub":
        # the channel alone: every turn answers at once, to tell the channel's cost from the engine's
        async def answer(incoming: Incoming) -> Turn:
            return Turn(replies=[Reply(text="您好！您还没有绑定身份。")])

        runtime.handle = answer  # type: ignore[method-assign]
    _server, task, port = await _serve(create_app(runtime, channel.routes()))
    ports.put(port)
    await task


async def _bind_leads(db_url: str, lead_id: int) -> list[str]:
    from storage.database import create_engine, session_factory

    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as s, s.begin():
            lead = await s.get(Person, lead_id)
            assert lead is not None
            for n in range(LEADS):
                openid = f"oLEAD{n:04d}"
                await people.bind_identity(
                    session=s, person=lead, channel="wechat", external_id=openid, chat_id=openid, now=utcnow()
                )
    finally:
        await engine.dispose()
    return [f"oLEAD{n:04d}" for n in range(LEADS)]


def _message(i: int, leads: list[str]) -> tuple[str, str]:
    mix = os.environ.get("BENCH_MIX", "mixed")
    if mix == "strangers":
        return f"oSTRANGER{i:06d}", "你好"
    if mix == "help":
        return leads[i % len(leads)], "帮助"
    if i % 3 == 2:
        return f"oSTRANGER{i:06d}", "你好"
    lead = leads[i % len(leads)]
    return lead, WORDS[(i // len(leads)) % len(WORDS)]


async def _one(
    platform: OAPlatform,
    openid: str,
    text: str,
    latencies: list[float],
    failures: list[str],
    *,
    since: float | None = None,
) -> None:
    started = since if since is not None else time.perf_counter()
    try:
        answer = await platform.text(openid, text)
    except httpx.HTTPError as exc:
        failures.append(f"{type(exc).__name__} {text}")
        return
    latencies.append(time.perf_counter() - started)
    # a lead's answer may be a msgmenu (passive reply empty): in a flow, even 帮助 shows the step's buttons
    if answer.status != 200 or (openid.startswith("oSTRANGER") and not answer.text):
        failures.append(f"{answer.status} {text} → {answer.body[:80]!r}")


async def saturate(
    platform: OAPlatform, leads: list[str], total: int, concurrency: int
) -> tuple[float, list[float], list[str]]:
    latencies: list[float] = []
    failures: list[str] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i)

    async def worker() -> None:
        while not queue.empty():
            openid, text = _message(queue.get_nowait(), leads)
            await _one(platform, openid, text, latencies, failures)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies, failures


async def paced(
    platform: OAPlatform, leads: list[str], total: int, offset: int
) -> tuple[float, list[float], list[str]]:
    """Open loop: message n is due at n/RATE s; its latency counts from then, waiting for a connection included."""
    latencies: list[float] = []
    failures: list[str] = []
    in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)
    started = time.perf_counter()

    async def send(n: int, due: float) -> None:
        async with in_flight:
            openid, text = _message(offset + n, leads)
            await _one(platform, openid, text, latencies, failures, since=due)

    tasks = []
    for n in range(total):
        due = started + n / PACED_RATE
        if due > time.perf_counter():
            await asyncio.sleep(due - time.perf_counter())
        tasks.append(asyncio.create_task(send(n, due)))
    await asyncio.gather(*tasks)
    return time.perf_counter() - started, latencies, failures


def _report(what: str, cpu: float, elapsed: float, latencies: list[float], failures: list[str]) -> None:
    cuts = statistics.quantiles(latencies, n=100)
    print(
        f"{what}: {len(latencies)} messages in {elapsed:.2f} s = {len(latencies) / elapsed:.0f} messages/s; "
        f"p50 {cuts[49] * 1000:.1f} ms, p99 {cuts[98] * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms; "
        f"server CPU {cpu * 1000 / max(len(latencies), 1):.2f} ms/message; {len(failures)} failures"
    )
    for failure in failures[:5]:
        print("   ", failure)


async def main(total: int, concurrency: int) -> None:
    tmp = tempfile.mkdtemp(prefix="bench-wechat-")
    db_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite+aiosqlite:///{tmp}/bench.db"
    await upgrade(db_url)
    from storage.database import create_engine, session_factory

    engine = create_engine(db_url)
    seeded = await seed(session_factory(engine))
    await engine.dispose()
    leads = await _bind_leads(db_url, seeded.lead_id)
    aes = aes_key()
    spawn = multiprocessing.get_context("spawn")
    ports: Any = spawn.Queue()
    api = spawn.Process(target=_fake_api, args=(ports,), daemon=True)
    api.start()
    api_port = ports.get(timeout=60)
    child = spawn.Process(target=_server, args=(db_url, aes, tmp, api_port, ports), daemon=True)
    child.start()
    try:
        port = ports.get(timeout=60)
        most = max(concurrency, MAX_IN_FLIGHT)
        limits = httpx.Limits(max_connections=most, max_keepalive_connections=most)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30, limits=limits) as http:
            platform = OAPlatform(http, aes=aes)
            await saturate(platform, leads, 200, concurrency)  # warm-up: token, connections, caches
            engine = "stubbed" if os.environ.get("BENCH_ENGINE") == "stub" else "real"
            print(
                f"database: {db_url.split(':', 1)[0]}; engine {engine}; mix {os.environ.get('BENCH_MIX', 'mixed')}; "
                f"server in its own process; concurrency {concurrency}"
            )
            server = psutil.Process(child.pid)
            before = sum(server.cpu_times()[:2])
            result = await saturate(platform, leads, total, concurrency)
            _report("as fast as possible", sum(server.cpu_times()[:2]) - before, *result)
            before = sum(server.cpu_times()[:2])
            result = await paced(platform, leads, PACED_RATE * 10, total)
            _report(f"paced at {PACED_RATE}/s", sum(server.cpu_times()[:2]) - before, *result)
    finally:
        for process in (child, api):
            process.terminate()
            process.join(10)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000, int(sys.argv[2]) if len(sys.argv) > 2 else 16))
