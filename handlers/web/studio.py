"""A studio's page (its ledgers, filtered) and an entry's page (versions, audit trail, attachments, decision)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from handlers.core.parsing import parse_date
from handlers.engine.context import Context
from handlers.lifecycle import trail as trail_words
from handlers.reviews import cards, revisions
from handlers.reviews.decide import why_not
from handlers.roles import checks
from handlers.roles.permissions import Action
from handlers.web.scope import visible_entry
from storage.models import Attachment, AuditLog, Cycle, EntryStatus, LedgerEntry, LedgerKind, Person, Studio, Union
from storage.repos import attachments, audit, ledger_versions, org, persons, reviews, studio_cycles

SHOWN = 500  # entries listed on one studio page, newest first


@dataclass(frozen=True)
class Filters:
    """A studio page's filters (query parameters, already checked)."""

    since: date | None = None
    until: date | None = None
    kind: LedgerKind | None = None
    status: EntryStatus | None = None

    @classmethod
    def parse(cls, params: dict[str, str], today: date) -> Filters:
        """The filters from request parameters; a value that does not parse is ignored."""
        kind, status = params.get("kind", ""), params.get("status", "")
        return cls(
            since=parse_date(params["from"], today=today) if params.get("from") else None,
            until=parse_date(params["to"], today=today) if params.get("to") else None,
            kind=LedgerKind(kind) if kind in {k.value for k in LedgerKind} else None,
            status=EntryStatus(status) if status in {s.value for s in EntryStatus} else None,
        )


@dataclass(frozen=True)
class StudioPage:
    """What a studio's page shows."""

    studio: Studio
    union: Union
    leads: list[str]
    cycle: Cycle | None
    entries: list[LedgerEntry]
    authors: dict[int, str]
    statuses: dict[int, str]  # each entry's state in words; an edit of an approved entry reads 已通过（修改…）


async def studio_page(ctx: Context, studio: Studio, filters: Filters) -> StudioPage:
    """The studio's entries matching the filters, newest first."""
    query = select(LedgerEntry).where(LedgerEntry.studio_id == studio.id)
    if filters.since is not None:
        query = query.where(LedgerEntry.occurred_on >= filters.since)
    if filters.until is not None:
        query = query.where(LedgerEntry.occurred_on <= filters.until)
    if filters.kind is not None:
        query = query.where(LedgerEntry.kind == filters.kind)
    if filters.status is not None:
        query = query.where(LedgerEntry.status == filters.status)
    entries = list(await ctx.session.scalars(query.order_by(LedgerEntry.occurred_on.desc(), LedgerEntry.id.desc())))
    union = await ctx.session.get(Union, studio.union_id)
    assert union is not None
    edited = await reviews.approved_earlier(session=ctx.session, entry_ids=[e.id for e in entries[:SHOWN]])
    return StudioPage(
        studio=studio,
        union=union,
        leads=[p.name for p in await org.leads_of(session=ctx.session, studio_id=studio.id)],
        cycle=await studio_cycles.current_cycle(session=ctx.session, studio_id=studio.id),
        entries=entries[:SHOWN],
        authors=await persons.names_of(session=ctx.session, person_ids={e.author_id for e in entries[:SHOWN]}),
        statuses={e.id: status_words(ctx, e, e.id in edited) for e in entries[:SHOWN]},
    )


@dataclass(frozen=True)
class Version:
    """One version of an entry as shown: its number, when and by whom, its content lines."""

    number: int
    at: datetime
    by: str
    lines: list[str]
    current: bool


@dataclass(frozen=True)
class EntryPage:
    """What an entry's page shows, and whether the viewer may decide it now."""

    entry: LedgerEntry
    studio: Studio
    header: str
    versions: list[Version]
    trail: list[AuditLog]
    names: dict[int, str]
    files: list[Attachment]
    may_decide: bool
    state: str
    revision: list[str]  # what the current version changed: its kind, the earlier reason, each field old → new
    status: str  # the review state in words; an edit of an approved entry reads 已通过（修改未通过）…
    moved: dict[int, str]  # audit row id → from → to in words, and the fields a submission changed


async def entry_page(ctx: Context, entry_id: int) -> EntryPage | None:
    """The entry with every version, its audit trail and its files; None if the viewer may not see it."""
    found = await visible_entry(ctx, entry_id)
    if found is None:
        return None
    entry, studio = found
    rows = await ledger_versions.versions_of(session=ctx.session, entry=entry)
    trail = await audit.trail(session=ctx.session, object_type="entry", object_id=entry.id)
    people = {r.created_by_id for r in rows} | {a.actor_id for a in trail if a.actor_id}
    names = await persons.names_of(session=ctx.session, person_ids=people)
    versions = []
    for row in reversed(rows):
        author = await ctx.session.get(Person, row.created_by_id)
        lines = cards.details(ctx.t, entry, ledger_versions.version_fields(row), author)[1:]  # [0] names the author
        by = names.get(row.created_by_id, "?")
        versions.append(Version(row.version, row.created_at, by, lines, row.version == entry.version))
    waiting = entry.status is EntryStatus.SUBMITTED
    own = ctx.person is not None and ctx.person.id == entry.author_id
    grant = await checks.check(ctx, Action.REVIEW_ENTRY, studio=studio, entry=entry) if waiting else None
    state = ctx.t("reviews.waiting") if waiting else await why_not(ctx, entry, entry.version)
    revision = await revisions.revision_of(ctx.session, entry)
    subject = {"type": "entry", "id": entry.id, "kind": entry.kind.value}
    return EntryPage(
        entry=entry,
        studio=studio,
        header=cards.header(ctx.t, entry, studio),
        versions=versions,
        trail=trail,
        names=names,
        files=await attachments.attachments_of(session=ctx.session, entry_id=entry.id),
        may_decide=grant is not None and not own and grant.on_behalf_of != entry.author_id,
        state=state,
        revision=revision_text(ctx, entry, revision),
        status=await _status(ctx, entry),
        moved={row.id: trail_words.moved(ctx.t, row) + trail_words.changed(ctx.t, row, subject) for row in trail},
    )


async def _status(ctx: Context, entry: LedgerEntry) -> str:
    return status_words(
        ctx, entry, entry.id in await reviews.approved_earlier(session=ctx.session, entry_ids=[entry.id])
    )


def status_words(ctx: Context, entry: LedgerEntry, approved_earlier: bool) -> str:
    """An entry's review state in words; an edit of an approved entry says the approved version stands."""
    if approved_earlier and entry.status in (EntryStatus.SUBMITTED, EntryStatus.RETURNED, EntryStatus.REJECTED):
        return ctx.t(f"flows.status.edit_{entry.status.value}")
    return ctx.t(f"reviews.status.{entry.status.value}")


def revision_text(ctx: Context, entry: LedgerEntry, revision: revisions.Revision | None) -> list[str]:
    """The lines that say what a version after the first changed (none for a first version)."""
    if revision is None:
        return []
    return [revisions.revision_title(ctx.t, revision), *revisions.revision_lines(ctx.t, entry.kind, revision)]


async def attachment_for(ctx: Context, attachment_id: int) -> Attachment | None:
    """An entry's file if the viewer may see that entry; None otherwise."""
    row = await ctx.session.get(Attachment, attachment_id)
    if row is None or row.entry_id is None or await visible_entry(ctx, row.entry_id) is None:
        return None
    return row
