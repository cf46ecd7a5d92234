"""Write .xlsx workbooks: ledgers stream row by row; small reports with pictures go through xlsxwriter."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from storage.exports.cells import CellKind, Column, Rows, as_number, as_text, iterate
from storage.exports.xlsx_stream import write_streamed

_FORMATS: dict[CellKind, dict[str, Any]] = {
    "text": {"valign": "top"},
    "date": {"num_format": "yyyy-mm-dd", "valign": "top", "align": "left"},
    "int": {"num_format": "0", "valign": "top"},
    "number": {"num_format": "General", "valign": "top"},
    "decimal1": {"num_format": "0.0", "valign": "top"},
    "money": {"num_format": "#,##0.00", "valign": "top"},
    "wan": {"num_format": "#,##0.00", "valign": "top"},
}
MAX_SHEET_NAME = 31  # Excel's limit
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")


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


def sheet_names(sheets: Sequence[Sheet]) -> list[str]:
    """Names Excel accepts: no []:*?/\\, at most 31 characters, each different."""
    names: list[str] = []
    for sheet in sheets:
        base = _SHEET_UNSAFE.sub("_", sheet.name).strip("'") or "Sheet"
        name, n = base[:MAX_SHEET_NAME], 1
        while name.lower() in (x.lower() for x in names):
            n += 1
            name = f"{base[: MAX_SHEET_NAME - len(str(n)) - 1]}~{n}"
        names.append(name)
    return names


async def write_xlsx(path: Path, sheets: Sequence[Sheet]) -> dict[str, int]:
    """Write the workbook to `path` (atomically); return the number of data rows per sheet name given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    names = sheet_names(sheets)
    try:
        if any(sheet.pictures for sheet in sheets):
            counts = await _with_xlsxwriter(partial, sheets, names)
        else:
            counts = await write_streamed(
                partial, [(n, s.columns, s.rows, s.filters) for n, s in zip(names, sheets, strict=True)]
            )
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)
    return {sheet.name: count for sheet, count in zip(sheets, counts, strict=True)}


async def _with_xlsxwriter(path: Path, sheets: Sequence[Sheet], names: Sequence[str]) -> list[int]:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "in_memory": False})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    formats = {kind: book.add_format(spec) for kind, spec in _FORMATS.items()}
    try:
        return [await _xlsxwriter_sheet(book, name, s, header, formats) for name, s in zip(names, sheets, strict=True)]
    finally:
        await asyncio.to_thread(book.close)


async def _xlsxwriter_sheet(book: Any, name: str, sheet: Sheet, header: Any, formats: dict[CellKind, Any]) -> int:
    ws = book.add_worksheet(name)
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
    if kind not in ("text", "date"):
        number = as_number(value)
        if number is not None:
            ws.write_number(row, col, number, fmt)
            return
    # write_string, never write(): a title such as "=1+1" stays text, never becomes a formula.
    ws.write_string(row, col, as_text(value), fmt)
