"""The versions of a ledger entry: each edit adds one, none is changed or deleted; read one, all, or many at once."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, cast

from sqlalchemy import bindparam, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from storage.ledger_specs import SPECS, LedgerVersion, kind_of
from storage.models import LedgerEntry, LedgerKind
from storage.repos import written

_BOOKKEEPING = frozenset({"id", "entry_id", "version", "created_by_id", "created_at"})


def field_names(kind: LedgerKind) -> frozenset[str]:
    """The content fields a version of this ledger has."""
    return frozenset(c.key for c in SPECS[kind].model.__table__.columns) - _BOOKKEEPING


def required_fields(kind: LedgerKind) -> frozenset[str]:
    """The content fields that must be given when an entry is created."""
    table = SPECS[kind].model.__table__
    return frozenset(
        c.key
        for c in table.columns
        if c.key not in _BOOKKEEPING and not c.nullable and c.default is None and c.server_default is None
    )


def version_fields(row: LedgerVersion) -> dict[str, Any]:
    """The content of one version as a plain dict."""
    return {name: getattr(row, name) for name in sorted(field_names(kind_of(row)))}


# Built once per ledger: every card of an entry reads its current version.
_VERSION = {
    kind: select(spec.model).where(
        spec.model.entry_id == bindparam("entry_id"), spec.model.version == bindparam("version")
    )
    for kind, spec in SPECS.items()
}


async def current_version(*, session: AsyncSession, entry: LedgerEntry) -> LedgerVersion:
    """The newest version row of an entry."""
    row = await version_of(session=session, entry=entry, version=entry.version)
    if row is None:
        raise LookupError(f"ledger entry {entry.id} has no version {entry.version}")
    return row


async def version_of(*, session: AsyncSession, entry: LedgerEntry, version: int) -> LedgerVersion | None:
    """One version row of an entry, by number (this session's own, when it wrote it)."""
    if (row := written.written_version(session, entry.kind, entry.id, version)) is not None:
        return row
    params = {"entry_id": entry.id, "version": version}
    return cast(LedgerVersion | None, await session.scalar(_VERSION[entry.kind], params))


async def versions_of(*, session: AsyncSession, entry: LedgerEntry) -> list[LedgerVersion]:
    """Every version row of an entry, oldest first."""
    model = SPECS[entry.kind].model
    rows = await session.scalars(select(model).where(model.entry_id == entry.id).order_by(model.version))
    return cast(list[LedgerVersion], list(rows))


async def versions_by_number(
    *, session: AsyncSession, wanted: Collection[tuple[LedgerEntry, int]]
) -> dict[tuple[int, int], LedgerVersion]:
    """These versions of these entries, by (entry id, version), in one statement per kind of ledger among them."""
    pairs: dict[LedgerKind, set[tuple[int, int]]] = {}
    for entry, version in wanted:
        pairs.setdefault(entry.kind, set()).add((entry.id, version))
    found: dict[tuple[int, int], LedgerVersion] = {}
    for kind, keys in pairs.items():
        model = SPECS[kind].model
        query = select(model).where(tuple_(model.entry_id, model.version).in_(sorted(keys)))
        for row in cast(list[LedgerVersion], list(await session.scalars(query))):
            found[row.entry_id, row.version] = row
    return found
