"""The three ledgers read row by row (server-side cursor, yield_per) and laid out as export columns."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.exports.cells import CellKind, Column, Row
from storage.models import (
    ActivityVersion,
    EntryStatus,
    LedgerEntry,
    LedgerKind,
    OutcomeVersion,
    Person,
    TrainingVersion,
)

# (key, default text): what the caller's message catalogue gives for a header, a status, a value.
Labeler = Callable[[str, str], str]
YIELD_PER = 1000

# Each ledger's columns: (field, cell kind, width). Fields name version columns, except the
# bookkeeping ones: entry_id, status, version, author, and the derived counts.
LAYOUTS: dict[LedgerKind, tuple[tuple[str, CellKind, float], ...]] = {
    LedgerKind.ACTIVITY: (
        ("entry_id", "int", 8),
        ("occurred_on", "date", 12),
        ("kind", "text", 12),
        ("title", "text", 32),
        ("place", "text", 16),
        ("participants", "text", 24),
        ("participant_count", "int", 8),
        ("hours", "decimal1", 8),
        ("content", "text", 40),
        ("results", "text", 40),
        ("status", "text", 10),
        ("version", "int", 6),
        ("author", "text", 10),
    ),
    LedgerKind.OUTCOME: (
        ("entry_id", "int", 8),
        ("recorded_on", "date", 12),
        ("title", "text", 32),
        ("category", "text", 12),
        ("team", "text", 24),
        ("applied", "text", 8),
        ("applied_since", "date", 12),
        ("funding_amount", "money", 14),
        ("funding_scheme", "text", 24),
        ("patent_kind", "text", 10),
        ("patent_number", "text", 20),
        ("patent_status", "text", 10),
        ("benefit_wan", "wan", 12),
        ("awards", "text", 30),
        ("status", "text", 10),
        ("version", "int", 6),
        ("author", "text", 10),
    ),
    LedgerKind.TRAINING: (
        ("entry_id", "int", 8),
        ("held_on", "date", 12),
        ("kind", "text", 10),
        ("topic", "text", 32),
        ("mentor", "text", 10),
        ("trainees", "text", 24),
        ("trainee_count", "int", 8),
        ("hours", "decimal1", 8),
        ("result", "text", 32),
        ("promoted_grade", "text", 10),
        ("promoted_count", "int", 8),
        ("status", "text", 10),
        ("version", "int", 6),
        ("author", "text", 10),
    ),
}
_MODELS: dict[LedgerKind, Any] = {
    LedgerKind.ACTIVITY: ActivityVersion,
    LedgerKind.OUTCOME: OutcomeVersion,
    LedgerKind.TRAINING: TrainingVersion,
}
DATE_FIELD = {LedgerKind.ACTIVITY: "occurred_on", LedgerKind.OUTCOME: "recorded_on", LedgerKind.TRAINING: "held_on"}
_DERIVED = {"participant_count": "participants", "trainee_count": "trainees"}
_TEXT_VALUES = {"kind", "category", "patent_kind", "patent_status"}  # stored codes a catalogue may name


@dataclass(frozen=True, slots=True)
class LedgerFilter:
    """Which entries to export: statuses (approved by default) and an optional date range."""

    statuses: frozenset[EntryStatus] = frozenset({EntryStatus.APPROVED})
    date_from: date | None = None
    date_to: date | None = None


def columns(kind: LedgerKind, label: Labeler) -> list[Column]:
    """The export columns of one ledger, headers from the caller's catalogue."""
    return [Column(label(f"export.col.{kind.value}.{key}", key), cell, width) for key, cell, width in LAYOUTS[kind]]


def ledger_query(studio_id: int, kind: LedgerKind, flt: LedgerFilter) -> Select[Any]:
    """The current version of every matching entry of one ledger, in date order."""
    model = _MODELS[kind]
    version_cols = [getattr(model, key) for key, _, _ in LAYOUTS[kind] if hasattr(model, key) and key != "version"]
    day = getattr(model, DATE_FIELD[kind])
    query = (
        select(LedgerEntry.id, LedgerEntry.status, LedgerEntry.version, Person.name.label("author"), *version_cols)
        .join(model, and_(model.entry_id == LedgerEntry.id, model.version == LedgerEntry.version))
        .join(Person, Person.id == LedgerEntry.author_id)
        .where(LedgerEntry.studio_id == studio_id, LedgerEntry.kind == kind, LedgerEntry.status.in_(flt.statuses))
    )
    if flt.date_from is not None:
        query = query.where(day >= flt.date_from)
    if flt.date_to is not None:
        query = query.where(day <= flt.date_to)
    return query.order_by(day, LedgerEntry.id)


async def ledger_rows(
    *, session: AsyncSession, studio_id: int, kind: LedgerKind, flt: LedgerFilter, label: Labeler
) -> AsyncIterator[Row]:
    """Stream one ledger's rows in column order; memory stays flat however many rows there are."""
    layout = [key for key, _, _ in LAYOUTS[kind]]
    result = await session.stream(ledger_query(studio_id, kind, flt).execution_options(yield_per=YIELD_PER))
    async for record in result:
        yield _row(kind, layout, record._mapping, label)


def _row(kind: LedgerKind, layout: Sequence[str], data: Any, label: Labeler) -> list[object]:
    out: list[object] = []
    for key in layout:
        if key == "entry_id":
            out.append(data["id"])
        elif key in _DERIVED:
            out.append(len(data[_DERIVED[key]] or []))
        elif key == "status":
            status = str(data["status"].value if hasattr(data["status"], "value") else data["status"])
            out.append(label(f"export.status.{status}", status))
        elif key == "applied":
            out.append(label("export.yes" if data["applied"] else "export.no", str(data["applied"])))
        elif key in _TEXT_VALUES and data[key]:
            code = str(data[key])
            out.append(label(f"export.value.{kind.value}.{key}.{code}", label(f"{kind.value}.{key}.{code}", code)))
        else:
            out.append(data[key])
    return out
