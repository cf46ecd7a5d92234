"""Bulk import speed on SQLite: a filled template of 5,000 rows checked, imported, and imported again.

The file holds blocks of five rows (an enterprise union under an existing district union, its
studio, the studio's lead, the lead's two roles, one of them in an existing studio). Three passes,
each in its own transaction, as `studio-bot import` runs them:
  check   the file plus one bad row at its end: every row is checked, nothing is written;
  import  the file into a database holding only the seed: everything is created;
  again   the same file once more: nothing changes.
Prints seconds, rows/s and SQL statements per pass; the check's statements must not grow with the
file (the 100-row line is the same check on a small file). The peer in the same run: pandas reading the same file
and writing each sheet with DataFrame.to_sql (no checks, no audit).
Usage: .venv/bin/python bench/import_bulk.py [ROWS]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import create_engine, session_factory
from storage.importer.reader import read_template
from storage.importer.run import import_file
from storage.importer.template import write_template
from storage.migrate import upgrade
from storage.models import RoleKind, UnionLevel
from storage.repos import org, persons

DISTRICT, STUDIO = "浦东新区总工会", "王建国技师创新工作室"


async def seed(engine: AsyncEngine) -> None:
    """What the file refers to: a district union under the municipal one, and a studio with its lead (not timed)."""
    async with session_factory(engine)() as s:
        city = await org.create_union(session=s, name="市职工技协", level=UnionLevel.MUNICIPAL)
        district = await org.create_union(session=s, name=DISTRICT, level=UnionLevel.DISTRICT, parent=city)
        studio = await org.create_studio(session=s, name=STUDIO, union=district, named_on=date(2025, 6, 1))
        lead = await persons.create_person(session=s, name="王建国", phone="13800138000")
        await org.grant_role(session=s, person=lead, kind=RoleKind.LEAD, studio=studio)
        await s.commit()


def write_file(path: Path, rows: int, *, bad: bool = False) -> Path:
    """A filled template of `rows` rows (rounded down to whole blocks), with one bad phone at the end if `bad`."""
    book = load_workbook(write_template(path.with_suffix(".template.xlsx")))
    for i in range(rows // 5):
        union, studio, name, phone = f"第{i}机械厂工会", f"第{i}技师创新工作室", f"技师{i:05d}", f"139{i:08d}"
        book["工会"].append([union, "企业", DISTRICT])
        book["工作室"].append([studio, union, f"第{i}机械厂", "车间", None, date(2025, 6, 1)])
        book["人员"].append([name, phone, "技师", None])
        book["角色"].append([name, phone, "领衔人", studio, None])
        book["角色"].append([name, phone, "成员", STUDIO, None])
    if bad:
        book["人员"].append(["张三", "1380013800O", None, None])
    book.save(path)
    return path


async def run_pass(engine: AsyncEngine, path: Path) -> dict[str, Any]:
    """One import of `path` in its own transaction, committed: seconds, SQL statements, what it did."""
    sent: list[str] = []

    def count(*args: Any) -> None:
        sent.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        async with session_factory(engine)() as s:
            start = time.perf_counter()
            outcome = await import_file(session=s, path=path)
            await s.commit()
            seconds = time.perf_counter() - start
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    report = outcome.report
    did = f"{len(outcome.problems)} problem(s)" if report is None else ("changed" if report.changed else "no change")
    return {"seconds": seconds, "statements": len(sent), "did": did}


async def run(tmp: Path, rows: int) -> None:
    """Seed, write the files, run the passes, print the table."""
    url = f"sqlite+aiosqlite:///{tmp}/bench.db"
    await upgrade(url)
    engine = create_engine(url)
    try:
        await seed(engine)
        small = write_file(tmp / "small.xlsx", 100, bad=True)
        checked = write_file(tmp / "checked.xlsx", rows, bad=True)
        good = write_file(tmp / "good.xlsx", rows)
        start = time.perf_counter()
        read_template(good)
        reading = time.perf_counter() - start
        passes = [
            ("check, 100 rows", 100, await run_pass(engine, small)),
            (f"check, {rows:,} rows", rows, await run_pass(engine, checked)),
            ("import", rows, await run_pass(engine, good)),
            ("again", rows, await run_pass(engine, good)),
        ]
    finally:
        await engine.dispose()
    print(f"{'pass':20}{'rows':>8}{'seconds':>10}{'rows/s':>10}{'statements':>12}  result")
    for name, n, p in passes:
        line = f"{name:20}{n:>8,}{p['seconds']:>10.2f}{n / p['seconds']:>10,.0f}{p['statements']:>12,}  {p['did']}"
        print(line)
    print(f"reading the {rows:,}-row file alone (openpyxl, read-only): {reading:.2f} s")
    theirs = pandas_peer(good, tmp / "pandas.db")
    ours = passes[2][2]["seconds"]
    print(
        f"peer, pandas read_excel + to_sql into SQLite (no checks, no audit): {theirs:.2f} s; "
        f"our checked, audited import takes ×{ours / theirs:.2f} its time"
    )


def pandas_peer(path: Path, db: Path) -> float:
    """The same file the usual way: every sheet read by pandas and written with DataFrame.to_sql; seconds."""
    import sqlite3

    import pandas as pd

    started = time.perf_counter()
    with sqlite3.connect(db) as conn:
        for sheet, frame in pd.read_excel(path, sheet_name=None).items():
            frame.to_sql(f"sheet_{abs(hash(sheet))}", conn, index=False)
    return time.perf_counter() - started


def main() -> None:
    """Run the benchmark in a scratch directory."""
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        print(f"bulk import of {rows:,} rows on SQLite …", flush=True)
        asyncio.run(run(Path(tmp), rows))


if __name__ == "__main__":
    main()
