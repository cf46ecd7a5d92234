"""The rows the reminder planner reads, and the Core runner its set-based reads share."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Executable, Result
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    EntryStatus,
    LedgerKind,
    RoleKind,
    UnionLevel,
)


class PersonRow(NamedTuple):
    id: int
    name: str
    locale: str
    paused_until: date | None


class UnionRow(NamedTuple):
    id: int
    name: str
    level: UnionLevel
    parent_id: int | None


class OfficerRow(NamedTuple):
    union_id: int
    person_id: int
    kind: RoleKind


class StudioRow(NamedTuple):
    id: int
    name: str
    union_id: int
    named_on: date | None
    created_at: datetime
    cycle_id: int | None
    cycle_number: int | None
    cycle_ends_on: date | None
    cycle_assessed: bool
    named: bool
    last_activity: datetime | None  # when the newest activity entry was created


class EntryRow(NamedTuple):
    id: int
    version: int
    studio_id: int
    kind: LedgerKind
    status: EntryStatus
    title: str
    status_changed_at: datetime
    author_id: int


class NoticeRow(NamedTuple):
    application_id: int
    studio_id: int
    notice_ends_on: date


class DelegationRow(NamedTuple):
    reviewer_id: int
    delegate_id: int
    ends_on: date


class MonthCounts(NamedTuple):
    """Per studio, entries created and entries approved in a month, and each counted studio's name and union."""

    created: dict[int, int]
    approved: dict[int, int]
    studio_of: dict[int, tuple[str, int]]


async def execute(session: AsyncSession, query: Executable) -> Result[*tuple[Any, ...]]:
    """Run a read as Core on the session's connection: plain rows, none of the ORM's result machinery."""
    return await (await session.connection()).execute(query)
