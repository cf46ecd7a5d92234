"""Export a studio's ledgers to .xlsx or .csv files, labelled from the message catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.i18n import DEFAULT_LOCALE, catalogue, normalise_locale
from storage.exports.files import safe_filename
from storage.exports.ledgers import LedgerFilter
from storage.exports.studio import sheet_name, write_studio_csv, write_studio_xlsx
from storage.ledger_specs import Labeler, code_text
from storage.models import LedgerKind, Studio

ExportFormat = Literal["xlsx", "csv"]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv"


def labeler(locale: str | None = DEFAULT_LOCALE) -> Labeler:
    """Catalogue look-ups with a fallback: headers, sheet names, statuses and stored codes."""
    wanted = catalogue(normalise_locale(locale) or DEFAULT_LOCALE)
    default = catalogue(DEFAULT_LOCALE)

    def label(key: str, fallback: str) -> str:
        return wanted.get(key) or default.get(key) or fallback

    return label


def value_text(label: Labeler, kind: LedgerKind, field: str, value: str) -> str:
    """What a stored code (an activity kind, an outcome category…) reads as: the ledger spec's code names."""
    return code_text(kind, field, value, label)


@dataclass(frozen=True, slots=True)
class ExportedFile:
    """One written file: where, under which name to hand it out, its media type."""

    path: Path
    filename: str
    media_type: str


@dataclass(frozen=True, slots=True)
class ExportResult:
    """The files written and the rows per ledger."""

    files: tuple[ExportedFile, ...]
    counts: dict[LedgerKind, int]


async def export_ledgers(
    *,
    session: AsyncSession,
    studio: Studio,
    out: Path,
    fmt: ExportFormat,
    flt: LedgerFilter,
    locale: str | None = DEFAULT_LOCALE,
    kinds: tuple[LedgerKind, ...] = tuple(LedgerKind),
) -> ExportResult:
    """Write the studio's ledgers: one workbook at `out`, or one CSV per ledger next to `out`.

    With a single ledger asked for, the CSV is `out` itself; with several, `<stem>-<ledger>.csv`.
    """
    label = labeler(locale)
    if fmt == "xlsx":
        counts = await write_studio_xlsx(
            session=session, studio_id=studio.id, path=out, flt=flt, label=label, kinds=kinds
        )
        return ExportResult(files=(ExportedFile(out, out.name, XLSX_TYPE),), counts=counts)
    files: list[ExportedFile] = []
    counts = {}
    for kind in kinds:
        name = out.name if len(kinds) == 1 else safe_filename(f"{out.stem}-{sheet_name(kind, label)}.csv")
        path = out.with_name(name)
        counts[kind] = await write_studio_csv(
            session=session, studio_id=studio.id, kind=kind, path=path, flt=flt, label=label
        )
        files.append(ExportedFile(path, name, CSV_TYPE))
    return ExportResult(files=tuple(files), counts=counts)
