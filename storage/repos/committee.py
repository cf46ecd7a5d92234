"""The association's expert committee (第六条): its members, their ties (for recusal), their sheets on cycles."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CycleScore, Person, Role, RoleKind, Studio, Union, UnionLevel
from storage.repos import org


async def members(*, session: AsyncSession) -> list[Person]:
    """Everyone holding an active expert role on the municipal association, by id."""
    query = (
        select(Person)
        .join(Role, Role.person_id == Person.id)
        .join(Union, Union.id == Role.union_id)
        .where(Role.kind == RoleKind.EXPERT, Role.active, Union.level == UnionLevel.MUNICIPAL, Person.active)
        .distinct()
        .order_by(Person.id)
    )
    return list(await session.scalars(query))


async def home_unions(*, session: AsyncSession, people: Collection[Person]) -> dict[int, frozenset[int]]:
    """For each person, the unions below the association they belong to, with the unions above those.

    A person belongs where they hold a role (a union role, or a studio's), and where their enterprise's
    studios are: an expert from 上海电气 belongs to 上海电气's enterprise union and to its district.
    """
    if not people:
        return {}
    ids = [p.id for p in people]
    held: dict[int, set[int]] = {p.id: set() for p in people}
    rows = await session.execute(
        select(Role.person_id, Role.union_id, Studio.union_id)
        .outerjoin(Studio, Studio.id == Role.studio_id)
        .where(Role.person_id.in_(ids), Role.active)
    )
    for person_id, union_id, studio_union_id in rows.all():
        held[person_id].update(u for u in (union_id, studio_union_id) if u is not None)
    by_enterprise: dict[str, set[int]] = {}
    enterprises = {p.enterprise.strip() for p in people if p.enterprise.strip()}
    if enterprises:
        studios = await session.execute(
            select(Studio.enterprise, Studio.union_id).where(Studio.enterprise.in_(enterprises))
        )
        for enterprise, union_id in studios.all():
            by_enterprise.setdefault(enterprise.strip(), set()).add(union_id)
    for p in people:
        held[p.id] |= by_enterprise.get(p.enterprise.strip(), set())
    chains = await org.union_chains(session=session, union_ids={u for found in held.values() for u in found})
    return {
        person_id: frozenset(
            u.id for union_id in found for u in chains.get(union_id, []) if u.level is not UnionLevel.MUNICIPAL
        )
        for person_id, found in held.items()
    }


async def studio_roles(*, session: AsyncSession, person_ids: Collection[int]) -> dict[int, list[tuple[RoleKind, int]]]:
    """The active studio roles (kind, studio id) of each of these people."""
    found: dict[int, list[tuple[RoleKind, int]]] = {i: [] for i in person_ids}
    if not found:
        return found
    rows = await session.execute(
        select(Role.person_id, Role.kind, Role.studio_id).where(
            Role.person_id.in_(list(found)), Role.active, Role.studio_id.is_not(None)
        )
    )
    for person_id, kind, studio_id in rows.all():
        if studio_id is not None:
            found[person_id].append((kind, studio_id))
    return found


async def add_cycle_score(
    *,
    session: AsyncSession,
    cycle_id: int,
    expert_id: int,
    scores: dict[str, str],
    total: Decimal,
    comment: str,
    now: datetime,
) -> CycleScore:
    """Record one expert's sheet for a cycle (unique per cycle and expert)."""
    row = CycleScore(
        cycle_id=cycle_id, expert_id=expert_id, scores=scores, total=total, comment=comment, created_at=now
    )
    session.add(row)
    await session.flush()
    return row


async def cycle_scores(*, session: AsyncSession, cycle_id: int) -> list[CycleScore]:
    """The sheets of one cycle, oldest first."""
    return list(
        await session.scalars(select(CycleScore).where(CycleScore.cycle_id == cycle_id).order_by(CycleScore.id))
    )


async def cycle_sheets(*, session: AsyncSession, cycle_ids: Collection[int]) -> dict[int, set[int]]:
    """For each of these cycles, the experts who have scored it (one query)."""
    found: dict[int, set[int]] = {i: set() for i in cycle_ids}
    if found:
        rows = await session.execute(
            select(CycleScore.cycle_id, CycleScore.expert_id).where(CycleScore.cycle_id.in_(list(found)))
        )
        for cycle_id, expert_id in rows.all():
            found[cycle_id].add(expert_id)
    return found
