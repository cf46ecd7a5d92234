"""What a new version of an entry changed: a resubmission or an edit of an approved entry, the earlier reason,
each field old → new — for the reviewer's card, the web console and the audit trail."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.i18n import Translator, catalogue
from handlers.reviews.cards import value_text
from storage import ledger_specs
from storage.ledger_specs import SPECS
from storage.models import Attachment, AuditLog, Decision, EntryStatus, LedgerEntry, LedgerKind, ReviewDecision
from storage.repos import ledger_versions, reviews

FROM_VERSION = "from_version"  # audit detail of a submitted edit: the version it was made from
CHANGED = "changed"  # audit detail of a submitted edit: the keys of the fields it changed
SHORT = 40  # an old or new value longer than this is cut in a change line (the card shows it whole)


class RevisionKind(StrEnum):
    """Why a version after the first exists."""

    RESUBMITTED = "resubmitted"  # fixed after 退回 (or 驳回) and sent again
    APPROVED_EDIT = "approved_edit"  # an edit of an approved entry: the approved version counts meanwhile
    EDIT = "edit"  # changed while it still waited


@dataclass(frozen=True)
class Change:
    """One field a version changed."""

    key: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Revision:
    """What a version replaces, why it exists, the reviewer's earlier reason, and what it changed."""

    kind: RevisionKind
    base: int
    approved: int | None
    decided: Decision | None
    reason: str | None
    changes: tuple[Change, ...]
    files_added: int = 0  # photos and files sent with this version


def changed_keys(kind: LedgerKind, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The ledger's fields whose values differ, in the ledger's order."""
    return [c.key for c in SPECS[kind].fields if c.is_field and old.get(c.key) != new.get(c.key)]


async def _base(session: AsyncSession, entry: LedgerEntry, version: int) -> int:
    """The version this one was made from: as recorded when it was submitted, else the one before it."""
    row = await session.scalar(
        select(AuditLog)
        .where(
            AuditLog.object_type == "entry",
            AuditLog.object_id == entry.id,
            AuditLog.version == version,
            AuditLog.to_state == EntryStatus.SUBMITTED.value,
        )
        .order_by(AuditLog.id.desc())
        .limit(1)
    )
    recorded = row.detail.get(FROM_VERSION) if row is not None else None
    return int(recorded) if isinstance(recorded, int) else version - 1


def revision_kind(decided_base: Decision | None, approved: int | None) -> RevisionKind:
    """The one rule of the card and of 待审: an approved version before → an edit of it; the base
    returned or rejected → a resubmission; else an edit while it waited."""
    if approved is not None:
        return RevisionKind.APPROVED_EDIT
    if decided_base is not None and decided_base is not Decision.APPROVE:
        return RevisionKind.RESUBMITTED
    return RevisionKind.EDIT


async def kinds_of(session: AsyncSession, entries: Collection[LedgerEntry]) -> dict[int, RevisionKind]:
    """The kind of revision each entry's current version is, by entry id (first versions left out), in two queries."""
    current = {e.id: e.version for e in entries if e.version > 1}
    if not current:
        return {}
    submitted = (
        select(AuditLog.object_id, AuditLog.detail)
        .join(LedgerEntry, (LedgerEntry.id == AuditLog.object_id) & (LedgerEntry.version == AuditLog.version))
        .where(
            AuditLog.object_type == "entry",
            AuditLog.object_id.in_(list(current)),
            AuditLog.to_state == EntryStatus.SUBMITTED.value,
        )
        .order_by(AuditLog.id)
    )
    bases = {entry_id: version - 1 for entry_id, version in current.items()}
    for entry_id, detail in (await session.execute(submitted)).all():  # the newest row of the version wins
        recorded = detail.get(FROM_VERSION)
        bases[entry_id] = recorded if isinstance(recorded, int) else current[entry_id] - 1
    decided: dict[tuple[int, int], Decision] = {}
    approved: dict[int, int] = {}
    query = select(ReviewDecision.entry_id, ReviewDecision.entry_version, ReviewDecision.decision).where(
        ReviewDecision.entry_id.in_(list(current))
    )
    for entry_id, version, decision in (await session.execute(query)).all():
        if entry_id is None or version is None or version >= current[entry_id]:
            continue
        decided[entry_id, version] = decision
        if decision is Decision.APPROVE:
            approved[entry_id] = max(version, approved.get(entry_id, 0))
    return {
        entry_id: revision_kind(decided.get((entry_id, bases[entry_id])), approved.get(entry_id))
        for entry_id in current
    }


def revision_tag(t: Translator, kind: RevisionKind) -> str:
    """The kind of revision in a few words, for a list (待审): ↩️ 退回后重新提交 / ✏️ 已通过台账的修改."""
    return t(f"reviews.revision.tag.{kind.value}")


async def revision_of(session: AsyncSession, entry: LedgerEntry, version: int | None = None) -> Revision | None:
    """What this version of the entry (default: its current one) changed; None for a first version."""
    version = version or entry.version
    if version <= 1:
        return None
    base = await _base(session, entry, version)
    old_row = await ledger_versions.version_of(session=session, entry=entry, version=base)
    new_row = await ledger_versions.version_of(session=session, entry=entry, version=version)
    if old_row is None or new_row is None:
        return None
    old, new = ledger_versions.version_fields(old_row), ledger_versions.version_fields(new_row)
    changes = tuple(Change(k, old.get(k), new.get(k)) for k in changed_keys(entry.kind, old, new))
    decision = await reviews.decision_for_entry(session=session, entry_id=entry.id, version=base)
    approved = await reviews.last_approved_version(session=session, entry_id=entry.id, below=version)
    kind = revision_kind(decision.decision if decision is not None else None, approved)
    decided = decision.decision if decision is not None and decision.decision is not Decision.APPROVE else None
    reason = decision.reason if decided is not None and decision is not None else None
    added = await session.scalar(
        select(func.count(Attachment.id)).where(Attachment.entry_id == entry.id, Attachment.entry_version == version)
    )
    return Revision(kind, base, approved, decided, reason, changes, int(added or 0))


def field_label(t: Translator, kind: LedgerKind, key: str) -> str:
    """A field's name as the card names it (its column's name for the title)."""
    spec = SPECS[kind]
    words = catalogue(t.locale)
    return words.get(spec.message(f"field.{key}")) or t(spec.message(f"col.{key}"))


def _shown(t: Translator, kind: LedgerKind, key: str, value: Any) -> str:
    column = SPECS[kind].column(key)
    text = value_text(t, ledger_specs.value_text(kind, column, value, lambda k, d: catalogue(t.locale).get(k) or d))
    return text if len(text) <= SHORT else text[: SHORT - 1] + "…"


def change_line(t: Translator, kind: LedgerKind, change: Change) -> str:
    """· 日期：2026-03-05 → 2026-12-05, · 成效：新增「…」, · 地点：删除「…」."""
    label = field_label(t, kind, change.key)
    old, new = _shown(t, kind, change.key, change.old), _shown(t, kind, change.key, change.new)
    if not old:
        return t("reviews.revision.added", label=label, new=new)
    if not new:
        return t("reviews.revision.removed", label=label, old=old)
    return t("reviews.revision.changed", label=label, old=old, new=new)


def revision_title(t: Translator, revision: Revision) -> str:
    """What kind of revision it is: 退回后重新提交 / 已通过台账的修改 / 审核前修改."""
    return t(f"reviews.revision.{revision.kind.value}", base=revision.base, approved=revision.approved or 0)


def revision_lines(t: Translator, kind: LedgerKind, revision: Revision) -> list[str]:
    """What a reviewer reads below the entry's header: the earlier reason, then every change."""
    lines: list[str] = []
    if revision.reason and revision.decided is not None:
        lines.append(t(f"reviews.revision.reason.{revision.decided.value}", reason=revision.reason))
    if revision.changes or revision.files_added:
        lines.append(t("reviews.revision.changes", count=len(revision.changes) + bool(revision.files_added)))
        lines += [change_line(t, kind, change) for change in revision.changes]
        if revision.files_added:
            lines.append(t("reviews.revision.files_added", count=revision.files_added))
    else:
        lines.append(t("reviews.revision.unchanged"))
    return lines


def changed_names(t: Translator, kind: LedgerKind, keys: list[str]) -> str:
    """The names of changed fields, joined for the reader (日期、成效)."""
    return t("engine.list_separator").join(field_label(t, kind, k) for k in keys if k in SPECS[kind].model.__table__.c)
