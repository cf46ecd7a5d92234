"""How fast the versioned ledger writes: create, edit, decide — one transaction each, as a chat turn does.

Prints entries/s on a fresh SQLite file and, when one answers, on a private PostgreSQL database. The peer in the same
run: the plainest durable write, one sqlite3 INSERT of a row with the same fields committed per action (WAL,
synchronous=NORMAL, as ours): what versions, audit rows and checks cost on top of it.
Usage: .venv/bin/python bench/foundation_ledgers.py [N]
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.base import utcnow
from storage.database import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import EntryStatus, LedgerKind, UnionLevel
from storage.repos import ledgers, org, persons

FIELDS = {
    "occurred_on": date(2026, 3, 5),
    "kind": "技术交流",
    "title": "数控车床刀具寿命攻关讨论",
    "place": "二号车间",
    "participants": ["王建国", "李娟", "赵磊"],
    "hours": Decimal("2.5"),
}


async def bench(url: str, n: int) -> dict[str, float]:
    """Time n creates, n edits and n approvals, one commit each."""
    await upgrade(url)
    engine = create_engine(url)
    sessions = session_factory(engine)
    try:
        async with sessions() as s:
            union = await org.create_union(session=s, name="浦东新区总工会", level=UnionLevel.DISTRICT)
            studio = await org.create_studio(session=s, name="王建国技师创新工作室", union=union)
            lead = await persons.create_person(session=s, name="王建国")
            await s.commit()
        ids: list[int] = []
        figures: dict[str, float] = {}
        start = time.perf_counter()
        for i in range(n):
            async with sessions() as s:
                entry = await ledgers.create_entry(
                    session=s,
                    studio_id=studio.id,
                    kind=LedgerKind.ACTIVITY,
                    author_id=lead.id,
                    fields=FIELDS | {"title": f"活动{i}"},
                )
                await s.commit()
                ids.append(entry.id)
        figures["create/s"] = n / (time.perf_counter() - start)
        start = time.perf_counter()
        for entry_id in ids:
            async with sessions() as s:
                entry = await ledgers.get_entry(session=s, entry_id=entry_id)
                assert entry is not None
                await ledgers.edit_entry(session=s, entry=entry, editor_id=lead.id, fields={"hours": Decimal("3")})
                await s.commit()
        figures["edit/s"] = n / (time.perf_counter() - start)
        start = time.perf_counter()
        for entry_id in ids:
            async with sessions() as s:
                await ledgers.set_status(
                    session=s,
                    entry_id=entry_id,
                    expected={EntryStatus.SUBMITTED},
                    to=EntryStatus.APPROVED,
                    now=utcnow(),
                )
                await s.commit()
        figures["decide/s"] = n / (time.perf_counter() - start)
        return figures
    finally:
        await engine.dispose()


def plain_writes(path: str, n: int) -> float:
    """Rows/s of a bare sqlite3 INSERT and COMMIT per row, the floor under any ledger write."""
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE entries (id INTEGER PRIMARY KEY, studio INT, day TEXT, title TEXT, hours TEXT, body TEXT)"
    )
    started = time.perf_counter()
    for i in range(n):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO entries (studio, day, title, hours, body) VALUES (?, ?, ?, ?, ?)",
            (1, "2026-03-05", f"活动 {i}", "2", "交流了宏程序的写法"),
        )
        conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return n / seconds


async def admin(url: str, sql: str) -> bool:
    """Run one statement in autocommit; False when the server does not answer."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
        return True
    except Exception:
        return False
    finally:
        await engine.dispose()


async def main(n: int) -> None:
    """Run the benchmark on SQLite, then on PostgreSQL if reachable."""
    with tempfile.TemporaryDirectory() as tmp:
        figures = await bench(f"sqlite+aiosqlite:///{tmp}/bench.db", n)
        print(f"sqlite     n={n}: " + "  ".join(f"{k} {v:8.1f}" for k, v in figures.items()))
        print(f"peer: plain sqlite3, one INSERT committed per action: {plain_writes(f'{tmp}/peer.db', n):8.1f}/s")
    server = os.environ.get("TEST_DATABASE_URL") or "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
    name = f"bench_{uuid.uuid4().hex[:8]}"
    if not await admin(server, f'CREATE DATABASE "{name}"'):
        print("postgresql: not reachable, skipped")
        return
    try:
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
        figures = await bench(url, n)
        print(f"postgresql n={n}: " + "  ".join(f"{k} {v:8.1f}" for k, v in figures.items()))
    finally:
        await admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
