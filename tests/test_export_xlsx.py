"""A studio's ledgers as .xlsx: one sheet per ledger, Chinese headers, real dates and numbers, filters."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.exports.labels import export_ledgers
from storage.exports.cells import Column
from storage.exports.ledgers import LedgerFilter
from storage.exports.xlsx import Sheet, write_xlsx
from storage.models import EntryStatus, LedgerKind
from tests.export_data import build_world, counts_of, sheet_names

EVERY_STATUS = frozenset(EntryStatus)


async def test_workbook_has_a_sheet_per_ledger_with_typed_cells(session: AsyncSession, tmp_path: Path) -> None:
    world = await build_world(session)
    out = tmp_path / "台账.xlsx"
    result = await export_ledgers(session=session, studio=world.studio, out=out, fmt="xlsx", flt=LedgerFilter())

    assert result.counts == counts_of(activity=6, outcome=3, training=3)
    book = load_workbook(out)
    assert book.sheetnames == sheet_names()
    assert book.sheetnames[:3] == ["日常活动台账", "创新成果台账", "培训带徒台账"]
    ws = book["日常活动台账"]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["编号", "日期", "活动类别", "活动主题"]
    assert "时长(小时)" in headers and "复核状态" in headers
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:M7"
    assert ws.column_dimensions["D"].width > ws.column_dimensions["A"].width

    rows = [dict(zip(headers, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=2)]
    first = rows[0]  # date order: the entry of 2025-05-31 comes first
    assert first["日期"] == datetime(2025, 5, 31)
    assert ws.cell(row=2, column=2).is_date
    assert ws.cell(row=2, column=2).number_format == "yyyy-mm-dd"
    assert [r["复核状态"] for r in rows] == ["已通过"] * 6
    hours = {r["活动主题"]: r["时长(小时)"] for r in rows}
    assert isinstance(hours["技术交流 2025-06-10"], float) and hours["技术交流 2025-06-10"] == 2.5
    # The formula-like title is kept as the text the lead typed.
    assert ws.cell(row=5, column=4).value == "=SUM(A1:A9)"
    assert ws.cell(row=5, column=4).data_type == "s"
    # An edited entry is exported with its current version.
    edited = next(r for r in rows if r["编号"] == world.entries["a9"].id)
    assert (edited["活动类别"], edited["时长(小时)"], edited["版本"]) == ("技术创新", 5, 2)
    assert first["参加人员"] == "王建国、李娟、赵磊" and first["人数"] == 3

    outcomes = book["创新成果台账"]
    o_headers = [c.value for c in outcomes[1]]
    first_outcome = dict(zip(o_headers, (c.value for c in outcomes[2]), strict=True))
    assert first_outcome["资助金额(元)"] == 30000
    assert first_outcome["经济效益(万元)"] == 12.5
    assert first_outcome["是否应用于生产"] == "是"
    assert first_outcome["应用日期"] == datetime(2025, 10, 1)


async def test_every_status_and_a_date_range(session: AsyncSession, tmp_path: Path) -> None:
    world = await build_world(session)
    everything = tmp_path / "all.xlsx"
    result = await export_ledgers(
        session=session, studio=world.studio, out=everything, fmt="xlsx", flt=LedgerFilter(statuses=EVERY_STATUS)
    )
    assert result.counts[LedgerKind.ACTIVITY] == 9
    statuses = {row[10] for row in load_workbook(everything)["日常活动台账"].iter_rows(min_row=2, values_only=True)}
    assert statuses == {"已通过", "待复核", "已退回", "已驳回"}

    ranged = tmp_path / "2025.xlsx"
    flt = LedgerFilter(date_from=date(2025, 6, 1), date_to=date(2025, 12, 31))
    result = await export_ledgers(session=session, studio=world.studio, out=ranged, fmt="xlsx", flt=flt)
    assert result.counts == counts_of(activity=3, outcome=1, training=1)
    days = [r[1] for r in load_workbook(ranged)["日常活动台账"].iter_rows(min_row=2, values_only=True)]
    assert days == [datetime(2025, 6, 10), datetime(2025, 6, 20), datetime(2025, 7, 5)]


async def test_english_headers_for_an_english_reader(session: AsyncSession, tmp_path: Path) -> None:
    world = await build_world(session)
    out = tmp_path / "en.xlsx"
    await export_ledgers(session=session, studio=world.studio, out=out, fmt="xlsx", flt=LedgerFilter(), locale="en")
    book = load_workbook(out)
    assert book.sheetnames == sheet_names("en")
    assert book.sheetnames[:3] == ["Activities", "Outcomes", "Training"]
    assert [c.value for c in book["Activities"][1]][:3] == ["No.", "Date", "Kind"]
    assert book["Training"].cell(row=2, column=3).value == "Mentoring"


async def test_another_studio_and_an_empty_ledger(session: AsyncSession, tmp_path: Path) -> None:
    await build_world(session)
    other = await build_world(session, studio_name="李娟技师创新工作室")
    for entry in other.entries.values():
        entry.status = EntryStatus.REJECTED
    await session.commit()
    out = tmp_path / "empty.xlsx"
    result = await export_ledgers(session=session, studio=other.studio, out=out, fmt="xlsx", flt=LedgerFilter())
    assert result.counts == counts_of()
    ws = load_workbook(out)["日常活动台账"]
    assert ws.max_row == 1 and ws.cell(row=1, column=1).value == "编号"


async def test_awkward_cells_survive_the_streaming_writer(tmp_path: Path) -> None:
    columns = [Column("文本"), Column("数", "decimal1"), Column("日", "date"), Column("整", "int")]
    rows: list[list[object]] = [
        ['a & <b> "c"', Decimal("2.5"), date(2026, 2, 28), 7],
        ["\x01响铃\x1f", Decimal("NaN"), "不是日期", "七"],
        ["  两端空格  ", None, datetime(2026, 3, 1, 12, 0), None],
        ["长" * 40_000, 1.25, None, True],
    ]
    out = tmp_path / "odd.xlsx"
    await write_xlsx(out, [Sheet("a/b:c*?[d]", columns, rows), Sheet("a/b:c*?[d]", columns, [])])
    book = load_workbook(out)
    assert book.sheetnames == ["a_b_c___d_", "a_b_c___d_~2"]
    values = list(book.active.iter_rows(min_row=2, values_only=True))
    assert values[0] == ('a & <b> "c"', 2.5, datetime(2026, 2, 28), 7)
    assert values[1] == ("响铃", "NaN", "不是日期", "七")
    assert values[2][0] == "  两端空格  " and values[2][2] == datetime(2026, 3, 1, 12, 0)
    assert len(values[3][0]) == 32_767 and values[3][1] == 1.25 and values[3][3] == "True"
