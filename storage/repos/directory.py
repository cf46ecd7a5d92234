"""The organisation as lists: unions, studios, people and roles with the names around them, one query each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import ChannelIdentity, Person, Role, RoleKind, Studio, Union


class UnionRow(NamedTuple):
    union: Union
    parent: str | None
    studios: int  # active studios directly in it


class StudioRow(NamedTuple):
    studio: Studio
    union: str
    leads: str  # active leads' names, 、-joined


class PersonRow(NamedTuple):
    person: Person
    roles: int  # active roles
    bound: bool  # has a channel identity


class RoleRow(NamedTuple):
    role: Role
    person: str
    studio: str | None
    union: str | None


async def unions(*, session: AsyncSession, include_inactive: bool = False) -> list[UnionRow]:
    """Every (active) union with its parent's name and its number of active studios."""
    parent = aliased(Union)
    studios = (
        select(func.count())
        .where(Studio.union_id == Union.id, Studio.active.is_(True))
        .correlate(Union)
        .scalar_subquery()
    )
    query = select(Union, parent.name, studios).outerjoin(parent, parent.id == Union.parent_id).order_by(Union.id)
    if not include_inactive:
        query = query.where(Union.active.is_(True))
    return [UnionRow(u, p, int(n)) for u, p, n in (await session.execute(query)).all()]


async def studios(
    *, session: AsyncSession, union_id: int | None = None, studio_id: int | None = None, include_inactive: bool = False
) -> list[StudioRow]:
    """Every (active) studio, optionally of one union or just one, with its union's name and its lead."""
    leads = (
        select(func.coalesce(func.min(Person.name), ""))
        .join(Role, Role.person_id == Person.id)
        .where(Role.studio_id == Studio.id, Role.kind == RoleKind.LEAD, Role.active.is_(True))
        .correlate(Studio)
        .scalar_subquery()
    )  # a studio has one lead; should it ever have several, the list shows one and `role list` all
    query = select(Studio, Union.name, leads).join(Union, Union.id == Studio.union_id).order_by(Studio.id)
    if union_id is not None:
        query = query.where(Studio.union_id == union_id)
    if studio_id is not None:
        query = query.where(Studio.id == studio_id)
    if not include_inactive:
        query = query.where(Studio.active.is_(True))
    return [StudioRow(s, u, lead) for s, u, lead in (await session.execute(query)).all()]


async def people(
    *,
    session: AsyncSession,
    union_id: int | None = None,
    studio_id: int | None = None,
    kind: RoleKind | None = None,
    unbound: bool = False,
    person_id: int | None = None,
    include_inactive: bool = False,
) -> list[PersonRow]:
    """People, optionally only those with an active role in a union (or its studios), a studio, of a kind, unbound."""
    active_roles = (
        select(func.count())
        .where(Role.person_id == Person.id, Role.active.is_(True))
        .correlate(Person)
        .scalar_subquery()
    )
    bound = exists().where(ChannelIdentity.person_id == Person.id)
    query = select(Person, active_roles, bound).order_by(Person.id)
    if union_id is not None or studio_id is not None or kind is not None:
        held = select(Role.person_id).where(Role.active.is_(True))
        if kind is not None:
            held = held.where(Role.kind == kind)
        if studio_id is not None:
            held = held.where(Role.studio_id == studio_id)
        if union_id is not None:
            in_union = select(Studio.id).where(Studio.union_id == union_id)
            held = held.where((Role.union_id == union_id) | Role.studio_id.in_(in_union))
        query = query.where(Person.id.in_(held))
    if unbound:
        query = query.where(~bound)
    if person_id is not None:
        query = query.where(Person.id == person_id)
    if not include_inactive:
        query = query.where(Person.active.is_(True))
    return [PersonRow(p, int(n), bool(b)) for p, n, b in (await session.execute(query)).all()]


async def roles(
    *,
    session: AsyncSession,
    union_id: int | None = None,
    studio_id: int | None = None,
    kind: RoleKind | None = None,
    person_ids: Sequence[int] | None = None,
    include_inactive: bool = False,
) -> list[RoleRow]:
    """Roles with the names of their person, studio and union, optionally filtered."""
    query = (
        select(Role, Person.name, Studio.name, Union.name)
        .join(Person, Person.id == Role.person_id)
        .outerjoin(Studio, Studio.id == Role.studio_id)
        .outerjoin(Union, Union.id == Role.union_id)
        .order_by(Role.id)
    )
    if union_id is not None:
        query = query.where((Role.union_id == union_id) | (Studio.union_id == union_id))
    if studio_id is not None:
        query = query.where(Role.studio_id == studio_id)
    if kind is not None:
        query = query.where(Role.kind == kind)
    if person_ids is not None:
        query = query.where(Role.person_id.in_(list(person_ids)))
    if not include_inactive:
        query = query.where(Role.active.is_(True))
    return [RoleRow(r, p, s, u) for r, p, s, u in (await session.execute(query)).all()]
