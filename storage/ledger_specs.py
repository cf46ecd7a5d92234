"""Every ledger declared once: its version model, the fields an entry mirrors, its columns and how their values read.

Repositories, exports (.xlsx and .csv, every language), the review card, the ledger view and the
assessment read this registry; nothing else lists the ledgers. Message ids live under the ledger's
catalogue prefix (`<prefix>.col.<key>`, `<prefix>.field.<key>`, `<prefix>.sheet`, …), so a new
ledger brings its own catalogue files. The chat side (flow, command words) is
`handlers.ledgers.forms`, which reads this one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from storage.exports.cells import CellKind
from storage.models import ActivityVersion, LedgerKind, OutcomeVersion, TrainingVersion

LedgerVersion = ActivityVersion | OutcomeVersion | TrainingVersion
# (message id, default text): what the caller's message catalogue gives for a header, a status, a value.
Labeler = Callable[[str, str], str]
# plain: shown as stored; coded: a stored code the catalogue names; boolean: 是/否; people: a list of names;
# count: a head count stored beside a people column (`of`), which it defaults to when not given;
# entry, status, version, author: the entry's bookkeeping.
ValueKind = Literal["plain", "coded", "boolean", "people", "count", "entry", "status", "version", "author"]
BOOKKEEPING = frozenset({"entry", "status", "version", "author"})


@dataclass(frozen=True, slots=True)
class LedgerColumn:
    """One column of a ledger: its label id (a version field, or a bookkeeping or derived key), cell and width."""

    key: str
    cell: CellKind = "text"
    width: float = 12
    value: ValueKind = "plain"
    codes: str | None = None  # coded: the message-id prefix of its codes, when not `<catalogue>.<key>`
    of: str | None = None  # count: the people column whose number of names is its default
    limit: int | None = None  # typed text: its most characters, the one limit chat states and checks

    @property
    def is_field(self) -> bool:
        """Whether the column is a field of the version row (not bookkeeping)."""
        return self.value not in BOOKKEEPING


def _column(key: str, cell: CellKind, width: float, value: ValueKind = "plain", **more: Any) -> LedgerColumn:
    return LedgerColumn(key, cell, width, value, **more)


# Every ledger's export starts with the entry's number and ends with its review state; their headers
# are shared (`export.col.<key>`), the ledger's own columns are `<catalogue>.col.<key>`.
FIRST = (_column("entry_id", "int", 8, "entry"),)
LAST = (
    _column("status", "text", 10, "status"),
    _column("version", "int", 6, "version"),
    _column("author", "text", 10, "author"),
)


@dataclass(frozen=True, slots=True)
class LedgerSpec:
    """One ledger: its kind, version model, the fields the entry mirrors, its own columns, its message-id prefix."""

    kind: LedgerKind
    model: type[LedgerVersion]
    date_field: str  # mirrored as the entry's date: lists, reminders, exports and the assessment order by it
    title_field: str  # mirrored as the entry's title (and shown in a card's header, not among its lines)
    fields: tuple[LedgerColumn, ...]  # the ledger's own columns, in export and card order
    catalogue: str  # message ids: .name .noun .start .help .again .sheet .count .col.<key> .field.<key>
    sheet_default: str  # the sheet's name when a catalogue has none

    @property
    def columns(self) -> tuple[LedgerColumn, ...]:
        """Every export column: the entry's number, the ledger's own columns, the review state."""
        return (*FIRST, *self.fields, *LAST)

    @property
    def card_fields(self) -> tuple[LedgerColumn, ...]:
        """The version fields a reviewer reads, in order (the title is in the card's header)."""
        return tuple(c for c in self.fields if c.is_field and c.key != self.title_field)

    def column(self, key: str) -> LedgerColumn:
        """The column with this label id."""
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(f"{self.kind.value} has no column {key!r}")

    def message(self, name: str) -> str:
        """The id of one of this ledger's messages: `name`, `sheet`, `col.hours` … under its catalogue prefix."""
        return f"{self.catalogue}.{name}"

    def header_id(self, column: LedgerColumn) -> str:
        """The message id of a column's header."""
        return f"export.col.{column.key}" if column.value in BOOKKEEPING else self.message(f"col.{column.key}")


SPECS: dict[LedgerKind, LedgerSpec] = {
    spec.kind: spec
    for spec in (
        LedgerSpec(
            LedgerKind.ACTIVITY,
            ActivityVersion,
            date_field="occurred_on",
            title_field="title",
            fields=(
                _column("occurred_on", "date", 12),
                _column("kind", "text", 12, "coded"),
                _column("title", "text", 32, limit=100),
                _column("place", "text", 16, "coded", codes="activity.place", limit=100),  # 工作室 reads "The studio"
                _column("participants", "text", 24, "people"),
                _column("participant_count", "int", 8, "count", of="participants"),
                _column("hours", "decimal1", 8),
                _column("content", "text", 40, limit=2000),
                _column("results", "text", 40, limit=2000),
            ),
            catalogue="activity",
            sheet_default="日常活动台账",
        ),
        LedgerSpec(
            LedgerKind.OUTCOME,
            OutcomeVersion,
            date_field="recorded_on",
            title_field="title",
            fields=(
                _column("recorded_on", "date", 12),
                _column("title", "text", 32, limit=300),
                _column("category", "text", 12, "coded", codes="outcome.cat"),
                _column("team", "text", 24, "people"),
                _column("applied", "text", 8, "boolean"),
                _column("applied_since", "date", 12),
                _column("funding_amount", "money", 14),
                _column("funding_scheme", "text", 24, "coded", codes="outcome.scheme", limit=100),
                _column("patent_kind", "text", 10, "coded", codes="outcome.patent"),
                _column("patent_number", "text", 20, limit=64),
                _column("patent_status", "text", 10, "coded", limit=32),
                _column("benefit_wan", "wan", 12),
                _column("awards", "text", 30, limit=2000),
            ),
            catalogue="outcome",
            sheet_default="创新成果台账",
        ),
        LedgerSpec(
            LedgerKind.TRAINING,
            TrainingVersion,
            date_field="held_on",
            title_field="topic",
            fields=(
                _column("held_on", "date", 12),
                _column("kind", "text", 10, "coded"),
                _column("topic", "text", 32, limit=300),
                _column("mentor", "text", 10, limit=100),
                _column("trainees", "text", 24, "people"),
                _column("trainee_count", "int", 8, "count", of="trainees"),
                _column("hours", "decimal1", 8),
                _column("result", "text", 32, limit=2000),
                _column("promoted_grade", "text", 10, "coded", codes="training.grade"),
                _column("promoted_count", "int", 8),
            ),
            catalogue="training",
            sheet_default="培训带徒台账",
        ),
    )
}


def spec_of(kind: LedgerKind) -> LedgerSpec:
    """The declaration of one ledger."""
    return SPECS[kind]


def specs() -> Iterator[LedgerSpec]:
    """Every ledger's declaration, in LedgerKind order."""
    return (SPECS[kind] for kind in LedgerKind)


def with_headcounts(kind: LedgerKind, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields with each head count not given set to the number of names its people column lists."""
    filled = dict(fields)
    for column in SPECS[kind].fields:
        if column.value == "count" and column.of in filled and filled.get(column.key) is None:
            filled[column.key] = len(filled[column.of] or [])
    return filled


def kind_of(row: LedgerVersion) -> LedgerKind:
    """Which ledger a version row belongs to."""
    for spec in SPECS.values():
        if isinstance(row, spec.model):
            return spec.kind
    raise TypeError(f"not a ledger version: {row!r}")


def code_text(kind: LedgerKind, key: str, code: str, label: Labeler) -> str:
    """What a stored code (an activity's kind, an outcome's category…) reads as; the code itself if unnamed."""
    spec = SPECS[kind]
    column = spec.column(key)
    return label(f"{column.codes or spec.message(key)}.{code}", code)


def value_text(kind: LedgerKind, column: LedgerColumn, value: object, label: Labeler) -> object:
    """A coded or boolean value as every reader sees it (export, review card); other values unchanged."""
    if column.value == "coded" and isinstance(value, str) and value:
        return code_text(kind, column.key, value, label)
    if column.value == "boolean" and value is not None:
        return label("common.yes", "是") if value else label("common.no", "否")
    return value
