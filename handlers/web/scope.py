"""Which studios a person may see in the web console: those whose ledgers the permissions table lets them view."""

from __future__ import annotations

from sqlalchemy import select

from handlers.engine.context import Context
from handlers.roles import permissions
from handlers.roles.permissions import Action
from storage.models import LedgerEntry, Studio, Union
from storage.repos import org


async def visible_studios(ctx: Context) -> list[tuple[Studio, Union]]:
    """Every studio the person may view the ledgers of, with its own union, by name."""
    subject = await permissions.subject_of(ctx)
    if not subject.grants:
        return []
    studios = list(await ctx.session.scalars(select(Studio).order_by(Studio.name)))
    chains = await org.union_chains(session=ctx.session, union_ids={s.union_id for s in studios})
    out = []
    for studio in studios:
        chain = chains.get(studio.union_id, [])
        target = permissions.target_from(studio, chain)
        if chain and permissions.decide(subject, Action.VIEW_ENTRIES, target) is not None:
            out.append((studio, chain[0]))
    return out


async def visible_studio(ctx: Context, studio_id: int) -> Studio | None:
    """The studio if the person may view its ledgers; None otherwise (as if it did not exist)."""
    studio = await ctx.session.get(Studio, studio_id)
    if studio is None or await permissions.check(ctx, Action.VIEW_ENTRIES, studio=studio) is None:
        return None
    return studio


async def visible_entry(ctx: Context, entry_id: int) -> tuple[LedgerEntry, Studio] | None:
    """The entry and its studio if the person may view it; None otherwise."""
    entry = await ctx.session.get(LedgerEntry, entry_id)
    studio = await ctx.session.get(Studio, entry.studio_id) if entry else None
    if entry is None or studio is None:
        return None
    if await permissions.check(ctx, Action.VIEW_ENTRIES, studio=studio, entry=entry) is None:
        return None
    return entry, studio
