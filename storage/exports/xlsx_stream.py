"""A streaming .xlsx writer: SpreadsheetML written row by row straight into the zip, nothing kept per row.

xlsxwriter's constant_memory mode streams too, but spends most of its time in per-cell bookkeeping;
a ledger has a dozen fixed columns, so writing the XML directly is several times faster for the same file.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO

from storage.exports import xlsx_parts as parts
from storage.exports.cells import CellKind, Column, Rows, as_text, iterate

MAX_CELL_CHARS = 32_767  # Excel's limit
FLUSH_ROWS = 500
COMPRESSLEVEL = 1  # the XML compresses about 10:1 even at level 1; higher levels cost far more time than bytes
_EPOCH = date(1899, 12, 30)
_CTRL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0
_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
Cell = Callable[[str, object], str]


def _escape(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _CTRL.sub("", text)


def _text(style: int) -> Cell:
    def cell(ref: str, value: object) -> str:
        text = value if type(value) is str else as_text(value)
        if len(text) > MAX_CELL_CHARS:
            text = text[:MAX_CELL_CHARS]
        if _SPECIAL.search(text):  # most cells need no escaping: one scan decides
            text = _escape(text)
        space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
        return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{text}</t></is></c>'

    return cell


def _number(style: int, fallback: Cell) -> Cell:
    def cell(ref: str, value: object) -> str:
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            return fallback(ref, value)
        if isinstance(value, Decimal):
            if not value.is_finite():
                return fallback(ref, value)
            number = format(value, "f")
        elif isinstance(value, float) and not math.isfinite(value):
            return fallback(ref, value)
        else:
            number = repr(value)
        return f'<c r="{ref}" s="{style}"><v>{number}</v></c>'

    return cell


def _date(style: int, fallback: Cell) -> Cell:
    def cell(ref: str, value: object) -> str:
        if isinstance(value, datetime):
            serial = (value.date() - _EPOCH).days + (value.hour * 3600 + value.minute * 60 + value.second) / 86400
            return f'<c r="{ref}" s="{style}"><v>{serial}</v></c>'
        if isinstance(value, date):
            return f'<c r="{ref}" s="{style}"><v>{(value - _EPOCH).days}</v></c>'
        return fallback(ref, value)

    return cell


def cell_writer(kind: CellKind) -> Cell:
    """How a value of a column of this kind becomes a <c> element."""
    plain = _text(parts.STYLE["text"])
    if kind == "date":
        return _date(parts.STYLE["date"], plain)
    if kind == "text":
        return plain
    return _number(parts.STYLE[kind], plain)


async def write_sheet_xml(fh: IO[bytes], columns: Sequence[Column], rows: Rows, *, selected: bool) -> int:
    """Write one worksheet's XML; return the number of data rows."""
    letters = [parts.column_letter(n) for n in range(len(columns))]
    writers = [cell_writer(c.kind) for c in columns]
    fh.write(parts.sheet_start([c.width for c in columns], selected=selected, frozen=bool(columns)).encode())
    header = _text(parts.HEADER_STYLE)
    if columns:
        titles = "".join(header(f"{x}1", c.header) for x, c in zip(letters, columns, strict=True))
        fh.write(f'<row r="1">{titles}</row>'.encode())
    count, buffer = 0, []
    async for values in iterate(rows):
        count += 1
        r = str(count + 1)
        cells = "".join(
            w(x + r, v) for w, x, v in zip(writers, letters, values, strict=False) if v is not None and v != ""
        )
        buffer.append(f'<row r="{r}">{cells}</row>')
        if len(buffer) >= FLUSH_ROWS:
            fh.write("".join(buffer).encode("utf-8", "replace"))
            buffer.clear()
    fh.write("".join(buffer).encode("utf-8", "replace"))
    return count


def filter_ref(columns: int, rows: int) -> str | None:
    """The autofilter range over the header and the data, or None without columns."""
    return f"A1:{parts.column_letter(columns - 1)}{rows + 1}" if columns else None


async def write_streamed(path: Path, sheets: Sequence[tuple[str, Sequence[Column], Rows, bool]]) -> list[int]:
    """Write (name, columns, rows, filters) sheets to `path`; return the row count of each."""
    counts: list[int] = []
    refs: list[str | None] = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESSLEVEL) as zf:
        zf.writestr("[Content_Types].xml", parts.content_types(len(sheets)))
        zf.writestr("_rels/.rels", parts.ROOT_RELS)
        zf.writestr("xl/styles.xml", parts.STYLES)
        zf.writestr("xl/_rels/workbook.xml.rels", parts.workbook_rels(len(sheets)))
        for n, (_, columns, rows, filters) in enumerate(sheets, start=1):
            with zf.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as fh:
                count = await write_sheet_xml(fh, columns, rows, selected=n == 1)
                ref = filter_ref(len(columns), count) if filters else None
                fh.write(parts.sheet_end(ref).encode())
            counts.append(count)
            refs.append(ref)
        zf.writestr("xl/workbook.xml", parts.workbook([name for name, *_ in sheets], refs))
    return counts
