"""A one-sheet .xlsx list with a title row, written with xlsxwriter (the project's library for small reports)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import xlsxwriter

MAX_SHEET_NAME = 31


def write_list(
    path: Path,
    *,
    sheet: str,
    title: str,
    header: Sequence[str],
    widths: Sequence[float],
    rows: Sequence[Sequence[object]],
) -> Path:
    """Title across the columns, then a frozen, filterable header and the rows (dates as dates)."""
    book = xlsxwriter.Workbook(str(path), {"default_date_format": "yyyy-mm-dd", "remove_timezone": True})
    try:
        ws = book.add_worksheet(sheet[:MAX_SHEET_NAME])
        font = {"font_name": "宋体", "font_size": 11, "valign": "vcenter"}
        title_fmt = book.add_format({**font, "font_name": "黑体", "font_size": 16, "bold": True, "align": "center"})
        head = book.add_format({**font, "bold": True, "border": 1, "align": "center", "bg_color": "#EEEEEE"})
        cell = book.add_format({**font, "border": 1, "text_wrap": True})
        day = book.add_format({**font, "border": 1, "num_format": "yyyy-mm-dd", "align": "left"})
        last = len(header) - 1
        ws.merge_range(0, 0, 0, last, title, title_fmt)
        ws.set_row(0, 30)
        for col, (name, width) in enumerate(zip(header, widths, strict=True)):
            ws.set_column(col, col, width)
            ws.write_string(1, col, name, head)
        for r, row in enumerate(rows, start=2):
            for col, value in enumerate(row):
                if isinstance(value, date):
                    ws.write_datetime(r, col, value, day)
                elif isinstance(value, int) and not isinstance(value, bool):
                    ws.write_number(r, col, value, cell)
                else:
                    ws.write_string(r, col, "" if value is None else str(value), cell)
        ws.freeze_panes(2, 0)
        ws.autofilter(1, 0, max(1, len(rows) + 1), last)
    finally:
        book.close()
    return path
