"""The ledgers read row by row (server-side cursor, yield_per) and laid out as their specs' columns."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.exports.cells import Column, Row
from storage.ledger_specs import SPECS, Labeler, LedgerColumn, value_text
from storage.models import Cycle, Decision, EntryStatus, LedgerEntry, LedgerKind, Person, ReviewDecision

YIELD_PER = 1000
APPROVED_ONLY = frozenset({EntryStatus.APPROVED})


@dataclass(frozen=True, slots=True)
class LedgerFilter:
    """Which entries to export: statuses (approved by default) and an optional date range."""

    statuses: frozenset[EntryStatus] = APPROVED_ONLY
    date_from: date | None = None
    date_to: date | None = None


def columns(kind: LedgerKind, label: Labeler) -> list[Column]:
    """The export columns of one ledger, headers from the caller's catalogue."""
    spec = SPECS[kind]
    return [Column(label(spec.header_id(c), c.key), c.cell, c.width) for c in spec.columns]


def _approved_version() -> ColumnElement[Any]:
    """An entry's newest approved version: the current one if approved, else the newest a reviewer approved."""
    approved = (
        select(func.max(ReviewDecision.entry_version))
        .where(ReviewDecision.entry_id == LedgerEntry.id, ReviewDecision.decision == Decision.APPROVE)
        .scalar_subquery()
    )
    return case((LedgerEntry.status == EntryStatus.APPROVED, LedgerEntry.version), else_=approved)


def _current(kind: LedgerKind, flt: LedgerFilter) -> Select[Any]:
    """Every matching entry of one ledger in its current (or newest approved) version, of any studio."""
    spec = SPECS[kind]
    model = spec.model
    version_cols = [getattr(model, c.key) for c in spec.columns if c.is_field]
    if flt.statuses == APPROVED_ONLY:
        version: ColumnElement[Any] = _approved_version()
        status: ColumnElement[Any] = literal(EntryStatus.APPROVED, LedgerEntry.__table__.c.status.type)
        # a withdrawn entry is out, whatever was approved before; a rejected edit leaves the approved version in
        wanted = and_(version.is_not(None), LedgerEntry.status != EntryStatus.WITHDRAWN)
    else:
        version, status = LedgerEntry.version.expression, LedgerEntry.status.expression
        wanted = LedgerEntry.status.in_(flt.statuses)
    return (
        select(LedgerEntry.id, status.label("status"), version.label("version"), Person.name.label("author"))
        .add_columns(*version_cols)
        .select_from(LedgerEntry)
        .join(model, and_(model.entry_id == LedgerEntry.id, model.version == version))
        .join(Person, Person.id == LedgerEntry.author_id)
        .where(LedgerEntry.kind == kind, wanted)
    )


def ledger_query(studio_id: int, kind: LedgerKind, flt: LedgerFilter) -> Select[Any]:
    """The current version of every matching entry of one ledger, in date order.

    Approved only (the default, and the assessment's evidence): each entry's newest approved version,
    so that an approved entry still counts while a later edit of it waits for review.
    """
    day = getattr(SPECS[kind].model, SPECS[kind].date_field)
    query = _current(kind, flt).where(LedgerEntry.studio_id == studio_id)
    if flt.date_from is not None:
        query = query.where(day >= flt.date_from)
    if flt.date_to is not None:
        query = query.where(day <= flt.date_to)
    return query.order_by(day, LedgerEntry.id)


def cycles_ledger_query(kind: LedgerKind, cycle_ids: Select[Any]) -> Select[Any]:
    """Like `ledger_query` (approved only) for many cycles at once: each entry dated in a cycle, with its cycle's id."""
    day = getattr(SPECS[kind].model, SPECS[kind].date_field)
    return (
        _current(kind, LedgerFilter())
        .add_columns(Cycle.id.label("cycle_id"))
        .join(Cycle, and_(Cycle.studio_id == LedgerEntry.studio_id, day >= Cycle.starts_on, day <= Cycle.ends_on))
        # the studios named as well: without it SQLite reads the whole ledger of that kind, not the cycles' studios
        .where(
            Cycle.id.in_(cycle_ids),
            LedgerEntry.studio_id.in_(select(Cycle.studio_id).where(Cycle.id.in_(cycle_ids)).correlate(None)),
        )
        .order_by(day, LedgerEntry.id)
    )


async def ledger_rows(
    *, session: AsyncSession, studio_id: int, kind: LedgerKind, flt: LedgerFilter, label: Labeler
) -> AsyncIterator[Row]:
    """Stream one ledger's rows in column order; memory stays flat however many rows there are."""
    cells = [_cell(kind, column, label) for column in SPECS[kind].columns]
    result = await session.stream(ledger_query(studio_id, kind, flt).execution_options(yield_per=YIELD_PER))
    async for batch in result.mappings().partitions():
        for record in batch:
            yield [cell(record) for cell in cells]


def _cell(kind: LedgerKind, column: LedgerColumn, label: Labeler) -> Callable[[Any], object]:
    """How one column's value is taken from a result row (decided once per column, not per row)."""
    key = column.key
    if column.value == "entry":
        return lambda data: data["id"]
    if column.value == "status":
        return lambda data: label(f"export.status.{data['status'].value}", data["status"].value)
    if column.value in ("coded", "boolean"):
        return lambda data: value_text(kind, column, data[key], label)
    return lambda data: data[key]
