"""The people of named studios (第八条: their members come first for training, exchanges, funding, awards)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import NamedTuple

from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import STUDIO_ROLES, Person, Role, RoleKind, Studio, StudioStatus, Union


class NamedMember(NamedTuple):
    """One person of one named studio, with what a union's priority list needs."""

    studio_id: int
    studio: str
    named_on: date | None
    union_id: int
    union: str
    person_id: int
    name: str
    role: RoleKind
    grade: str | None
    enterprise: str


_ROWS = (
    select(
        Studio.id,
        Studio.name,
        Studio.named_on,
        Union.id,
        Union.name,
        Person.id,
        Person.name,
        Role.kind,
        Person.grade,
        Person.enterprise,
        Studio.enterprise,
    )
    .join(Role, Role.studio_id == Studio.id)
    .join(Person, Person.id == Role.person_id)
    .join(Union, Union.id == Studio.union_id)
    .where(
        Studio.status == StudioStatus.NAMED,
        Studio.active.is_(True),
        Role.active.is_(True),
        Role.kind.in_(STUDIO_ROLES),
        Person.active.is_(True),
    )
    .order_by(Studio.name, case((Role.kind == RoleKind.LEAD, 0), else_=1), Person.name, Person.id)
)


async def named_members(*, session: AsyncSession, studio_ids: Collection[int] | None = None) -> list[NamedMember]:
    """The leads and members of every active named studio (or of these), studio by studio, lead first."""
    query = _ROWS if studio_ids is None else _ROWS.where(Studio.id.in_(list(studio_ids)))
    seen: set[tuple[int, int]] = set()  # a lead who also holds a member role is listed once, as lead
    out = []
    for row in (await session.execute(query)).all():
        if (row[0], row[5]) not in seen:
            seen.add((row[0], row[5]))
            out.append(NamedMember(*row[:9], row[9] or row[10]))
    return out


async def named_studios_of(*, session: AsyncSession, person_id: int) -> list[tuple[Studio, RoleKind]]:
    """The active named studios this person leads or belongs to, with their role there."""
    query = (
        select(Studio, Role.kind)
        .join(Role, Role.studio_id == Studio.id)
        .where(
            Role.person_id == person_id,
            Role.active.is_(True),
            Role.kind.in_(STUDIO_ROLES),
            Studio.status == StudioStatus.NAMED,
            Studio.active.is_(True),
        )
        .order_by(Studio.named_on, Studio.name)
    )
    return [(studio, kind) for studio, kind in (await session.execute(query)).all()]
