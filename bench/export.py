"""Export speed and memory: 100,000 ledger rows to .xlsx, ours (streaming xlsxwriter) against pandas.

Both read the same rows from the same SQLite file with the same query; each runs in its own
subprocess so that its peak RSS is its own. Prints seconds and peak RSS side by side.
Usage: .venv/bin/python bench/export.py [ROWS]
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert

from storage.base import utcnow
from storage.database import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import ActivityVersion, EntryStatus, LedgerEntry, LedgerKind, UnionLevel
from storage.repos import org, persons

STUDIO = "王建国技师创新工作室"
KINDS = ("学习", "攻关", "技术交流", "技术练兵", "技术创新")
BATCH = 5000


async def seed(url: str, rows: int) -> None:
    """A studio with `rows` approved activities (bulk inserts; not timed)."""
    await upgrade(url)
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as s:
            union = await org.create_union(session=s, name="浦东新区总工会", level=UnionLevel.DISTRICT)
            studio = await org.create_studio(session=s, name=STUDIO, union=union, named_on=date(2025, 6, 1))
            lead = await persons.create_person(session=s, name="王建国")
            now, first = utcnow(), date(2025, 6, 1)
            for start in range(0, rows, BATCH):
                n = min(BATCH, rows - start)
                days = [first + timedelta(days=(start + i) % 1000) for i in range(n)]
                result = await s.execute(
                    insert(LedgerEntry).returning(LedgerEntry.id),
                    [
                        {
                            "studio_id": studio.id,
                            "kind": LedgerKind.ACTIVITY,
                            "status": EntryStatus.APPROVED,
                            "version": 1,
                            "author_id": lead.id,
                            "occurred_on": day,
                            "title": f"活动{start + i}",
                            "status_changed_at": now,
                            "created_at": now,
                        }
                        for i, day in enumerate(days)
                    ],
                )
                ids = list(result.scalars())
                await s.execute(
                    insert(ActivityVersion),
                    [
                        {
                            "entry_id": entry_id,
                            "version": 1,
                            "created_by_id": lead.id,
                            "created_at": now,
                            "occurred_on": day,
                            "kind": KINDS[(start + i) % len(KINDS)],
                            "title": f"数控车床刀具寿命攻关讨论 第{start + i}次",
                            "place": "二号车间",
                            "participants": ["王建国", "李娟", "赵磊"],
                            "hours": Decimal("2.5"),
                            "content": "分析刀具磨损数据，比较三种刀具的寿命，确定下一步试验方案。",
                            "results": "形成改进方案一份",
                        }
                        for i, (entry_id, day) in enumerate(zip(ids, days, strict=True))
                    ],
                )
            await s.commit()
    finally:
        await engine.dispose()


async def run_ours(url: str, out: Path) -> dict[str, float]:
    """Our export, as `studio-bot export` runs it."""
    from handlers.exports.labels import export_ledgers
    from storage.exports.ledgers import LedgerFilter

    engine = create_engine(url)
    try:
        async with session_factory(engine)() as s:
            studio = await org.get_studio(session=s, name=STUDIO)
            assert studio is not None
            start = time.perf_counter()
            result = await export_ledgers(session=s, studio=studio, out=out, fmt="xlsx", flt=LedgerFilter())
            total = time.perf_counter() - start
    finally:
        await engine.dispose()
    return {"seconds": total, "rows": result.counts[LedgerKind.ACTIVITY]}


async def run_pandas(url: str, out: Path) -> dict[str, float]:
    """The same rows, read the same way, through a DataFrame and DataFrame.to_excel."""
    import pandas as pd

    from handlers.exports.labels import labeler
    from storage.exports.ledgers import LedgerFilter, columns, ledger_rows

    engine = create_engine(url)
    label = labeler("zh_CN")
    try:
        async with session_factory(engine)() as s:
            studio = await org.get_studio(session=s, name=STUDIO)
            assert studio is not None
            start = time.perf_counter()
            flt, kind = LedgerFilter(), LedgerKind.ACTIVITY
            rows = [row async for row in ledger_rows(session=s, studio_id=studio.id, kind=kind, flt=flt, label=label)]
            frame = pd.DataFrame(rows, columns=[c.header for c in columns(kind, label)])
            read = time.perf_counter() - start
            frame.to_excel(out, sheet_name="日常活动台账", index=False)
            total = time.perf_counter() - start
    finally:
        await engine.dispose()
    return {"seconds": total, "to_excel_seconds": total - read, "rows": len(frame)}


def child(which: str, url: str, out: str) -> None:
    """Run one side and print its figures (with this process's peak RSS) as JSON."""
    figures = asyncio.run((run_ours if which == "ours" else run_pandas)(url, Path(out)))
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures["file_mb"] = Path(out).stat().st_size / 1e6
    print(json.dumps(figures))


def measure(which: str, url: str, out: Path) -> dict[str, float]:
    """One side in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", which, url, str(out)], check=True, capture_output=True, text=True
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    """Seed, run both sides, print the comparison."""
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        print(f"seeding {rows:,} approved activities …", flush=True)
        asyncio.run(seed(url, rows))
        ours = measure("ours", url, Path(tmp) / "ours.xlsx")
        theirs = measure("pandas", url, Path(tmp) / "pandas.xlsx")
    print(f"{'':24}{'ours (streamed SpreadsheetML)':>30}{'pandas DataFrame.to_excel':>30}")
    print(f"{'rows':24}{ours['rows']:>30,.0f}{theirs['rows']:>30,.0f}")
    print(f"{'seconds, DB → file':24}{ours['seconds']:>30.2f}{theirs['seconds']:>30.2f}")
    print(f"{'  of which to_excel':24}{'':>30}{theirs['to_excel_seconds']:>30.2f}")
    print(f"{'peak RSS, MB':24}{ours['peak_rss_mb']:>30.1f}{theirs['peak_rss_mb']:>30.1f}")
    print(f"{'file size, MB':24}{ours['file_mb']:>30.1f}{theirs['file_mb']:>30.1f}")
    print(f"speed-up: {theirs['seconds'] / ours['seconds']:.1f}× (target ≥ 2×); ours peak RSS target < 150 MB")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main()
