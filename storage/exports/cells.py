"""Columns and how a value becomes a cell, shared by the .xlsx and .csv writers."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

CellKind = Literal["text", "date", "int", "number", "decimal1", "money", "wan"]
LIST_JOINER = "、"
Row = Sequence[object]
Rows = AsyncIterable[Row] | Iterable[Row]


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its header, what kind of cell it holds, its width in characters."""

    header: str
    kind: CellKind = "text"
    width: float = 14


def as_text(value: object) -> str:
    """A value as the text of a cell (lists joined the Chinese way)."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return LIST_JOINER.join(str(v) for v in value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def as_number(value: object) -> float | None:
    """A value as a number cell, or None when it is not one."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


async def iterate(rows: Rows) -> AsyncIterator[Row]:
    """Rows from a sync or async source, one at a time."""
    if isinstance(rows, AsyncIterable):
        async for row in rows:
            yield row
    else:
        for row in rows:
            yield row
