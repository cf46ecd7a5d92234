"""Drive N complete 记录活动 conversations through the engine and the recording fake channel.

Prints steps per second, the p50/p99 latency of one step, CPU per step and steps per commit (SQLite
commits the turns that wait together), on SQLite with its fast path and, beside it, on the plain path
(SQLITE_FAST_PATH=false), one person alone, and (when it answers) PostgreSQL, several people and (pg-x1) one alone.
The peer runs the same conversations in the same run: python-telegram-bot's ConversationHandler on the same form
(bench/ptb_peer.py), its state in memory and in PicklePersistence saved after every update; each of the project's
figures is printed as a ratio to both.
Figures: bench/README.md.
Usage: python bench/engine.py [--conversations N] [--concurrency C] [--pg URL] [--only sqlite,postgresql,pg-x1]
       [--profile DIR] [--loop asyncio]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import uvloop
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from bench import ptb_peer
from storage import direct
from storage.database import create_engine, session_factory
from storage.migrate import upgrade
from tests.support import Transcript, add_identity, make_bot, make_world

WARM_UP = 4  # conversations run before the clock starts
Figures = tuple[int, float, float, list[float], int, int]

# One conversation: (kind, what) — "say" types, "press" presses a button of the last answer.
SCRIPT = (
    ("say", "记录活动"),
    ("press", "今天"),
    ("press", "技术交流"),
    ("say", "数控编程交流"),
    ("press", "工作室"),
    ("press", "李明"),
    ("press", "王芳"),
    ("press", "完成"),
    ("say", "3"),
    ("say", "交流了宏程序的写法"),
    ("say", "跳过"),
    ("say", "跳过"),
    ("press", "提交"),
)


async def run(
    url: str, conversations: int, concurrency: int, *, fast: bool = True, profile: Path | None = None
) -> Figures:
    """Seed, then run the conversations C at a time; (steps, s, CPU s, step latencies in ms, commits, statements)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, sqlite_fast_path=fast)
    else:
        engine = create_engine(url, pool_size=concurrency + 2)
    sessions = session_factory(engine)
    world = await make_world(sessions)
    users = [f"bench-{i}" for i in range(concurrency)]
    for user in users:
        await add_identity(sessions, world.lead, user)
    bot = make_bot(sessions)
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(WARM_UP + conversations):
        queue.put_nowait(n)

    async def worker(user: str, timed: bool) -> None:
        chat = Transcript(bot, user)
        while not queue.empty() and (timed or queue.qsize() > conversations):
            queue.get_nowait()
            for kind, what in SCRIPT:
                started = time.perf_counter()
                await (chat.say(what) if kind == "say" else chat.press(what))
                if timed:
                    latencies.append((time.perf_counter() - started) * 1000)
            if "已提交" not in chat.text:
                raise SystemExit(f"conversation did not end in a submission:\n{chat.transcript()}")
            chat.log.clear()

    # the first turns load the message catalogue and fill SQLAlchemy's statement caches: not steady state
    await asyncio.gather(*(worker(u, False) for u in users))
    commits = [0, 0]  # SQLite commits the turns that wait together (group commit): turns per commit says how many

    def count(_conn: object) -> None:
        commits[0] += 1

    def statement(*_args: object) -> None:
        commits[1] += 1

    event.listen(engine.sync_engine, "commit", count)
    event.listen(engine.sync_engine, "before_cursor_execute", statement)
    direct.watch(engine, statement)  # the reads that skip SQLAlchemy's execution (storage.direct)
    profiler = cProfile.Profile(time.process_time) if profile is not None else None
    began, cpu = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.enable()
    await asyncio.gather(*(worker(u, True) for u in users))
    if profiler is not None:
        profiler.disable()
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    if profiler is not None and profile is not None:
        profiler.dump_stats(profile)
        calls = pstats.Stats(profiler).total_calls  # type: ignore[attr-defined]  # set by Stats, not in its stub
        print(f"{profile.name}: {calls / len(latencies):.0f} Python function calls per step (the machine's load aside)")
    event.remove(engine.sync_engine, "commit", count)
    event.remove(engine.sync_engine, "before_cursor_execute", statement)
    direct.unwatch(engine, statement)
    await engine.dispose()
    return len(latencies), elapsed, cpu, latencies, commits[0], commits[1]


def report(name: str, figures: Figures, peers: dict[str, Figures], unit: str = "commit") -> None:
    """One line of figures, then its ratio to each peer (steps/s over theirs; CPU per step over theirs)."""
    steps, elapsed, cpu, latencies, commits, statements = figures
    cut = statistics.quantiles(latencies, n=100)
    ratios = "".join(
        f"   {peer} ×{steps / elapsed / (their[0] / their[1]):.2f} (cpu ×{cpu / steps / (their[2] / their[0]):.2f})"
        for peer, their in peers.items()
    )
    print(
        f"{name:<12} {steps:>6} steps in {elapsed:6.2f} s = {steps / elapsed:7.0f} steps/s   "
        f"p50 {cut[49]:6.2f} ms   p99 {cut[98]:6.2f} ms   cpu {cpu / steps * 1000:5.2f} ms/step   "
        + (f"{steps / commits:4.1f} steps/{unit}" if commits else f"{'no ' + unit + 's':>15}")
        + (f"   {statements / steps:4.1f} statements/step" if statements else "")
        + ratios
    )


async def pg_database(server: str) -> str | None:
    """A fresh migrated database on the PostgreSQL server, or None if it does not answer."""
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"bench_{uuid.uuid4().hex[:8]}"
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        print(f"postgresql  skipped: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        return None
    finally:
        await admin.dispose()
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    await upgrade(url)
    return url


async def drop_pg(server: str, url: str) -> None:
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    await admin.dispose()


def arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--pg", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--loop", choices=("uvloop", "asyncio"), default="uvloop", help="uvloop: as `serve` runs")
    parser.add_argument(
        "--only",
        default="sqlite,plain,x1,postgresql",
        help="our runs, comma-separated (pg-x1: one person on PostgreSQL)",
    )
    parser.add_argument("--profile", help="a directory: cProfile of the timed section, <run>.prof")
    return parser.parse_args()


async def main(args: argparse.Namespace) -> None:
    print(
        f"{args.conversations} conversations of {len(SCRIPT)} steps, {args.concurrency} people at a time, "
        f"after {WARM_UP} untimed, on {args.loop}"
    )
    only = set(args.only.split(","))
    profile = Path(args.profile) if args.profile else None
    profile_of = (lambda name: profile / f"{name}.prof") if profile is not None else (lambda name: None)
    with tempfile.TemporaryDirectory() as tmp:
        peers = {
            "ptb memory": await ptb_peer.run(SCRIPT, args.conversations, args.concurrency, WARM_UP, None),
            "ptb pickle": await ptb_peer.run(SCRIPT, args.conversations, args.concurrency, WARM_UP, Path(tmp) / "ptb"),
        }
        for name, figures in peers.items():
            report(name, figures, {}, unit="save")
        print("ratios: the project's steps/s over the peer's (×1.00 = as fast), its CPU per step over the peer's")
        if "sqlite" in only:
            url = f"sqlite+aiosqlite:///{tmp}/bench.db"
            await upgrade(url)
            figures = await run(url, args.conversations, args.concurrency, profile=profile_of("sqlite"))
            report("sqlite", figures, peers)
        if "plain" in only:
            plain = f"sqlite+aiosqlite:///{tmp}/bench-plain.db"
            await upgrade(plain)
            report("sqlite plain", await run(plain, args.conversations, args.concurrency, fast=False), peers)
        if "x1" in only:
            one = f"sqlite+aiosqlite:///{tmp}/bench1.db"
            await upgrade(one)
            report("sqlite x1", await run(one, max(args.conversations // 4, 1), 1), peers)
    # each on a database of its own (the world is seeded per run); pg-x1: one person alone, a turn in a transaction
    # of its own, as at quiet hours
    for name, line, conversations, concurrency in (
        ("postgresql", "postgresql", args.conversations, args.concurrency),
        ("pg-x1", "postgresql x1", max(args.conversations // 4, 1), 1),
    ):
        pg = await pg_database(args.pg) if name in only else None
        if pg is not None:
            try:
                report(line, await run(pg, conversations, concurrency, profile=profile_of(name)), peers)
            finally:
                await drop_pg(args.pg, pg)


if __name__ == "__main__":
    ARGS = arguments()
    (uvloop.run if ARGS.loop == "uvloop" else asyncio.run)(main(ARGS))
