"""A studio's ledgers as one .xlsx workbook (a sheet per ledger) or as one .csv per ledger."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from storage.exports.csvfile import write_csv
from storage.exports.ledgers import LedgerFilter, columns, ledger_rows
from storage.exports.xlsx import Sheet, write_xlsx
from storage.ledger_specs import SPECS, Labeler
from storage.models import LedgerKind


def sheet_name(kind: LedgerKind, label: Labeler) -> str:
    """The name of a ledger's sheet (and of its CSV file), from the caller's catalogue."""
    spec = SPECS[kind]
    return label(spec.message("sheet"), spec.sheet_default)


async def write_studio_xlsx(
    *,
    session: AsyncSession,
    studio_id: int,
    path: Path,
    flt: LedgerFilter,
    label: Labeler,
    kinds: tuple[LedgerKind, ...] = tuple(LedgerKind),
) -> dict[LedgerKind, int]:
    """Write the studio's ledgers, one sheet each; return how many rows each sheet got."""
    sheets = [
        Sheet(
            name=sheet_name(kind, label),
            columns=columns(kind, label),
            rows=ledger_rows(session=session, studio_id=studio_id, kind=kind, flt=flt, label=label),
        )
        for kind in kinds
    ]
    counts = await write_xlsx(path, sheets)
    return {kind: counts[sheet.name] for kind, sheet in zip(kinds, sheets, strict=True)}


async def write_studio_csv(
    *, session: AsyncSession, studio_id: int, kind: LedgerKind, path: Path, flt: LedgerFilter, label: Labeler
) -> int:
    """Write one ledger of the studio as CSV; return the number of rows."""
    rows = ledger_rows(session=session, studio_id=studio_id, kind=kind, flt=flt, label=label)
    return await write_csv(path, columns(kind, label), rows)
