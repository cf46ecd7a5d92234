"""Who is asked to act: the reviewers (and their delegates) of a studio, the association, the experts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.decisions import panel
from handlers.engine.context import Context
from handlers.roles.reviewing import reviewing_union
from storage.models import Person, RoleKind, Studio, Union, UnionLevel
from storage.repos import delegations, org, people, reviews

# (the person asked, the reviewer they stand in for — None when they act in their own name)
Recipient = tuple[Person, int | None]


async def _deciders(ctx: Context, union_ids: list[int], kind: RoleKind) -> list[Recipient]:
    """The holders of the role in these unions, then their delegates (each person once, as they come first)."""
    out: list[Recipient] = []
    seen: set[int] = set()
    for person, reviewer_id in await delegations.deciders(
        session=ctx.session, union_ids=union_ids, kind=kind, on=ctx.today
    ):
        if person.id not in seen:
            seen.add(person.id)
            out.append((person, reviewer_id))
    return out


async def reviewing_union_of(session: AsyncSession, studio: Studio) -> Union | None:
    """The district/industry union (else the association) that reviews this studio."""
    return reviewing_union(await org.union_chain(session=session, union_id=studio.union_id))


async def reviewing_union_for(ctx: Context, studio: Studio) -> Union | None:
    """reviewing_union_of, read once a turn (a submission's card and its note that nobody reviews both ask)."""
    return await ctx.once(
        ("reviewing_union", studio.id, studio.union_id), lambda: reviewing_union_of(ctx.session, studio)
    )


async def studio_reviewers(ctx: Context, studio: Studio) -> list[Recipient]:
    """The reviewers of the union that reviews this studio, and their delegates."""
    union = await reviewing_union_for(ctx, studio)
    if union is None:
        return []
    kind = RoleKind.ASSOCIATION if union.level is UnionLevel.MUNICIPAL else RoleKind.REVIEWER
    return await _deciders(ctx, [union.id], kind)


async def association_ids(session: AsyncSession) -> list[int]:
    """The ids of the municipal association(s)."""
    return list(await session.scalars(select(Union.id).where(Union.level == UnionLevel.MUNICIPAL)))


async def association_reviewers(ctx: Context) -> list[Recipient]:
    """The association officers of the municipal association, and their delegates."""
    return await _deciders(ctx, await association_ids(ctx.session), RoleKind.ASSOCIATION)


async def holders(session: AsyncSession, kind: RoleKind) -> list[Person]:
    """Everyone holding an active role of this kind in some union."""
    all_unions = list(await session.scalars(select(Union.id)))
    return await reviews.officers(session=session, union_ids=all_unions, kind=kind)


async def experts_for(ctx: Context, studio: Studio) -> list[Person]:
    """The committee's experts who may score this studio: none of them tied to it (see roles/recusal.py)."""
    return list((await panel.panel_of(ctx.session, studio)).eligible)


async def unions_reviewed_by(session: AsyncSession, reviewer_union_ids: set[int]) -> set[int]:
    """The unions whose studios are reviewed by one of these unions."""
    unions = {u.id: u for u in await session.scalars(select(Union))}
    out: set[int] = set()
    for union_id in unions:
        reviewing = reviewing_union(org.chain_in(unions, union_id))
        if reviewing is not None and reviewing.id in reviewer_union_ids:
            out.add(union_id)
    return out


async def studio_people(ctx: Context, studio: Studio) -> list[Person]:
    """The studio's lead and members (as people.members_of lists them)."""
    return [person for person, _, listed in await _roster(ctx, studio.id) if listed]


async def studio_leads(ctx: Context, studio: Studio) -> list[Person]:
    """The studio's active leads (as org.leads_of reads them)."""
    return [person for person, kind, _ in await _roster(ctx, studio.id) if kind is RoleKind.LEAD]


async def _roster(ctx: Context, studio_id: int) -> list[tuple[Person, RoleKind, bool]]:
    # a submitted entry's lead notice and its reviewers' card both ask, in the same turn
    return await ctx.once(("roster", studio_id), lambda: people.roster(session=ctx.session, studio_id=studio_id))
