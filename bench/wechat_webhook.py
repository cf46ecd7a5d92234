"""WeChat OA webhook: N encrypted messages POSTed to /wechat over real HTTP on loopback, several at a time.

The server runs in its own process, as in production, on uvloop like `studio-bot serve`: uvicorn serving the
project's one ASGI app with the Official Account channel in safe mode (every message AES-encrypted and signed
with wechatpy's own crypto), the engine on a real database; a fake WeChat API in a third process takes the
customer-service messages. BENCH_MIX=mixed (default): two thirds from bound leads (帮助; 记录活动, whose buttons
go out as a msgmenu through the API inside the request; 取消), one third from strangers. BENCH_MIX=strangers:
only strangers' text (the lightest engine turn). BENCH_MIX=help: bound leads asking for help.
BENCH_ENGINE=stub answers every turn at once: what the channel and HTTP stack cost without the engine.
BENCH_TRACE=1 prints the server's collections, loop stalls and worker threads per run (bench/server_trace.py);
BENCH_PROFILE=<dir> writes a cProfile of the server during the paced run there (bench/server_profile.py; cProfile slows
the server, so pace it lower with BENCH_RATE to profile an unsaturated server).

The client shares the 2 cores with the server, so it does as little as it can while the clock runs (wechat_client):
every callback is signed and encrypted with wechatpy before a run, sent with aiohttp over kept-alive connections on
uvloop, and its reply stored; after the run every reply is checked (HTTP 200, XML replies decrypted with their
signature verified, strangers answered). The CPU time per message of the server, the client and the fake API is read
with psutil.

Two runs: as fast as CONCURRENCY clients can go (messages/s, p50/p99), then paced at 200 messages/s (BENCH_RATE);
each also by kind of answer (strangers, leads answered passively, leads answered through the customer-service API).
Then the peer answers the same callbacks with the same client (bench/werobot_peer.py: BENCH_PEER=werobot, the default,
with its SQLite session; werobot-memory without; none skips it) and the ratio is printed.
Usage: .venv/bin/python bench/wechat_webhook.py [MESSAGES] [CONCURRENCY]   (BENCH_DATABASE_URL for PostgreSQL)
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil
import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the test support's fake WeChat API

from bench import server_profile, server_trace, werobot_peer
from bench.engine import drop_pg, pg_database
from bench.wechat_client import Connections, Outcome, Prepared, check, prepare, timed
from bot.channel_services import RuntimeServices
from bot.channels.wechat.channel import WeChatChannel
from bot.cli.serve import run
from bot.http.app import create_app
from bot.runtime import build_runtime
from bot.server import settle_heap
from handlers.core.types import Incoming, Reply, Turn
from storage.base import utcnow
from storage.migrate import upgrade
from storage.models import Person
from storage.repos import people
from tests.support.fake_telegram import _serve
from tests.support.fake_wechat import FakeWeChat
from tests.support.wechat_world import OAPlatform, aes_key, seed, wechat_settings

LEADS = 30
WORDS = ("帮助", "记录活动", "取消")
PACED_RATE = int(os.environ.get("BENCH_RATE", "200"))  # messages per second in the paced run
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
    channel = WeChatChannel(RuntimeServices(runtime))
    await channel.start()
    if os.environ.get("BENCH_ENGINE") == "stub":
        # the channel alone: every turn answers at once, to tell the channel's cost from the engine's
        async def answer(incoming: Incoming) -> Turn:
            return Turn(replies=[Reply(text="您好！您还没有绑定身份。")])

        runtime.handle = answer  # type: ignore[method-assign]
    _server, task, port = await _serve(create_app(runtime, channel.routes()))
    settle_heap()  # as `studio-bot serve` does before its first request
    if os.environ.get("BENCH_TRACE"):
        server_trace.install(tmp / "trace.json", runtime.engine)
    elif os.environ.get("BENCH_PROFILE"):
        server_profile.install(Path(os.environ["BENCH_PROFILE"]))
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


async def saturate(connections: Connections, messages: list[Prepared], concurrency: int) -> tuple[float, list[Outcome]]:
    """Closed loop: CONCURRENCY senders, each sending its next message when the last one is answered."""
    outcomes: list[Outcome] = []
    queue = list(reversed(messages))

    async def worker() -> None:
        while queue:
            outcomes.append(await timed(connections, queue.pop()))

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, outcomes


async def paced(connections: Connections, messages: list[Prepared]) -> tuple[float, list[Outcome]]:
    """Open loop: message n is due at n/RATE s; its latency counts from then, waiting for a connection included."""
    outcomes: list[Outcome] = []
    in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)
    started = time.perf_counter()

    async def send(message: Prepared, due: float) -> None:
        async with in_flight:
            outcomes.append(await timed(connections, message, since=due))

    tasks = []
    for n, message in enumerate(messages):
        due = started + n / PACED_RATE
        if due > time.perf_counter():
            await asyncio.sleep(due - time.perf_counter())
        tasks.append(asyncio.create_task(send(message, due)))
    await asyncio.gather(*tasks)
    return time.perf_counter() - started, outcomes


class Cpu:
    """CPU seconds used by the server, the client (this process) and the fake API since the last reading."""

    def __init__(self, server: int, api: int) -> None:
        self.processes = {"server": psutil.Process(server), "client": psutil.Process(), "api": psutil.Process(api)}
        self.last = self._now()

    def _now(self) -> dict[str, float]:
        return {name: sum(p.cpu_times()[:2]) for name, p in self.processes.items()}

    def lap(self) -> dict[str, float]:
        """Seconds per process since the last lap."""
        now = self._now()
        used = {name: now[name] - self.last[name] for name in now}
        self.last = now
        return used


def _report(
    what: str, cpu: dict[str, float], elapsed: float, outcomes: list[Outcome], failures: list[str]
) -> tuple[float, float]:
    latencies = [o.latency for o in outcomes if not o.error]
    cuts = statistics.quantiles(latencies, n=100)
    per = {name: seconds * 1000 / max(len(outcomes), 1) for name, seconds in cpu.items()}
    print(
        f"{what}: {len(latencies)} messages in {elapsed:.2f} s = {len(latencies) / elapsed:.0f} messages/s; "
        f"p50 {cuts[49] * 1000:.1f} ms, p99 {cuts[98] * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms; "
        f"server CPU {per['server']:.2f} ms/message (client {per['client']:.2f}, fake API {per['api']:.2f}); "
        f"{len(failures)} failures"
    )
    for failure in failures[:5]:
        print("   ", failure)
    kinds: dict[str, list[float]] = {"strangers": [], "leads answered passively": [], "leads answered by the API": []}
    for o in outcomes:
        if not o.error:
            kind = "strangers" if _stranger(o.message.openid) else "leads answered passively"
            kinds["leads answered by the API" if o.body == b"success" else kind].append(o.latency * 1000)
    print(
        "    by kind: "
        + "; ".join(
            f"{kind} {len(values)}, p50 {statistics.median(values):.1f} ms, max {max(values):.1f} ms"
            + (f", p99 {statistics.quantiles(values, n=100)[98]:.1f} ms" if len(values) > 1 else "")
            for kind, values in kinds.items()
            if values
        )
    )
    return len(latencies) / elapsed, cuts[98] * 1000


async def measure(
    name: str,
    port: int,
    pids: tuple[int, int],
    platform: OAPlatform,
    runs: list[list[Prepared]],
    concurrency: int,
    trace: Path | None = None,
) -> tuple[float, float]:
    """Warm up, then the saturated run and the paced one against the server on `port`; (messages/s, paced p99 ms).

    trace: the file the server's BENCH_TRACE totals go to; what happened in each run is printed under it.
    """
    warm_up, fast, slow = runs
    connections = Connections(port, max(concurrency, MAX_IN_FLIGHT))
    _, outcomes = await saturate(connections, warm_up, concurrency)  # warm-up: token, connections, caches
    if failures := check(platform, outcomes, _stranger):
        raise SystemExit(f"{name}: warm-up failed: {failures[:3]}")
    traced = server_trace.lap(trace, None)[0] if trace else None
    cpu = Cpu(*pids)
    elapsed, outcomes = await saturate(connections, fast, concurrency)
    rate, _ = _report(
        f"{name}, as fast as possible", cpu.lap(), elapsed, outcomes, check(platform, outcomes, _stranger)
    )
    if trace:
        traced, line = server_trace.lap(trace, traced, len(fast))
        print(line)
    cpu.lap()
    profile = os.environ.get("BENCH_PROFILE") if name == "ours" else None
    if profile:
        os.kill(pids[0], signal.SIGUSR1)
    elapsed, outcomes = await paced(connections, slow)
    if profile:
        os.kill(pids[0], signal.SIGUSR2)
        await asyncio.sleep(1)
        print(f"    server profile of the paced run: {profile}/loop.prof, {profile}/threads.prof")
    _, p99 = _report(
        f"{name}, paced at {PACED_RATE}/s", cpu.lap(), elapsed, outcomes, check(platform, outcomes, _stranger)
    )
    if trace:
        print(server_trace.lap(trace, traced, len(slow))[1])
    await connections.close()
    return rate, p99


def _peer(aes: str, tmp: str, ports: Any) -> Any:
    """Start the peer (BENCH_PEER, default werobot; none skips it): its process, its port on `ports`."""
    peer = os.environ.get("BENCH_PEER", "werobot")
    if peer == "none":
        return None
    session = Path(tmp) / "werobot.sqlite3" if peer == "werobot" else None
    process = multiprocessing.get_context("spawn").Process(
        target=werobot_peer.serve, args=(aes, session, ports), daemon=True
    )
    process.start()
    return process


def _stranger(openid: str) -> bool:
    return openid.startswith("oSTRANGER")


async def main(total: int, concurrency: int) -> None:
    tmp = tempfile.mkdtemp(prefix="bench-wechat-")
    server = os.environ.get("BENCH_DATABASE_URL")
    if server:  # a fresh database each run: the seed's names are unique
        fresh = await pg_database(server)
        assert fresh is not None, "PostgreSQL does not answer"
        db_url = fresh
    else:
        db_url = f"sqlite+aiosqlite:///{tmp}/bench.db"
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
    processes = [child, api]
    try:
        port = ports.get(timeout=60)
        platform = OAPlatform(None, aes=aes)  # no HTTP client: it builds and checks, Connections sends
        runs = [
            prepare(platform, [_message(i, leads) for i in range(200)]),
            prepare(platform, [_message(i, leads) for i in range(total)]),
            prepare(platform, [_message(total + n, leads) for n in range(PACED_RATE * 10)]),
        ]
        engine = "stubbed" if os.environ.get("BENCH_ENGINE") == "stub" else "real"
        print(
            f"database: {db_url.split(':', 1)[0]}; engine {engine}; mix {os.environ.get('BENCH_MIX', 'mixed')}; "
            f"server in its own process; concurrency {concurrency}"
        )
        # the client's prepared callbacks are long-lived too: its full collections would stall its own clock
        gc.collect()
        gc.freeze()
        trace = Path(tmp) / "trace.json" if os.environ.get("BENCH_TRACE") else None
        ours = await measure("ours", port, (child.pid or 0, api.pid or 0), platform, runs, concurrency, trace)
        if peer := _peer(aes, tmp, ports):
            processes.append(peer)
            theirs = await measure(
                os.environ.get("BENCH_PEER", "werobot"),
                ports.get(timeout=60),
                (peer.pid, api.pid or 0),
                platform,
                runs,
                concurrency,
            )
            print(
                f"ours over the peer: {ours[0] / theirs[0]:.2f}× the messages/s; "
                f"paced p99 {ours[1]:.1f} ms against {theirs[1]:.1f} ms"
            )
    finally:
        for process in processes:
            process.terminate()
            process.join(10)
        shutil.rmtree(tmp, ignore_errors=True)
        if server:
            await drop_pg(server, db_url)


if __name__ == "__main__":
    uvloop.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000, int(sys.argv[2]) if len(sys.argv) > 2 else 16))
