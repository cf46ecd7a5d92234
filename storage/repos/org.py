"""The organisation: unions above one another, studios under them, and the roles people hold in both."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from storage.models import Person, Role, RoleKind, Studio, StudioStatus, Union, UnionLevel
from storage.names import STUDIO_NAME_MAX, UNION_NAME_MAX, require_name
from storage.repos import studio_cycles

# municipal → district/industry → enterprise: a parent stands strictly higher than its child.
_RANK = {UnionLevel.MUNICIPAL: 0, UnionLevel.DISTRICT: 1, UnionLevel.INDUSTRY: 1, UnionLevel.ENTERPRISE: 2}


def may_be_parent(parent: UnionLevel, child: UnionLevel) -> bool:
    """Whether a union of level `parent` may stand directly above one of level `child`."""
    return _RANK[parent] < _RANK[child]


async def get_union(*, session: AsyncSession, name: str) -> Union | None:
    """The union of that exact name."""
    return await session.scalar(select(Union).where(Union.name == name))


def new_union(*, name: str, level: UnionLevel, parent: Union | None = None) -> Union:
    """A union under an optional parent, not yet added to a session (bulk writers add many, then flush once)."""
    return Union(name=require_name(name, UNION_NAME_MAX), level=level, parent_id=parent.id if parent else None)


async def create_union(*, session: AsyncSession, name: str, level: UnionLevel, parent: Union | None = None) -> Union:
    """Add a union under an optional parent."""
    union = new_union(name=name, level=level, parent=parent)
    session.add(union)
    await session.flush()
    return union


async def get_studio(*, session: AsyncSession, name: str) -> Studio | None:
    """The studio of that exact name."""
    return await session.scalar(select(Studio).where(Studio.name == name))


def new_studio(
    *, name: str, union: Union, enterprise: str = "", venue: str = "", equipment: str = "", named_on: date | None = None
) -> Studio:
    """A studio (named if it has a naming date), not yet added to a session nor given its first cycle."""
    name = require_name(name, STUDIO_NAME_MAX)  # the last guard: callers explain a refusal before this
    return Studio(
        name=name,
        union_id=union.id,
        enterprise=enterprise,
        venue=venue,
        equipment=equipment,
        named_on=named_on,
        status=StudioStatus.NAMED if named_on else StudioStatus.PROSPECTIVE,
    )


async def create_studio(
    *,
    session: AsyncSession,
    name: str,
    union: Union,
    enterprise: str = "",
    venue: str = "",
    equipment: str = "",
    named_on: date | None = None,
) -> Studio:
    """Add a studio; a naming date makes it named and starts its first cycle."""
    studio = new_studio(
        name=name, union=union, enterprise=enterprise, venue=venue, equipment=equipment, named_on=named_on
    )
    session.add(studio)
    await session.flush()
    if named_on:
        await studio_cycles.start_cycle(session=session, studio=studio, starts_on=named_on)
    return studio


async def grant_role(
    *,
    session: AsyncSession,
    person: Person,
    kind: RoleKind,
    studio: Studio | None = None,
    union: Union | None = None,
) -> Role:
    """Give a person a role in a studio or a union; granting it twice returns the existing one."""
    query = select(Role).where(
        Role.person_id == person.id,
        Role.kind == kind,
        Role.studio_id == studio.id if studio else Role.studio_id.is_(None),
        Role.union_id == union.id if union else Role.union_id.is_(None),
    )
    existing = await session.scalar(query)
    if existing is not None:
        existing.active = True
        return existing
    role = Role(
        person_id=person.id, kind=kind, studio_id=studio.id if studio else None, union_id=union.id if union else None
    )
    session.add(role)
    await session.flush()
    return role


async def roles_of(*, session: AsyncSession, person_id: int) -> list[Role]:
    """A person's active roles."""
    return list(
        await session.scalars(select(Role).where(Role.person_id == person_id, Role.active.is_(True)).order_by(Role.id))
    )


async def revoke_role(
    *, session: AsyncSession, person: Person, kind: RoleKind, studio: Studio | None = None, union: Union | None = None
) -> Role | None:
    """Deactivate a role (the row stays, for the record) and return it; None if the person did not hold it."""
    query = select(Role).where(
        Role.person_id == person.id,
        Role.kind == kind,
        Role.active.is_(True),
        Role.studio_id == studio.id if studio else Role.studio_id.is_(None),
        Role.union_id == union.id if union else Role.union_id.is_(None),
    )
    role = await session.scalar(query)
    if role is None:
        return None
    role.active = False
    await session.flush()
    return role


async def leads_of(*, session: AsyncSession, studio_id: int) -> list[Person]:
    """The studio's active lead(s); normally one."""
    query = (
        select(Person)
        .join(Role, Role.person_id == Person.id)
        .where(Role.studio_id == studio_id, Role.kind == RoleKind.LEAD, Role.active.is_(True))
        .order_by(Person.id)
    )
    return list(await session.scalars(query))


_LEVELS = select(Union.id, Union.level).where(Union.id.in_(bindparam("union_ids", expanding=True)))


async def levels_of(*, session: AsyncSession, union_ids: Collection[int]) -> dict[int, UnionLevel]:
    """The level of each of these unions, by id, in one query."""
    if not union_ids:
        return {}
    rows = await session.execute(_LEVELS, {"union_ids": sorted(set(union_ids))})
    return {union_id: level for union_id, level in rows.all()}


def _chains() -> Select[Union]:
    # UNION (not UNION ALL) drops rows already found, so even a parent cycle ends the recursion.
    start = select(Union.id, Union.parent_id).where(Union.id.in_(bindparam("wanted", expanding=True)))
    up = start.cte("up", recursive=True)
    up = up.union(select(Union.id, Union.parent_id).join(up, Union.id == up.c.parent_id))
    return select(Union).where(Union.id.in_(select(up.c.id)))


# Built once: a permission check and every notice to reviewers run it, and building the recursive
# statement cost several times what running it does.
_CHAINS = _chains()


async def union_chain(*, session: AsyncSession, union_id: int) -> list[Union]:
    """The union and every union above it, nearest first (for escalation and visibility), in one query."""
    return (await union_chains(session=session, union_ids=[union_id]))[union_id]


async def union_chains(*, session: AsyncSession, union_ids: Collection[int]) -> dict[int, list[Union]]:
    """`union_chain` of each of these unions, in one query (an unknown id gets an empty chain)."""
    wanted = sorted(set(union_ids))
    if not wanted:
        return {}
    found = {u.id: u for u in await session.scalars(_CHAINS, {"wanted": wanted})}
    return {union_id: chain_in(found, union_id) for union_id in wanted}


def chain_in(unions: Mapping[int, Union], union_id: int) -> list[Union]:
    """The union and every union above it among these loaded unions, nearest first; a parent cycle ends it."""
    chain: list[Union] = []
    current = unions.get(union_id)
    while current is not None and current not in chain:
        chain.append(current)
        current = unions.get(current.parent_id) if current.parent_id else None
    return chain
