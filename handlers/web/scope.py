"""Which studios a person may see in the web console: those whose ledgers the permissions table lets them view."""

from __future__ import annotations

from sqlalchemy import select

from handlers.decisions.audience import unions_reviewed_by
from handlers.engine.context import Context
from handlers.roles import checks, matching, permissions
from handlers.roles.permissions import Action, Scope, Subject
from storage.models import LedgerEntry, Studio, Union, UnionLevel
from storage.repos import org, web_figures


async def visible_studios(ctx: Context) -> list[tuple[Studio, Union]]:
    """Every studio the person may view the ledgers of, with its own union, by name (decided one by one)."""
    subject = await checks.subject_of(ctx)
    return await _decided(ctx, subject) if subject.grants else []


async def overview_scope(ctx: Context) -> web_figures.Scope:
    """The studios whose ledgers the person may view, as the database can select them (read from the table)."""
    subject = await checks.subject_of(ctx)
    rules = permissions.TABLE[Action.VIEW_ENTRIES]
    if subject.person_id is not None and (None, Scope.ANYONE) in rules:
        return web_figures.Scope(everything=True)
    studios: set[int] = set()
    reviewing: set[int] = set()
    odd: list[permissions.Grant] = []
    for grant in subject.grants:
        for kind, scope in rules:
            if kind is not grant.kind:
                continue
            if scope in (Scope.STUDIO, Scope.AUTHOR) and grant.studio_id is not None:
                studios.add(grant.studio_id)  # AUTHOR narrows to entries, not to studios
            elif scope is Scope.REVIEWING and grant.union_id is not None:
                reviewing.add(grant.union_id)
            elif scope is Scope.ASSOCIATION and grant.union_level is UnionLevel.MUNICIPAL:
                return web_figures.Scope(everything=True)
            elif scope not in (Scope.STUDIO, Scope.AUTHOR, Scope.REVIEWING, Scope.ASSOCIATION):
                odd.append(grant)
    unions = await unions_reviewed_by(ctx.session, reviewing) if reviewing else set()
    if odd:  # a rule this query does not know: the table decides studio by studio, correct if slower
        studios |= {s.id for s, _ in await _decided(ctx, Subject(subject.person_id, subject.enterprise, tuple(odd)))}
    return web_figures.Scope(studio_ids=frozenset(studios), union_ids=frozenset(unions))


async def _decided(ctx: Context, subject: Subject) -> list[tuple[Studio, Union]]:
    studios = list(await ctx.session.scalars(select(Studio).order_by(Studio.name)))
    chains = await org.union_chains(session=ctx.session, union_ids={s.union_id for s in studios})
    out = []
    for studio in studios:
        chain = chains.get(studio.union_id, [])
        target = checks.target_from(studio, chain)
        if chain and matching.decide(subject, Action.VIEW_ENTRIES, target) is not None:
            out.append((studio, chain[0]))
    return out


async def visible_studio(ctx: Context, studio_id: int) -> Studio | None:
    """The studio if the person may view its ledgers; None otherwise (as if it did not exist)."""
    studio = await ctx.session.get(Studio, studio_id)
    if studio is None or await checks.check(ctx, Action.VIEW_ENTRIES, studio=studio) is None:
        return None
    return studio


async def visible_entry(ctx: Context, entry_id: int) -> tuple[LedgerEntry, Studio] | None:
    """The entry and its studio if the person may view it; None otherwise."""
    entry = await ctx.session.get(LedgerEntry, entry_id)
    studio = await ctx.session.get(Studio, entry.studio_id) if entry else None
    if entry is None or studio is None:
        return None
    if await checks.check(ctx, Action.VIEW_ENTRIES, studio=studio, entry=entry) is None:
        return None
    return entry, studio
