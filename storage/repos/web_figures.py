"""The web console's overview in SQL: the studios of a scope filtered, sorted and paged by the database, and the
charts' figures — a fixed number of statements, whatever the number of studios."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, func, literal, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Cycle, EntryStatus, LedgerEntry, LedgerKind, Studio, StudioStatus, Union

COUNTED = (EntryStatus.SUBMITTED, EntryStatus.APPROVED)  # what a studio did: waiting or approved, not refused


@dataclass(frozen=True)
class Scope:
    """Which studios a person sees: every one, or those listed, or those of the listed unions."""

    everything: bool = False
    studio_ids: frozenset[int] = field(default_factory=frozenset)
    union_ids: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Filter:
    """What the overview was asked for: a studio status, words in the name, union or enterprise, the order, a page."""

    status: StudioStatus | None = None
    text: str = ""
    sort: str = "name"
    descending: bool = False
    limit: int = 100
    offset: int = 0


def in_scope(scope: Scope) -> ColumnElement[bool]:
    """The scope as a condition on studios."""
    if scope.everything:
        return true()
    parts = []
    if scope.studio_ids:
        parts.append(Studio.id.in_(sorted(scope.studio_ids)))
    if scope.union_ids:
        parts.append(Studio.union_id.in_(sorted(scope.union_ids)))
    return or_(*parts) if parts else false()


def _studios_of(scope: Scope) -> Select[Any]:
    return select(Studio.id).where(in_scope(scope))


def _entries_of(scope: Scope) -> list[ColumnElement[bool]]:
    """Entries of the studios in scope; nothing to ask when that is every studio (the indexes then serve alone)."""
    return [] if scope.everything else [LedgerEntry.studio_id.in_(_studios_of(scope))]


def _per_studio(entries: list[ColumnElement[bool]], cycles: list[ColumnElement[bool]]) -> tuple[Any, Any, Any]:
    """Last activity, entries waiting and cycle end of the studios these conditions pick, as subqueries to join."""
    last = (
        select(LedgerEntry.studio_id, func.max(LedgerEntry.occurred_on).label("last"))
        .where(*entries, LedgerEntry.kind == LedgerKind.ACTIVITY, LedgerEntry.status.in_(COUNTED))
        .group_by(LedgerEntry.studio_id)
        .subquery()
    )
    waiting = (
        select(LedgerEntry.studio_id, func.count(LedgerEntry.id).label("n"))
        .where(*entries, LedgerEntry.status == EntryStatus.SUBMITTED)
        .group_by(LedgerEntry.studio_id)
        .subquery()
    )
    ends = (
        select(Cycle.studio_id, func.max(Cycle.ends_on).label("ends"))  # cycles follow each other: the newest ends last
        .where(*cycles)
        .group_by(Cycle.studio_id)
        .subquery()
    )
    return last, waiting, ends


def _order(key: Any, wanted: Filter) -> list[Any]:
    """The asked order: rows without a value last (by name, whichever the direction), then by name and id."""
    missing = key.is_(None)
    descending = wanted.descending != (wanted.sort == "idle")  # more idle days is an older last activity
    return [
        case((missing, 1), else_=0),
        key.desc() if descending else key.asc(),
        case((missing, Studio.name), else_=None).asc(),
        Studio.name.desc() if wanted.descending else Studio.name.asc(),
        Studio.id,
    ]


def _matching(scope: Scope, wanted: Filter) -> list[ColumnElement[bool]]:
    where = [in_scope(scope)]
    if wanted.status is not None:
        where.append(Studio.status == wanted.status)
    if wanted.text:
        needle = wanted.text.lower()
        where.append(
            or_(
                *(
                    func.lower(col).contains(needle, autoescape=True)
                    for col in (Studio.name, Union.name, Studio.enterprise)
                )
            )
        )
    return where


async def studio_rows(*, session: AsyncSession, scope: Scope, wanted: Filter) -> list[Any]:
    """One page of the studios in scope matching the filter, in the asked order (rows without a value last)."""
    where = _matching(scope, wanted)
    limit: int | None = wanted.limit
    offset = wanted.offset
    if wanted.sort in ("name", "union", "status"):
        # ordered by the studio's own columns: pick the page first, then read the figures of its studios only
        key = {"name": Studio.name, "union": Union.name, "status": Studio.status}[wanted.sort]
        page = (
            select(Studio.id)
            .join(Union, Union.id == Studio.union_id)
            .where(*where)
            .order_by(*_order(key, wanted))
            .limit(limit)
            .offset(offset)
        )
        ids = list(await session.scalars(page))
        if not ids:
            return []
        last, waiting, ends = _per_studio([LedgerEntry.studio_id.in_(ids)], [Cycle.studio_id.in_(ids)])
        where, limit, offset = [Studio.id.in_(ids)], None, 0
    else:
        # ordered by a figure: every matching studio's figures are needed; a filter narrows what is read
        picked = select(Studio.id).join(Union, Union.id == Studio.union_id).where(*where)
        narrowed: list[ColumnElement[bool]] = [LedgerEntry.studio_id.in_(picked)]
        entries = _entries_of(scope) if len(where) == 1 else narrowed
        last, waiting, ends = _per_studio(entries, [Cycle.studio_id.in_(picked)])
        key = {"cycle_end": ends.c.ends, "idle": last.c.last}.get(wanted.sort, func.coalesce(waiting.c.n, 0))
    query = (
        select(
            Studio.id,
            Studio.name,
            Studio.enterprise,
            Studio.status,
            Union.name.label("union"),
            ends.c.ends.label("cycle_end"),
            last.c.last.label("last_activity"),
            func.coalesce(waiting.c.n, 0).label("waiting"),
        )
        .join(Union, Union.id == Studio.union_id)
        .outerjoin(last, last.c.studio_id == Studio.id)
        .outerjoin(waiting, waiting.c.studio_id == Studio.id)
        .outerjoin(ends, ends.c.studio_id == Studio.id)
        .where(*where)
        .order_by(*_order(key, wanted))
        .limit(limit)
        .offset(offset)
    )
    return list((await session.execute(query)).all())


async def counts(*, session: AsyncSession, scope: Scope, wanted: Filter) -> tuple[int, int]:
    """How many studios are in scope, and how many of them match the filter."""
    filters = _matching(scope, wanted)[1:]
    matched = case((and_(*filters), 1), else_=0) if filters else literal(1)
    query = (
        select(func.count(Studio.id), func.coalesce(func.sum(matched), 0))
        .join(Union, Union.id == Studio.union_id)
        .where(in_scope(scope))
    )
    total, hits = (await session.execute(query)).one()
    return int(total), int(hits)


async def month_counts(*, session: AsyncSession, scope: Scope, starts: list[date], until: date) -> list[int]:
    """Activities (waiting or approved) of the studios in scope in each month starting at `starts` (up to `until`)."""
    bounds = [*starts[1:], None]
    columns = [
        func.coalesce(
            func.sum(
                case(
                    (
                        (LedgerEntry.occurred_on >= start) & (LedgerEntry.occurred_on < end)
                        if end is not None
                        else LedgerEntry.occurred_on >= start,
                        1,
                    ),
                    else_=0,
                )
            ),
            0,
        )
        for start, end in zip(starts, bounds, strict=True)
    ]
    query = select(*columns).where(
        *_entries_of(scope),
        LedgerEntry.kind == LedgerKind.ACTIVITY,
        LedgerEntry.status.in_(COUNTED),
        LedgerEntry.occurred_on >= starts[0],
        LedgerEntry.occurred_on <= until,
    )
    return [int(n) for n in (await session.execute(query)).one()]


async def status_counts(*, session: AsyncSession, scope: Scope) -> dict[EntryStatus, int]:
    """How many entries of the studios in scope stand in each status."""
    query = (
        select(LedgerEntry.status, func.count(LedgerEntry.id)).where(*_entries_of(scope)).group_by(LedgerEntry.status)
    )
    return {EntryStatus(s): int(n) for s, n in (await session.execute(query)).all()}
