"""Read a filled-in template: find each sheet's columns by header, keep each row's number."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from storage.importer.layout import SHEETS, SheetLayout


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong with one row (or a sheet's header, row 1): a message code and its parameters."""

    sheet: str
    row: int
    code: str
    params: dict[str, Any] = field(default_factory=dict)


class ImportFileError(Exception):
    """The file itself cannot be read as a template."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.params = code, params


@dataclass(frozen=True, slots=True)
class Line:
    """One filled row: its sheet, its row number in Excel, and its cells by column key."""

    sheet: str
    row: int
    cells: dict[str, str | date]

    def text(self, key: str) -> str:
        """A cell as text ('' when empty)."""
        value = self.cells.get(key, "")
        return value.isoformat() if isinstance(value, date) else value


def cell(value: Any) -> str | date:
    """A cell as the reader keeps it: dates as dates, whole numbers without '.0', text stripped."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header_key(layout: SheetLayout, header: Any) -> str | None:
    text = str(header or "").strip().rstrip("*＊").strip()
    for col in layout.cols:
        if text == col.header or text.startswith((col.header + " ", col.header + "/", col.header + "(")):
            return col.key
    return None


def read_template(path: Path) -> tuple[dict[str, list[Line]], list[Problem]]:
    """Every filled row of every known sheet, and header problems; ImportFileError if unreadable."""
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ImportFileError("import.file.unreadable", path=str(path), error=type(exc).__name__) from None
    try:
        if not any(layout.name in book.sheetnames for layout in SHEETS):
            raise ImportFileError("import.file.no_sheets", sheets="、".join(layout.name for layout in SHEETS))
        lines: dict[str, list[Line]] = {layout.key: [] for layout in SHEETS}
        problems: list[Problem] = []
        for layout in SHEETS:
            if layout.name in book.sheetnames:
                _read_sheet(book[layout.name], layout, lines[layout.key], problems)
        return lines, problems
    finally:
        book.close()


def _read_sheet(ws: Any, layout: SheetLayout, out: list[Line], problems: list[Problem]) -> None:
    rows = ws.iter_rows(values_only=True)
    header = next(rows, ())
    keys = [_header_key(layout, h) for h in header]
    for col in layout.cols:
        if col.required and col.key not in keys:
            problems.append(Problem(layout.name, 1, "import.error.missing_column", {"column": col.header}))
    for number, values in enumerate(rows, start=2):
        cells = {key: cell(v) for key, v in zip(keys, values, strict=False) if key is not None}
        if any(v != "" for v in cells.values()):
            out.append(Line(layout.name, number, cells))
