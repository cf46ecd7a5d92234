"""Scale-out: one and then two `serve` processes on one PostgreSQL, behind a round-robin client, in the same run.

Each server process runs as bench/wechat_webhook.py's does (uvicorn on uvloop, the OA channel in safe mode, the
engine on the shared database); a fake WeChat API runs in its own process. The same mixed traffic (leads in flows,
a third strangers) goes first to one process, then round-robin to two; a lead's messages alternate between the
processes, so their conversations move from one to the other. Every tenth callback is also sent to the other
process at the same moment (WeChat's retry reaching another process). Afterwards the script checks that nothing was
processed twice: one delivery row per distinct message, and both answers of every doubled callback the same.
The peer figure is one process of ours, in the same run. Needs PostgreSQL (BENCH_DATABASE_URL, a server URL: a
scratch database is made and dropped).
Usage: .venv/bin/python bench/scale_out.py [MESSAGES=2000] [CONCURRENCY=16]
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import uvloop
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.wechat_client import Connections, Outcome, Prepared, check, prepare, timed
from bench.wechat_webhook import _bind_leads, _fake_api, _message, _server, _stranger
from storage.database import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import SeenDelivery
from tests.support.wechat_world import OAPlatform, aes_key, seed

DOUBLED_EVERY = int(os.environ.get("BENCH_DOUBLED_EVERY", "10"))  # 0: no callback sent twice


async def drive(servers: list[Connections], messages: list[Prepared], concurrency: int) -> tuple[float, list[Outcome]]:
    """Closed loop, message n to server n mod k; every DOUBLED_EVERY-th also to the next server at once."""
    outcomes: list[Outcome] = []
    queue = list(reversed(list(enumerate(messages))))

    async def worker() -> None:
        while queue:
            n, message = queue.pop()
            here = servers[n % len(servers)]
            if len(servers) > 1 and DOUBLED_EVERY and n % DOUBLED_EVERY == 0:
                there = servers[(n + 1) % len(servers)]
                outcomes.extend(await asyncio.gather(timed(here, message), timed(there, message)))
            else:
                outcomes.append(await timed(here, message))

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, outcomes


async def scratch(server: str) -> str:
    """A fresh migrated database on the server."""
    name = f"bench_scale_{uuid.uuid4().hex[:6]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    await upgrade(url)
    return url


async def drop(server: str, url: str) -> None:
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    await admin.dispose()


async def deliveries(url: str) -> int:
    engine = create_engine(url)
    async with session_factory(engine)() as s:
        count = int(await s.scalar(select(func.count()).select_from(SeenDelivery)) or 0)
    await engine.dispose()
    return count


def same_answers(platform: OAPlatform, outcomes: list[Outcome]) -> list[str]:
    """Doubled callbacks whose two answers differ (decrypted: each encryption has its own nonce)."""
    answers: dict[str, set[str]] = {}
    for o in outcomes:
        answers.setdefault(o.message.path, set()).add(platform.reply_text(o.body.decode()) if o.status == 200 else "?")
    return [path for path, texts in answers.items() if len(texts) > 1]


async def main(total: int, concurrency: int) -> None:
    server = os.environ.get("BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    url = await scratch(server)
    tmp = tempfile.mkdtemp(prefix="bench-scale-")
    spawn = multiprocessing.get_context("spawn")
    ports: Any = spawn.Queue()
    processes: list[Any] = []
    try:
        engine = create_engine(url)
        seeded = await seed(session_factory(engine))
        await engine.dispose()
        leads = await _bind_leads(url, seeded.lead_id)
        aes = aes_key()
        processes.append(spawn.Process(target=_fake_api, args=(ports,), daemon=True))
        processes[-1].start()
        api_port = ports.get(timeout=60)
        platform = OAPlatform(None, aes=aes)
        one = prepare(platform, [_message(i, leads) for i in range(total)])
        two = prepare(platform, [_message(total + i, leads) for i in range(total)])
        warm = prepare(platform, [_message(2 * total + i, leads) for i in range(200)])
        servers: list[Connections] = []
        for _ in range(2):
            processes.append(spawn.Process(target=_server, args=(url, aes, tmp, api_port, ports), daemon=True))
            processes[-1].start()
            servers.append(Connections(ports.get(timeout=60), max(concurrency, 32)))
        await drive(servers, warm, concurrency)  # both warm: token, connections, caches
        results = {}
        for label, used, messages in (("1 process", servers[:1], one), ("2 processes", servers, two)):
            elapsed, outcomes = await drive(used, messages, concurrency)
            failures = check(platform, outcomes, _stranger) + same_answers(platform, outcomes)
            results[label] = len(messages) / elapsed
            print(
                f"{label}: {len(messages)} messages ({len(outcomes)} callbacks) in {elapsed:.2f} s = "
                f"{results[label]:.0f} messages/s; {len(failures)} failures"
            )
            for failure in failures[:5]:
                print("   ", failure)
        stored, distinct = await deliveries(url), len({m.path for m in warm + one + two})
        print(
            f"2 processes over 1: ×{results['2 processes'] / results['1 process']:.2f}; "
            f"deliveries stored {stored} for {distinct} distinct messages: "
            + ("nothing processed twice" if stored == distinct else "MISMATCH")
        )
        for connections in servers:
            await connections.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        for process in processes:
            process.terminate()
            process.join(10)
        await drop(server, url)


if __name__ == "__main__":
    uvloop.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000, int(sys.argv[2]) if len(sys.argv) > 2 else 16))
