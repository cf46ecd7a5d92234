"""Client CPU per statement: the project's engine on PostgreSQL, beside asyncpg itself and SQLite, in one run.

Each case runs RUNS times on one connection, after WARM_UP untimed runs (statements prepared, caches warm), and prints
the process's CPU per run (time.process_time, so waits on the server do not count) and the PostgreSQL backend's CPU
per run (psutil on the server's process, which runs on this machine). The cases are the engine's typical ones:
`select 1`, a stranger's speaker read (storage.repos.speakers, the first statement of every turn) through Core,
through the ORM session and as a turn reads it (storage.direct's path on PostgreSQL, the ORM on SQLite), and a
turn's transaction skeleton (BEGIN, the speaker read, COMMIT). The peer is asyncpg directly, on the same SQL (as
SQLAlchemy compiles it for PostgreSQL) with its own statement cache, in the same run.
Usage: .venv/bin/python bench/pg_statement.py [RUNS]   (BENCH_DATABASE_URL: the PostgreSQL server, default local)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import psutil
import uvloop
from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.engine import drop_pg, pg_database
from storage.database import create_engine, relax_commit_if_unwritten, session_factory
from storage.migrate import upgrade
from storage.repos import deliveries, speakers
from storage.repos.speakers import _SPEAKER

WARM_UP = 300
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
PARAMS = {"channel": "wechat", "external_id": "o-stranger"}

Case = Callable[[], Awaitable[Any]]


_delivery = iter(range(10**9))


async def _timed(case: Case, runs: int, backend: psutil.Process | None) -> tuple[float, float | None, float]:
    """Client CPU, server CPU and wall time per run, in microseconds."""
    for _ in range(WARM_UP):
        await case()
    server0 = sum(backend.cpu_times()[:2]) if backend else 0.0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(runs):
        await case()
    cpu, wall = (time.process_time() - cpu0) / runs * 1e6, (time.perf_counter() - wall0) / runs * 1e6
    server = (sum(backend.cpu_times()[:2]) - server0) / runs * 1e6 if backend else None
    return cpu, server, wall


def _line(name: str, cpu: float, server: float | None, wall: float, peer: float | None) -> None:
    ratio = f"  {cpu / peer:4.1f}× asyncpg" if peer else ""
    at_server = f"  server {server:6.0f} µs" if server is not None else ""
    print(f"  {name:<46} client {cpu:6.0f} µs{at_server}  wall {wall:6.0f} µs{ratio}")


async def _backend(conn: Any) -> psutil.Process | None:
    try:
        return psutil.Process(int(await conn.fetchval("select pg_backend_pid()")))
    except (psutil.Error, OSError):
        return None


async def raw_asyncpg(url: str, runs: int, speaker_sql: str) -> dict[str, float]:
    """The peer: asyncpg's connection, its own prepared-statement cache, no SQLAlchemy."""
    parsed = make_url(url)
    conn = await asyncpg.connect(
        host=parsed.host, port=parsed.port, user=parsed.username, password=parsed.password, database=parsed.database
    )
    backend = await _backend(conn)
    found: dict[str, float] = {}

    async def turn() -> None:
        async with conn.transaction():
            await conn.fetch(speaker_sql, *PARAMS.values())

    async def stranger() -> None:
        async with conn.transaction():
            await conn.fetch(speaker_sql, *PARAMS.values())
            await conn.fetch(insert_sql, "bench", f"a{next(_delivery)}", '{"replies": []}')

    insert_sql = (
        "INSERT INTO seen_deliveries (channel, delivery_id, seen_at, response, owed) VALUES ($1, $2, now(), $3, false)"
        " ON CONFLICT (channel, delivery_id) DO NOTHING RETURNING delivery_id"
    )
    cases: dict[str, Case] = {
        "select 1": lambda: conn.fetchval("select 1"),
        "speaker read": lambda: conn.fetch(speaker_sql, *PARAMS.values()),
        "turn: BEGIN, speaker read, COMMIT": turn,
        "stranger's turn: + delivery INSERT": stranger,
    }
    print("asyncpg directly (the peer)")
    for name, case in cases.items():
        found[name], server, wall = await _timed(case, runs, backend)
        _line(name, found[name], server, wall, None)
    await conn.close()
    return found


async def project(url: str, runs: int, peer: dict[str, float], label: str, **options: Any) -> None:
    """The project's engine (storage.database.create_engine): Core and the ORM session on one pooled connection."""
    engine = create_engine(url, pool_size=1, **options)
    sessions = session_factory(engine)
    postgres = engine.dialect.name == "postgresql"
    backend = None
    if postgres:
        async with engine.connect() as conn:
            backend = await _backend((await conn.get_raw_connection()).driver_connection)
    one = text("select 1")

    async def core(statement: Any, params: dict[str, Any] | None = None) -> None:
        async with engine.connect() as conn:
            (await conn.execute(statement, params)).all()

    async def orm() -> None:
        async with sessions() as session:
            (await session.execute(_SPEAKER, PARAMS)).all()

    async def direct() -> None:
        async with sessions() as session:
            await speakers.speaker(session=session, **PARAMS)

    async def turn() -> None:
        async with sessions() as session, session.begin():
            (await session.execute(_SPEAKER, PARAMS)).all()

    async def stranger(relax: bool) -> None:
        async with sessions() as session, session.begin():
            (await session.execute(_SPEAKER, PARAMS)).all()
            if relax:
                await relax_commit_if_unwritten(session)
            await deliveries.record_many(session=session, channel_answers=[("bench", f"d{next(_delivery)}", {})])

    cases: dict[str, Case] = {
        "select 1": lambda: core(one),
        "speaker read, Core": lambda: core(_SPEAKER, PARAMS),
        "speaker read, ORM session": orm,
        "speaker read, as a turn reads it": direct,
        "turn: BEGIN, speaker read, COMMIT": turn,
        "stranger's turn: + delivery INSERT": lambda: stranger(False),
        "stranger's turn, relaxed commit (main: no)": lambda: stranger(True),
    }
    print(label)
    for name, case in cases.items():
        if not postgres and "relaxed" in name:
            continue
        cpu, server, wall = await _timed(case, runs, backend)
        _line(name, cpu, server, wall, peer.get(name) or peer.get(name.split(",")[0]))
    await engine.dispose()


async def main(runs: int) -> None:
    speaker_sql = str(_SPEAKER.compile(dialect=postgresql.asyncpg.dialect()))  # type: ignore[attr-defined]
    print(f"{runs} runs of each statement on one connection, after {WARM_UP} untimed; CPU per run")
    url = await pg_database(SERVER)
    if url is not None:
        try:
            peer = await raw_asyncpg(url, runs, speaker_sql)
            await project(url, runs, peer, "project engine, PostgreSQL (storage.database.create_engine)")
        finally:
            await drop_pg(SERVER, url)
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = f"sqlite+aiosqlite:///{tmp}/bench.db"
        await upgrade(sqlite)
        await project(sqlite, runs, {}, "project engine, SQLite (fast path)")


if __name__ == "__main__":
    uvloop.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000))
