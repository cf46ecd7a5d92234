"""What each entry on the web console's pending page changed, and its files, read for the whole page at once:
the Revision the card reads one entry at a time (revisions.revision_of), in a fixed number of statements."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.reviews.revisions import FROM_VERSION, Change, Revision, changed_keys, revision_kind
from storage.models import Attachment, AuditLog, Decision, EntryStatus, LedgerEntry, ReviewDecision
from storage.repos import ledger_versions


@dataclass(frozen=True)
class PageChanges:
    """By entry id: what its current version changed (first versions left out) and every file attached to it."""

    revisions: dict[int, Revision]
    files: dict[int, list[Attachment]]


async def _bases(session: AsyncSession, current: dict[int, int]) -> dict[int, int]:
    """The version each current version was made from: as recorded when it was submitted, else the one before."""
    bases = {entry_id: version - 1 for entry_id, version in current.items()}
    submitted = (
        select(AuditLog.object_id, AuditLog.version, AuditLog.detail)
        .where(
            AuditLog.object_type == "entry",
            AuditLog.object_id.in_(list(current)),
            AuditLog.to_state == EntryStatus.SUBMITTED.value,
        )
        .order_by(AuditLog.id)
    )
    for entry_id, version, detail in (await session.execute(submitted)).all():  # the newest row of the version wins
        if version != current[entry_id]:
            continue
        recorded = (detail or {}).get(FROM_VERSION)
        bases[entry_id] = recorded if isinstance(recorded, int) else version - 1
    return bases


async def _files(session: AsyncSession, entry_ids: Collection[int]) -> dict[int, list[Attachment]]:
    """Every file attached to any version of these entries, oldest first, by entry id."""
    files: dict[int, list[Attachment]] = defaultdict(list)
    if entry_ids:
        query = select(Attachment).where(Attachment.entry_id.in_(list(entry_ids))).order_by(Attachment.id)
        for row in await session.scalars(query):
            if row.entry_id is not None:
                files[row.entry_id].append(row)
    return files


async def page_changes(session: AsyncSession, entries: Collection[LedgerEntry]) -> PageChanges:
    """The revisions and files of these entries, in four statements and one more per kind of ledger among them."""
    files = await _files(session, [e.id for e in entries])
    revised = {e.id: e for e in entries if e.version > 1}
    if not revised:
        return PageChanges({}, files)
    current = {entry_id: e.version for entry_id, e in revised.items()}
    bases = await _bases(session, current)
    decisions: dict[tuple[int, int], ReviewDecision] = {}
    for row in await session.scalars(select(ReviewDecision).where(ReviewDecision.entry_id.in_(list(current)))):
        if row.entry_id is not None and row.entry_version is not None:
            decisions[row.entry_id, row.entry_version] = row
    wanted = [(e, v) for entry_id, e in revised.items() for v in (bases[entry_id], e.version)]
    rows = await ledger_versions.versions_by_number(session=session, wanted=wanted)
    out = {}
    for entry_id, entry in revised.items():
        base, version = bases[entry_id], entry.version
        old_row, new_row = rows.get((entry_id, base)), rows.get((entry_id, version))
        if old_row is None or new_row is None:
            continue
        old, new = ledger_versions.version_fields(old_row), ledger_versions.version_fields(new_row)
        changes = tuple(Change(k, old.get(k), new.get(k)) for k in changed_keys(entry.kind, old, new))
        approvals = [
            v for (e, v), d in decisions.items() if e == entry_id and v < version and d.decision is Decision.APPROVE
        ]
        approved = max(approvals, default=None)
        decision = decisions.get((entry_id, base))
        kind = revision_kind(decision.decision if decision is not None else None, approved)
        decided = decision.decision if decision is not None and decision.decision is not Decision.APPROVE else None
        reason = decision.reason if decided is not None and decision is not None else None
        added = sum(1 for f in files.get(entry_id, []) if f.entry_version == version)
        out[entry_id] = Revision(kind, base, approved, decided, reason, changes, added)
    return PageChanges(out, files)
