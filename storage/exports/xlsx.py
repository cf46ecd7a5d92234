"""Streaming .xlsx writer: each row goes to disk as it comes (xlsxwriter constant_memory mode)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from storage.exports.cells import CellKind, Column, Rows, as_number, as_text, iterate

_FORMATS: dict[CellKind, dict[str, Any]] = {
    "text": {"valign": "top"},
    "date": {"num_format": "yyyy-mm-dd", "valign": "top", "align": "left"},
    "int": {"num_format": "0", "valign": "top"},
    "number": {"num_format": "General", "valign": "top"},
    "decimal1": {"num_format": "0.0", "valign": "top"},
    "money": {"num_format": "#,##0.00", "valign": "top"},
    "wan": {"num_format": "#,##0.00", "valign": "top"},
}
# Excel's own limits: 31 characters per sheet name, 32,767 per cell.
MAX_SHEET_NAME = 31


@dataclass(frozen=True, slots=True)
class Picture:
    """An image placed on a sheet, its top-left corner at (row, col)."""

    path: Path
    row: int
    col: int
    scale: float = 1.0


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a name, its columns, its rows (sync or async), and optional pictures."""

    name: str
    columns: Sequence[Column]
    rows: Rows = ()
    pictures: Sequence[Picture] = field(default_factory=tuple)
    filters: bool = True


async def write_xlsx(path: Path, sheets: Sequence[Sheet]) -> dict[str, int]:
    """Write the workbook to `path` sheet by sheet; return the number of data rows per sheet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    book = xlsxwriter.Workbook(str(partial), {"constant_memory": True, "in_memory": False})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    formats = {kind: book.add_format(spec) for kind, spec in _FORMATS.items()}
    counts: dict[str, int] = {}
    try:
        for sheet in sheets:
            counts[sheet.name] = await _write_sheet(book, sheet, header, formats)
    finally:
        # Zipping the parts is the slow, blocking step of a big workbook: keep the event loop free.
        await asyncio.to_thread(book.close)
    partial.replace(path)
    return counts


async def _write_sheet(book: Any, sheet: Sheet, header: Any, formats: dict[CellKind, Any]) -> int:
    ws = book.add_worksheet(sheet.name[:MAX_SHEET_NAME])
    for col, column in enumerate(sheet.columns):
        ws.set_column(col, col, column.width)
    if sheet.columns:
        ws.freeze_panes(1, 0)
        ws.write_row(0, 0, [c.header for c in sheet.columns], header)
    kinds = [c.kind for c in sheet.columns]
    row_no = 0
    async for values in iterate(sheet.rows):
        row_no += 1
        for col, (kind, value) in enumerate(zip(kinds, values, strict=False)):
            _write_cell(ws, row_no, col, kind, value, formats[kind])
    if sheet.filters and sheet.columns:
        ws.autofilter(0, 0, row_no, len(sheet.columns) - 1)
    for picture in sheet.pictures:
        ws.insert_image(
            picture.row, picture.col, str(picture.path), {"x_scale": picture.scale, "y_scale": picture.scale}
        )
    return row_no


def _write_cell(ws: Any, row: int, col: int, kind: CellKind, value: object, fmt: Any) -> None:
    if value is None or value == "":
        return
    if kind == "date" and isinstance(value, date | datetime):
        ws.write_datetime(row, col, value, fmt)
        return
    if kind != "text" and kind != "date":
        number = as_number(value)
        if number is not None:
            ws.write_number(row, col, number, fmt)
            return
    # write_string, never write(): a title such as "=1+1" stays text, never becomes a formula.
    ws.write_string(row, col, as_text(value), fmt)
