"""Benchmark of the web console: the overview over 1,000 studios with three years of ledgers, a studio's page,
and a district reviewer's pending queue of 500+ entries — time per page and SQL statements per page, at two sizes
(the statement count must not grow with the number of studios). The peer, in the same run and on the same data:
a bare Starlette endpoint answering the overview's table with one hand-written GROUP BY query and a plain
Jinja2 template (no session, no permissions, no charts) — the floor a page of that table can reach.

    .venv/bin/python bench/web.py [--studios 1000] [--small 100] [--pending 500] [--rounds 30] [--pg URL]

Target (issue 18): each page under 300 ms on SQLite and PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from jinja2 import Environment
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from bench.reminders import Counter, database, drop_scratch
from bench.reminders_data import Builder, _moment, generate, load
from bot.http.app import create_app
from bot.runtime import Runtime, build_runtime
from bot.settings import load_settings
from handlers.web import signin
from storage.base import utcnow
from storage.models import EntryStatus, LedgerEntry, LedgerKind, Person, Role, RoleKind, Studio, Union

BASE = "https://bench.example.cn"
PEER_SQL = text(
    """
    SELECT s.id, s.name, u.name AS union_name, s.status,
           MAX(CASE WHEN e.kind = 'activity' AND e.status IN ('submitted', 'approved') THEN e.occurred_on END) AS last,
           SUM(CASE WHEN e.status = 'submitted' THEN 1 ELSE 0 END) AS waiting
    FROM studios s JOIN unions u ON u.id = s.union_id LEFT JOIN ledger_entries e ON e.studio_id = s.id
    GROUP BY s.id, s.name, u.name, s.status ORDER BY s.name
    """
)
PEER_PAGE = Environment(autoescape=True).from_string(
    "<!doctype html><table>{% for r in rows %}<tr><td><a href='/web/studios/{{ r.id }}'>{{ r.name }}</a></td>"
    "<td>{{ r.union_name }}</td><td>{{ r.status }}</td><td>{{ r.last or '—' }}</td><td>{{ r.waiting }}</td></tr>"
    "{% endfor %}</table>"
)


def add_pending(b: Builder, district_id: int, count: int, today: date) -> None:
    """`count` submitted activities in the studios of one district, each by its studio's lead."""
    enterprises = {u["id"] for u in b.rows[Union] if u.get("parent_id") == district_id}
    studios = [s["id"] for s in b.rows[Studio] if s["union_id"] in enterprises]
    leads = {r["studio_id"]: r["person_id"] for r in b.rows[Role] if r["kind"] is RoleKind.LEAD}
    for n in range(count):
        studio = studios[n % len(studios)]
        day = today - timedelta(days=n % 14)
        b.add(
            LedgerEntry,
            studio_id=studio,
            kind=LedgerKind.ACTIVITY,
            status=EntryStatus.SUBMITTED,
            version=1,
            author_id=leads[studio],
            occurred_on=day,
            title=f"待审活动 {n}",
            created_at=_moment(day),
            status_changed_at=_moment(day),
        )


async def sign_in(runtime: Runtime, http: httpx.AsyncClient, person_id: int) -> None:
    """Open a sign-in link and press 登录, as a person does."""
    async with runtime.sessions() as session, session.begin():
        url = await signin.issue_link(session, runtime.config, person_id, now=utcnow(), limited=False)
    assert url is not None
    path = url.removeprefix(BASE)
    page = await http.get(path)
    form_token = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert form_token is not None
    done = await http.post("/web/login", data={"token": path.rsplit("/", 1)[1], "form_token": form_token.group(1)})
    assert done.status_code == 303, done.text


async def timed(
    http: httpx.AsyncClient, path: str, rounds: int, counter: Counter
) -> tuple[float, float, float, int, int]:
    """Median and p90 milliseconds of a page, this process's CPU ms for it, its SQL statements, its size in bytes."""
    for _ in range(3):  # first compilations and caches are not steady state
        assert (await http.get(path)).status_code == 200, path
    counter.n = 0
    page = await http.get(path)
    statements = counter.n
    times = []
    cpu = time.process_time()
    for _ in range(rounds):
        started = time.perf_counter()
        response = await http.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    cpu_ms = (time.process_time() - cpu) * 1000 / rounds  # this process: app and SQLite, not PostgreSQL's server
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9) - 1], cpu_ms, statements, len(page.content)


async def one_size(studios: int, pending: int, rounds: int, pg: str | None, tmp: Path) -> dict[str, Any]:
    today = utcnow().astimezone(load_settings(_env_file=None).tz).date()
    url = await database(pg, tmp, f"web{studios}")
    b = generate(studios, today)
    district = next(u["id"] for u in b.rows[Union] if u["name"] == "区工会0")
    add_pending(b, district, pending, today)
    people = {p["name"]: p["id"] for p in b.rows[Person]}
    reviewer, association = people[f"审核{district}-0"], people["技协0"]
    settings = load_settings(
        _env_file=None,
        database_url=url,
        public_base_url=BASE,
        secret_key="bench-secret-key-0123456789",
        media_dir=tmp / "media",
        export_dir=tmp / "exports",
    )
    runtime = build_runtime(settings)
    rows = await load(runtime.engine, b)
    if pg is not None:  # autovacuum would have analysed the tables by now; a bulk load leaves no statistics
        async with runtime.engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
    counter = Counter(runtime.engine)
    figures: dict[str, Any] = {"studios": studios, "rows": rows}
    try:
        app = create_app(runtime)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
            await sign_in(runtime, http, association)
            figures["overview"] = await timed(http, "/web/", rounds, counter)
            figures["overview, filtered"] = await timed(http, "/web/?q=工作室000&sort=idle&dir=desc", rounds, counter)
            figures["studio page"] = await timed(http, "/web/studios/1", rounds, counter)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
            await sign_in(runtime, http, reviewer)
            figures["pending queue"] = await timed(http, "/web/pending", rounds, counter)
        async with runtime.sessions() as session:
            figures["waiting"] = await session.scalar(
                text(
                    "SELECT count(*) FROM ledger_entries e JOIN studios s ON s.id = e.studio_id "
                    "JOIN unions u ON u.id = s.union_id WHERE e.status = 'submitted' AND u.parent_id = :d"
                ),
                {"d": district},
            )

        async def peer(request: Request) -> HTMLResponse:
            async with runtime.engine.connect() as conn:
                found = (await conn.execute(PEER_SQL)).mappings().all()
            return HTMLResponse(PEER_PAGE.render(rows=found))

        bare = Starlette(routes=[Route("/", peer)])
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=bare), base_url=BASE) as http:
            figures["peer: bare Starlette, one query"] = await timed(http, "/", rounds, counter)
    finally:
        await runtime.close()
    return figures


PAGES = ("overview", "overview, filtered", "studio page", "pending queue", "peer: bare Starlette, one query")


def report(size: dict[str, Any]) -> None:
    """One size's figures, a page a line."""
    print(f"  {size['studios']:>5} studios, {size['rows']:,} rows; {size['waiting']} entries wait in the district")
    for page in PAGES:
        median, p90, cpu, statements, length = size[page]
        kib = length / 1024
        print(
            f"    {page:<32} {median:6.1f} ms median {p90:6.1f} ms p90 {cpu:6.1f} ms CPU"
            f" {statements:>3} SQL {kib:6.1f} KiB"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studios", type=int, default=1_000)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--pending", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--pg", help="also a PostgreSQL server URL (a scratch database is created)")
    args = parser.parse_args()
    os.environ.setdefault("ENVIRONMENT", "development")
    try:
        with tempfile.TemporaryDirectory() as tmp_dir:
            for pg in [None, *([args.pg] if args.pg else [])]:
                print(f"== web console on {'PostgreSQL' if pg else 'SQLite'}")
                sizes = [
                    await one_size(n, args.pending, args.rounds, pg, Path(tmp_dir)) for n in (args.small, args.studios)
                ]
                for size in sizes:
                    report(size)
                flat = all(sizes[0][p][3] == sizes[1][p][3] for p in PAGES[:-1])
                print(f"  statements per page independent of the number of studios: {'yes' if flat else 'NO'}")
    finally:
        await drop_scratch()


if __name__ == "__main__":
    asyncio.run(main())
