"""The ledger entries: an entry is created as version 1, every edit adds a version (storage/repos/ledger_versions.py
reads them), nothing is deleted."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import utcnow
from storage.ledger_specs import SPECS, with_headcounts
from storage.models import EntryStatus, LedgerEntry, LedgerKind
from storage.repos import written
from storage.repos.ledger_versions import current_version, field_names, required_fields, version_fields, version_of


class LedgerFieldError(ValueError):
    """The fields given for a ledger version name an unknown field or miss a required one."""


class StaleEntry(RuntimeError):
    """Somebody else changed the entry's version between reading it and editing it."""


def _check(kind: LedgerKind, fields: Mapping[str, Any], *, complete: bool) -> None:
    unknown = set(fields) - field_names(kind)
    if unknown:
        raise LedgerFieldError(f"unknown {kind.value} fields: {', '.join(sorted(unknown))}")
    if complete:
        missing = required_fields(kind) - {k for k, v in fields.items() if v is not None}
        if missing:
            raise LedgerFieldError(f"missing {kind.value} fields: {', '.join(sorted(missing))}")


def _mirror(kind: LedgerKind, fields: Mapping[str, Any]) -> tuple[date, str]:
    spec = SPECS[kind]
    return fields[spec.date_field], str(fields[spec.title_field])[:300]


async def create_entry(
    *,
    session: AsyncSession,
    studio_id: int,
    kind: LedgerKind,
    author_id: int,
    fields: Mapping[str, Any],
    at: datetime | None = None,
) -> LedgerEntry:
    """Write a new entry (submitted, stamped `at` or now) and its version 1; LedgerFieldError on bad fields."""
    fields = with_headcounts(kind, fields)
    _check(kind, fields, complete=True)
    occurred_on, title = _mirror(kind, fields)
    now = at or utcnow()
    entry = LedgerEntry(
        studio_id=studio_id,
        kind=kind,
        status=EntryStatus.SUBMITTED,
        version=1,
        author_id=author_id,
        occurred_on=occurred_on,
        title=title,
        status_changed_at=now,
        created_at=now,
    )
    session.add(entry)
    await session.flush()
    row = SPECS[kind].model(entry_id=entry.id, version=1, created_by_id=author_id, created_at=now, **fields)
    session.add(row)
    await session.flush()
    written.wrote_version(session, row)
    written.created_entry(session, entry.id)
    return entry


async def edit_entry(
    *,
    session: AsyncSession,
    entry: LedgerEntry,
    editor_id: int,
    fields: Mapping[str, Any],
    at: datetime | None = None,
) -> LedgerEntry:
    """Add version N+1 (the current content with `fields` changed, created `at`) and put the entry back to submitted.

    The old version row is never touched. Raises StaleEntry if another edit landed first, and
    LedgerFieldError for an unknown field. Callers decide who may edit and record the audit row.
    """
    fields = with_headcounts(entry.kind, fields)  # new names without a count: as many as they list
    _check(entry.kind, fields, complete=False)
    current = await current_version(session=session, entry=entry)
    merged = {**version_fields(current), **fields}
    _check(entry.kind, merged, complete=True)
    occurred_on, title = _mirror(entry.kind, merged)
    model = SPECS[entry.kind].model
    # After a withdrawn edit the entry points at an older version: a version number is never used twice.
    newest = await session.scalar(select(func.max(model.version)).where(model.entry_id == entry.id))
    old, new, now = entry.version, (newest or entry.version) + 1, at or utcnow()
    # Conditional on the version we read: of two concurrent edits exactly one wins.
    result = await session.execute(
        update(LedgerEntry)
        .where(LedgerEntry.id == entry.id, LedgerEntry.version == old)
        .values(version=new, status=EntryStatus.SUBMITTED, status_changed_at=now, occurred_on=occurred_on, title=title)
        .execution_options(synchronize_session="fetch")
    )
    if getattr(result, "rowcount", 0) != 1:
        raise StaleEntry(f"ledger entry {entry.id} is no longer at version {old}")
    row = model(entry_id=entry.id, version=new, created_by_id=editor_id, created_at=now, **merged)
    session.add(row)
    await session.flush()
    written.wrote_version(session, row)
    await session.refresh(entry)
    return entry


async def get_entry(*, session: AsyncSession, entry_id: int) -> LedgerEntry | None:
    """The entry with this id."""
    return await session.get(LedgerEntry, entry_id)


async def recent_entries(
    *,
    session: AsyncSession,
    studio_ids: Collection[int],
    limit: int = 10,
    kind: LedgerKind | None = None,
    statuses: set[EntryStatus] | None = None,
) -> list[LedgerEntry]:
    """The most recently recorded entries of these studios, newest first."""
    query = select(LedgerEntry).where(LedgerEntry.studio_id.in_(studio_ids))
    if kind is not None:
        query = query.where(LedgerEntry.kind == kind)
    if statuses:
        query = query.where(LedgerEntry.status.in_(statuses))
    rows = await session.scalars(query.order_by(LedgerEntry.id.desc()).limit(limit))
    return list(rows)


async def set_status(
    *,
    session: AsyncSession,
    entry_id: int,
    expected: set[EntryStatus],
    to: EntryStatus,
    now: datetime,
    version: int | None = None,
) -> bool:
    """Move the entry to `to` only if it is in one of `expected` (and at `version`, when given).

    One conditional UPDATE: of two concurrent deciders exactly one gets True. Pass `version` when
    the decision was about a version the decider saw, so that a decision never lands on a newer edit.
    """
    query = update(LedgerEntry).where(LedgerEntry.id == entry_id, LedgerEntry.status.in_(expected))
    if version is not None:
        query = query.where(LedgerEntry.version == version)
    result = await session.execute(
        query.values(status=to, status_changed_at=now).execution_options(synchronize_session="fetch")
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def restore_version(
    *, session: AsyncSession, entry: LedgerEntry, version: int, expected_version: int, now: datetime
) -> bool:
    """Withdraw an edit (waiting, returned or rejected): point the entry back at an approved `version`, if still at
    `expected_version`.

    The withdrawn version's row stays (nothing is deleted); False if the entry moved on meanwhile.
    """
    row = await version_of(session=session, entry=entry, version=version)
    if row is None:
        raise LookupError(f"ledger entry {entry.id} has no version {version}")
    occurred_on, title = _mirror(entry.kind, version_fields(row))
    result = await session.execute(
        update(LedgerEntry)
        .where(
            LedgerEntry.id == entry.id,
            LedgerEntry.version == expected_version,
            LedgerEntry.status.in_((EntryStatus.SUBMITTED, EntryStatus.RETURNED, EntryStatus.REJECTED)),
        )
        .values(version=version, status=EntryStatus.APPROVED, status_changed_at=now)
        .values(occurred_on=occurred_on, title=title)
        .execution_options(synchronize_session="fetch")
    )
    if getattr(result, "rowcount", 0) != 1:
        return False
    await session.refresh(entry)
    return True
