"""The three ledgers read row by row (server-side cursor, yield_per) and laid out as export columns."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.exports.cells import CellKind, Column, Row
from storage.models import (
    ActivityVersion,
    Decision,
    EntryStatus,
    LedgerEntry,
    LedgerKind,
    OutcomeVersion,
    Person,
    ReviewDecision,
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


APPROVED_ONLY = frozenset({EntryStatus.APPROVED})


@dataclass(frozen=True, slots=True)
class LedgerFilter:
    """Which entries to export: statuses (approved by default) and an optional date range."""

    statuses: frozenset[EntryStatus] = APPROVED_ONLY
    date_from: date | None = None
    date_to: date | None = None


def columns(kind: LedgerKind, label: Labeler) -> list[Column]:
    """The export columns of one ledger, headers from the caller's catalogue."""
    return [Column(label(f"export.col.{kind.value}.{key}", key), cell, width) for key, cell, width in LAYOUTS[kind]]


def _approved_version() -> ColumnElement[Any]:
    """An entry's newest approved version: the current one if approved, else the newest a reviewer approved."""
    approved = (
        select(func.max(ReviewDecision.entry_version))
        .where(ReviewDecision.entry_id == LedgerEntry.id, ReviewDecision.decision == Decision.APPROVE)
        .scalar_subquery()
    )
    return case((LedgerEntry.status == EntryStatus.APPROVED, LedgerEntry.version), else_=approved)


def ledger_query(studio_id: int, kind: LedgerKind, flt: LedgerFilter) -> Select[Any]:
    """The current version of every matching entry of one ledger, in date order.

    Approved only (the default, and the assessment's evidence): each entry's newest approved version,
    so that an approved entry still counts while a later edit of it waits for review.
    """
    model = _MODELS[kind]
    version_cols = [getattr(model, key) for key, _, _ in LAYOUTS[kind] if hasattr(model, key) and key != "version"]
    day = getattr(model, DATE_FIELD[kind])
    if flt.statuses == APPROVED_ONLY:
        version: ColumnElement[Any] = _approved_version()
        status: ColumnElement[Any] = literal(EntryStatus.APPROVED, LedgerEntry.__table__.c.status.type)
        # a withdrawn entry is out, whatever was approved before; a rejected edit leaves the approved version in
        wanted = and_(version.is_not(None), LedgerEntry.status != EntryStatus.WITHDRAWN)
    else:
        version, status = LedgerEntry.version.expression, LedgerEntry.status.expression
        wanted = LedgerEntry.status.in_(flt.statuses)
    query = (
        select(LedgerEntry.id, status.label("status"), version.label("version"), Person.name.label("author"))
        .add_columns(*version_cols)
        .select_from(LedgerEntry)
        .join(model, and_(model.entry_id == LedgerEntry.id, model.version == version))
        .join(Person, Person.id == LedgerEntry.author_id)
        .where(LedgerEntry.studio_id == studio_id, LedgerEntry.kind == kind, wanted)
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
    cells = [_cell(kind, key, label) for key, _, _ in LAYOUTS[kind]]
    result = await session.stream(ledger_query(studio_id, kind, flt).execution_options(yield_per=YIELD_PER))
    async for batch in result.mappings().partitions():
        for record in batch:
            yield [cell(record) for cell in cells]


def _cell(kind: LedgerKind, key: str, label: Labeler) -> Callable[[Any], object]:
    """How one column's value is taken from a result row (decided once per column, not per row)."""
    if key == "entry_id":
        return lambda data: data["id"]
    if key in _DERIVED:
        source = _DERIVED[key]
        return lambda data: len(data[source] or [])
    if key == "status":
        return lambda data: label(f"export.status.{data['status'].value}", data["status"].value)
    if key == "applied":
        yes, no = label("export.yes", "是"), label("export.no", "否")
        return lambda data: yes if data["applied"] else no
    if key in _TEXT_VALUES:
        return lambda data: _code_text(kind, key, data[key], label)
    return lambda data: data[key]


def _code_text(kind: LedgerKind, key: str, code: str | None, label: Labeler) -> str | None:
    if not code:
        return code
    return label(f"export.value.{kind.value}.{key}.{code}", label(f"{kind.value}.{key}.{code}", code))
