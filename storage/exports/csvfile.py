"""CSV writer: UTF-8 with a byte-order mark so that Excel opens Chinese text right."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from storage.exports.cells import Column, Rows, as_text, iterate

# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> str:
    """A cell's text, defused with a leading apostrophe if a spreadsheet would run it as a formula."""
    text = as_text(value)
    if text.startswith(_FORMULA_START) and not _is_plain_number(text):
        return "'" + text
    return text


def _is_plain_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


async def write_csv(path: Path, columns: Sequence[Column], rows: Rows) -> int:
    """Write a header and the rows to `path` as they come; return the number of data rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    count = 0
    with partial.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([c.header for c in columns])
        async for row in iterate(rows):
            writer.writerow([safe_text(v) for v in row])
            count += 1
    partial.replace(path)
    return count
