"""CSV exports: UTF-8 with a BOM, one file per ledger, and what goes in comes back out."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.exports.labels import export_ledgers
from storage.exports.cells import Column
from storage.exports.csvfile import write_csv
from storage.exports.ledgers import LedgerFilter
from storage.models import LedgerKind
from tests.export_data import build_world, sheet_names


def read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


async def test_round_trip_of_awkward_values(tmp_path: Path) -> None:
    rows = [
        ["工作室,逗号", 'say "hi"', "两行\n文字", Decimal("12.50"), ["甲", "乙"], None],
        ['=HYPERLINK("http://x")', "-3", "+cmd|' /C calc'!A0", Decimal("-3.5"), [], "@cmd"],
    ]
    columns = [Column(h) for h in ("a", "b", "c", "d", "e", "f")]
    path = tmp_path / "x.csv"
    assert await write_csv(path, columns, rows) == 2

    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    back = read(path)
    assert back[0] == ["a", "b", "c", "d", "e", "f"]
    assert back[1] == ["工作室,逗号", 'say "hi"', "两行\n文字", "12.50", "甲、乙", ""]
    # Cells a spreadsheet would run as formulas are defused; plain negative numbers are left alone.
    assert back[2] == ['\'=HYPERLINK("http://x")', "-3", "'+cmd|' /C calc'!A0", "-3.5", "", "'@cmd"]


async def test_studio_csv_one_file_per_ledger(session: AsyncSession, tmp_path: Path) -> None:
    world = await build_world(session)
    result = await export_ledgers(
        session=session, studio=world.studio, out=tmp_path / "台账.csv", fmt="csv", flt=LedgerFilter()
    )
    names = [f.path.name for f in result.files]
    assert names == [f"台账-{name}.csv" for name in sheet_names()]
    assert names[:3] == ["台账-日常活动台账.csv", "台账-创新成果台账.csv", "台账-培训带徒台账.csv"]
    activities = read(result.files[0].path)
    assert activities[0][:4] == ["编号", "日期", "活动类别", "活动主题"]
    assert len(activities) == 1 + 6
    assert activities[1][1] == "2025-05-31"
    assert activities[1][7] == "1.0"
    outcomes = read(result.files[1].path)
    assert outcomes[1][7] == "30000.00" and outcomes[1][12] == "12.50"


async def test_single_ledger_csv_is_the_named_file(session: AsyncSession, tmp_path: Path) -> None:
    world = await build_world(session)
    out = tmp_path / "training.csv"
    result = await export_ledgers(
        session=session, studio=world.studio, out=out, fmt="csv", flt=LedgerFilter(), kinds=(LedgerKind.TRAINING,)
    )
    assert [f.path for f in result.files] == [out]
    rows = read(out)
    assert [r[2] for r in rows[1:]] == ["高师带徒", "高师带徒", "技能培训"]
    assert rows[1][5] == "小张、小李" and rows[1][6] == "2"
