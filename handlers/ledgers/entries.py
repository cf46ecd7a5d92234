"""Writing a flow's answers as a ledger entry: a new entry, or a new version of one being edited."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.core.presses import GoPress
from handlers.core.types import Reply
from handlers.engine.context import Context
from handlers.engine.events import entry_submitted
from handlers.engine.flow import SubmitRefused, Values
from handlers.engine.runner import EDITING, SUMMARY_NOTE
from handlers.ledgers.fields import keep_files
from handlers.ledgers.form import forms
from handlers.reviews.revisions import CHANGED, FROM_VERSION, changed_keys
from storage.models import EntryStatus, LedgerEntry, LedgerKind
from storage.repos import attachments, ledger_versions, ledgers, reviews

VERSION_KEY = "_entry_version"  # the version the edit started from: a newer one means somebody else edited
EDITABLE = frozenset({EntryStatus.SUBMITTED, EntryStatus.RETURNED, EntryStatus.APPROVED})
WITHDRAWABLE = frozenset({EntryStatus.SUBMITTED, EntryStatus.RETURNED})
# states of an edit of an approved entry, which 我的台账 shows as "approved, edit …" (the approved version counts)
EDIT_STATES = frozenset({EntryStatus.SUBMITTED, EntryStatus.RETURNED, EntryStatus.REJECTED})


async def approved_before(ctx: Context, entry: LedgerEntry) -> int | None:
    """The approved version an edit of the entry falls back to, if an earlier version was approved."""
    return await reviews.last_approved_version(session=ctx.session, entry_id=entry.id, below=entry.version)


def may_edit(entry: LedgerEntry, approved: int | None) -> bool:
    """Waiting, returned or approved; or a rejected edit of an approved entry (`approved`: approved_before's)."""
    return entry.status in EDITABLE or (entry.status is EntryStatus.REJECTED and approved is not None)


def may_withdraw(entry: LedgerEntry, approved: int | None) -> bool:
    """Waiting or returned; or a rejected edit of an approved entry, which withdrawing drops."""
    return entry.status in WITHDRAWABLE or (entry.status is EntryStatus.REJECTED and approved is not None)


async def current_values(ctx: Context, entry: LedgerEntry) -> Values:
    """The flow's answers that reproduce the entry's current version (its studio included)."""
    current = await ledger_versions.current_version(session=ctx.session, entry=entry)
    values = forms(ctx.routes)[entry.kind].values_of(ledger_versions.version_fields(current))
    values["studio"] = entry.studio_id
    return values


async def edit_values(ctx: Context, entry: LedgerEntry) -> Values:
    """The answers that reproduce the entry's current version, marked as an edit of it."""
    values = await shown_values(ctx, entry)
    values[EDITING] = entry.id
    values[VERSION_KEY] = entry.version
    approved = entry.version if entry.status is EntryStatus.APPROVED else await approved_before(ctx, entry)
    if approved is not None:  # said before submitting: the edit goes back for review, the approved version stays
        values[SUMMARY_NOTE] = ["flows.edit_approved_warning", {"approved": approved}]
    return values


async def shown_values(ctx: Context, entry: LedgerEntry) -> Values:
    """The answers that reproduce the entry's current version, with the files attached to it."""
    values = await current_values(ctx, entry)
    files = await attachments.attachments_of(session=ctx.session, entry_id=entry.id)
    if files:
        values["files"] = [{"attachment_id": f.id, "filename": f.filename, "kind": "document"} for f in files]
    return values


async def save_entry(ctx: Context, values: Values, kind: LedgerKind, fields: Mapping[str, Any]) -> list[Reply]:
    """Create the entry (or its next version), keep its files, audit it, tell the reviewers; say so."""
    assert ctx.person is not None
    entry_id = values.get(EDITING)
    detail: dict[str, Any] | None
    if entry_id is None:
        entry = await ledgers.create_entry(
            session=ctx.session,
            studio_id=int(values["studio"]),
            kind=kind,
            author_id=ctx.person.id,
            fields=fields,
            at=ctx.now,
        )
        from_state = detail = None
    else:
        found = await ledgers.get_entry(session=ctx.session, entry_id=int(entry_id))
        if found is None or found.kind is not kind:
            raise SubmitRefused([Reply(text=ctx.t("flows.edit_gone"))])
        if found.version != values.get(VERSION_KEY) or not may_edit(found, await approved_before(ctx, found)):
            raise _stale(ctx, found)
        from_state = found.status.value
        before = ledger_versions.version_fields(await ledger_versions.current_version(session=ctx.session, entry=found))
        base = found.version
        try:
            entry = await ledgers.edit_entry(
                session=ctx.session, entry=found, editor_id=ctx.person.id, fields=fields, at=ctx.now
            )
        except ledgers.StaleEntry:
            raise _stale(ctx, found) from None
        after = ledger_versions.version_fields(await ledger_versions.current_version(session=ctx.session, entry=entry))
        detail = {FROM_VERSION: base, CHANGED: changed_keys(kind, before, after)}
    await keep_files(ctx, values.get("files") or [], entry_id=entry.id, version=entry.version)
    await ctx.audit(
        object_type="entry",
        object_id=entry.id,
        from_state=from_state,
        to_state=entry.status.value,
        version=entry.version,
        studio_id=entry.studio_id,
        detail=detail,
    )
    await entry_submitted(ctx, entry)
    form = forms(ctx.routes)[kind]
    again = (
        ctx.button(ctx.t(form.again_key), GoPress(form.flow)),
        ctx.button(ctx.t("flows.my_ledger"), GoPress("ledger")),
    )
    key = "flows.submitted" if from_state is None else "flows.resubmitted"
    return [Reply(text=ctx.t(key, number=entry.id, title=entry.title, version=entry.version), buttons=(again,))]


def _stale(ctx: Context, entry: LedgerEntry) -> SubmitRefused:
    """The refusal of an edit that somebody else's change (or a review) overtook."""
    return SubmitRefused([Reply(text=ctx.t("flows.edit_stale", number=entry.id, status=status_text(ctx, entry)))])


def status_text(ctx: Context, entry: LedgerEntry, *, approved_earlier: bool = False) -> str:
    """The entry's review status in the reader's language; an edit of an approved entry reads as approved, edit …."""
    if approved_earlier and entry.status in EDIT_STATES:
        return ctx.t(f"flows.status.edit_{entry.status.value}")
    return ctx.t(f"flows.status.{entry.status.value}")
