"""Benchmark of the reminders: one planner pass over 10,000 named studios (and 500 not named) with
three years of ledgers, its SQL statement count (which must not grow with the number of studios),
and the sender's achieved rate against each platform's allowed rate.

    .venv/bin/python bench/reminders.py [--studios 10000] [--small 1000] [--pg postgresql+asyncpg://…]

Targets: every pass under 1 s at 10,000 studios on SQLite and PostgreSQL; the same statement count at every size;
sending at ≥ 95 % of the allowed rate and never above it. The passes run as in `serve` (the catalogue read and the
start-up heap frozen first); the machine is shared, so each pass also shows this process's CPU seconds. The peer on
SQLite, in the same run: pandas reading the ledger and taking each studio's newest activity, one of a pass's reads.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from bench.reminders_data import UNNAMED_EVERY, generate, load
from bot.channels.base import PushTarget
from bot.delivery import OutboxSender
from bot.ratelimit import DEFAULT_RATES
from bot.server import settle_heap
from handlers.core import i18n
from handlers.core.config import HandlerConfig
from handlers.core.types import Reply
from handlers.reminders import plan
from storage.database import create_engine, session_factory
from storage.migrate import upgrade
from storage.repos import outbox

PASS_AT = date(2027, 3, 1)  # a Monday: the application window opens, last month's digests are due
CONFIG = HandlerConfig(secret_key=b"bench-secret")


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, dtime(hour), CONFIG.tz).astimezone(UTC)


class Counter:
    """Counts SQL statements on an engine (before_cursor_execute), executemany counted once."""

    def __init__(self, engine: Any) -> None:
        self.n = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._count)

    def _count(self, *_: Any) -> None:
        self.n += 1


SCRATCH: list[tuple[str, str]] = []  # (server URL, database) created on PostgreSQL, dropped at the end


async def _admin(pg: str, sql: str) -> None:
    admin = create_engine(pg, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await admin.dispose()


async def database(pg: str | None, tmp: Path, label: str) -> str:
    if pg is None:
        url = f"sqlite+aiosqlite:///{tmp / f'{label}.db'}"
    else:
        name = f"bench_{label}_{uuid.uuid4().hex[:6]}"
        await _admin(pg, f'CREATE DATABASE "{name}"')
        SCRATCH.append((pg, name))
        url = make_url(pg).set(database=name).render_as_string(hide_password=False)
    await upgrade(url)
    return url


async def drop_scratch() -> None:
    while SCRATCH:
        pg, name = SCRATCH.pop()
        await _admin(pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def planner(studios: int, pg: str | None, tmp: Path) -> dict[str, Any]:
    url = await database(pg, tmp, f"plan{studios}")
    engine = create_engine(url)
    started = time.perf_counter()
    rows = await load(engine, generate(studios, PASS_AT))
    loaded = time.perf_counter() - started
    counter = Counter(engine)
    sessions = session_factory(engine)
    figures: dict[str, Any] = {"studios": studios, "rows": rows, "load_s": loaded}
    i18n.preload()  # as serve does before its first request
    settle_heap()
    for label, moment in (
        ("full", at(PASS_AT)),
        ("again", at(PASS_AT, 10)),
        ("next day", at(PASS_AT + timedelta(days=1))),
    ):
        counter.n = 0
        started, cpu = time.perf_counter(), time.process_time()
        async with sessions() as session, session.begin():
            result = await plan(session=session, config=CONFIG, now=moment)
        elapsed = time.perf_counter() - started, time.process_time() - cpu
        figures[label] = (*elapsed, counter.n, len(result.new), result.by_topic())
    await engine.dispose()
    if pg is None:
        figures["peer_s"] = pandas_peer(make_url(url).database or "")
    return figures


def pandas_peer(path: str) -> float:
    """Seconds for pandas to read the ledger and take each studio's newest activity (one of a pass's reads)."""
    import sqlite3

    import pandas as pd

    started = time.perf_counter()
    with sqlite3.connect(path) as conn:
        entries = pd.read_sql("SELECT studio_id, kind, id, created_at FROM ledger_entries", conn)
    activities = entries[entries["kind"].str.lower() == "activity"]
    activities.loc[activities.groupby("studio_id")["id"].idxmax(), ["studio_id", "created_at"]]
    return time.perf_counter() - started


class TimedPusher:
    """A platform at our protocol boundary that takes 10–60 ms per push and notes when each began."""

    def __init__(self, name: str, now: Any, latency: bool = True) -> None:
        self.name, self.now, self.latency = name, now, latency
        self.sent: list[tuple[float, str]] = []

    async def push(self, target: PushTarget, reply: Reply, *, kind: str) -> None:
        self.sent.append((self.now(), target.chat_id))
        if self.latency:
            await asyncio.sleep(random.uniform(0.01, 0.06))


class VirtualClock:
    """Time that passes only when the (single) sender waits: for limits counted in minutes."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    async def sleep(self, seconds: float) -> None:
        self.moment += timedelta(microseconds=max(1, int(seconds * 1e6) + 1))
        await asyncio.sleep(0)


def most_in_window(times: list[float], period: float) -> int:
    ordered, best, j = sorted(times), 0, 0
    for i, t in enumerate(ordered):
        while ordered[j] <= t - period:
            j += 1
        best = max(best, i - j + 1)
    return best


async def queue(sessions: Any, people: list[int], per_person: int, kind: str, due: datetime) -> None:
    async with sessions() as s:
        for pid in people:
            for i in range(per_person):
                await outbox.enqueue(
                    session=s, key=f"b:{pid}:{i}", person_id=pid, payload={"text": "提醒"}, kind=kind, due_at=due
                )
        await s.commit()


async def people_on(sessions: Any, channel: str, n: int) -> list[int]:
    from storage.models import ChannelIdentity, Person

    async with sessions() as s:
        found = []
        for i in range(n):
            p = Person(name=f"p{i}", locale="zh_CN")
            s.add(p)
            await s.flush()
            s.add(
                ChannelIdentity(
                    person_id=p.id, channel=channel, external_id=f"{channel}{p.id}", chat_id=f"{channel}{p.id}"
                )
            )
            found.append(p.id)
        await s.commit()
    return found


async def sender(pg: str | None, tmp: Path) -> list[tuple[str, float, float, int, int]]:
    url = await database(pg, tmp, "send")
    engine = create_engine(url)
    sessions = session_factory(engine)
    out = []
    # Telegram, in real time: 600 chats (the bot-wide 30/s binds), then one chat alone (1/s per chat binds)
    crowd = await people_on(sessions, "telegram", 601)
    await queue(sessions, crowd[:600], 1, "notice", datetime.now(UTC))
    wall = TimedPusher("telegram", lambda: datetime.now(UTC).timestamp())  # the clock the limiter reads
    await OutboxSender(sessions, {"telegram": wall}).run_until_idle()
    times = [t for t, _ in wall.sent]
    bot_rate = DEFAULT_RATES["telegram"][0]
    out.append(
        (
            "telegram, whole bot (real time)",
            len(times) / (max(times) - min(times) + 1 / 30),
            30.0,
            most_in_window(times, bot_rate.period),
            bot_rate.limit,
        )
    )
    await queue(sessions, crowd[600:], 10, "notice", datetime.now(UTC))
    one = TimedPusher("telegram", lambda: datetime.now(UTC).timestamp())
    await OutboxSender(sessions, {"telegram": one}).run_until_idle()
    busy = [t for t, _ in one.sent]
    out.append(
        ("telegram, one chat (real time)", len(busy) / (max(busy) - min(busy) + 1.0), 1.0, most_in_window(busy, 1.0), 1)
    )
    # WeCom, 30 a minute per member: simulated time (a real run would take minutes)
    member = await people_on(sessions, "wecom", 1)
    start = datetime.now(UTC) + timedelta(days=1)
    await queue(sessions, member, 90, "notice", start - timedelta(seconds=1))
    clock = VirtualClock(start)
    sim = TimedPusher("wecom", lambda: clock().timestamp(), latency=False)
    await OutboxSender(sessions, {"wecom": sim}, clock=clock, sleep=clock.sleep).run_until_idle()
    times = [t for t, _ in sim.sent]
    out.append(
        (
            "wecom, one member (simulated time)",
            len(times) / (max(times) - min(times) + 2.0),
            0.5,
            most_in_window(times, 60.0),
            30,
        )
    )
    await engine.dispose()
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studios", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--pg", help="also a PostgreSQL server URL (a scratch database is created)")
    args = parser.parse_args()
    try:
        with tempfile.TemporaryDirectory() as tmp_dir:
            await _run(args, Path(tmp_dir))
    finally:
        await drop_scratch()


async def _run(args: argparse.Namespace, tmp: Path) -> None:
    for pg in [None, *([args.pg] if args.pg else [])]:
        db = "PostgreSQL" if pg else "SQLite"
        results = [await planner(n, pg, tmp) for n in (args.small, args.studios)]
        print(f"== planner on {db}, pass as of {PASS_AT} 09:00 Asia/Shanghai")
        for r in results:
            extra = r["studios"] // UNNAMED_EVERY
            print(f"  {r['studios']:>6} studios (+{extra} not named), {r['rows']:,} rows loaded in {r['load_s']:.1f} s")
            for label in ("full", "again", "next day"):
                secs, cpu, statements, new, topics = r[label]
                print(
                    f"    {label:<9} pass {secs:6.3f} s (CPU {cpu:5.3f} s)  {statements:>3} SQL statements"
                    f"  {new:>6} new  {topics}"
                )
        if "peer_s" in results[-1]:
            print(
                f"  peer: pandas reading the ledger and taking each studio's newest activity (one of the pass's "
                f"reads): {results[-1]['peer_s']:.3f} s"
            )
        same = all(results[0][k][2] == results[1][k][2] for k in ("full", "again", "next day"))
        print(f"  statement count independent of the number of studios: {'yes' if same else 'NO'}")
        print(f"== sender on {db}")
        for label, achieved, allowed, peak, limit in await sender(pg, tmp):
            print(
                f"  {label:<36} achieved {achieved:6.2f}/s of {allowed:5.2f}/s = {achieved / allowed:6.1%};"
                f" most in any window {peak} (limit {limit})"
            )


if __name__ == "__main__":
    asyncio.run(main())
