"""A reviewer's stand-in for a period: who may be named, naming one, revoking."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import Date, Integer, bindparam, literal, select, union, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import DECIDING_ROLES, Delegation, Person, Role, RoleKind

# A delegation in force on the day bound as "on": not revoked, and the day within its period.
_ON = bindparam("on", type_=Date)
IN_FORCE = (Delegation.revoked_at.is_(None), Delegation.starts_on <= _ON, Delegation.ends_on >= _ON)
# Built once: every permission check runs it.
_ROLES_HELD_FOR = (
    select(Role)
    .join(Delegation, Delegation.reviewer_id == Role.person_id)
    .where(
        Delegation.delegate_id == bindparam("delegate_id"),
        *IN_FORCE,
        Role.kind.in_(DECIDING_ROLES),
        Role.active.is_(True),
    )
    .order_by(Role.id)
)


async def roles_held_for(*, session: AsyncSession, delegate_id: int, on: date) -> list[Role]:
    """The deciding roles (reviewer, association) of everybody who delegated to this person, in force that day."""
    return list(await session.scalars(_ROLES_HELD_FOR, {"delegate_id": delegate_id, "on": on}))


async def eligible_delegates(*, session: AsyncSession, reviewer_id: int, name: str) -> list[Person]:
    """People of that name who review or administer a union the reviewer reviews for (never the reviewer)."""
    own = aliased(Role)
    theirs = aliased(Role)
    query = (
        select(Person)
        .join(theirs, theirs.person_id == Person.id)
        .join(own, own.union_id == theirs.union_id)
        .where(
            Person.name == name,
            Person.id != reviewer_id,
            own.person_id == reviewer_id,
            own.kind.in_(DECIDING_ROLES),
            own.active.is_(True),
            theirs.kind.in_([*DECIDING_ROLES, RoleKind.ADMIN]),
            theirs.active.is_(True),
        )
        .distinct()
        .order_by(Person.id)
    )
    return list(await session.scalars(query))


async def current(*, session: AsyncSession, reviewer_id: int, today: date) -> list[tuple[Delegation, Person]]:
    """The reviewer's delegations in force today or later, with the delegate."""
    query = (
        select(Delegation, Person)
        .join(Person, Person.id == Delegation.delegate_id)
        .where(Delegation.reviewer_id == reviewer_id, Delegation.revoked_at.is_(None), Delegation.ends_on >= today)
        .order_by(Delegation.starts_on, Delegation.id)
    )
    return [(d, p) for d, p in (await session.execute(query)).all()]


async def revoke(*, session: AsyncSession, reviewer_id: int, today: date, now: datetime) -> None:
    """End every delegation of the reviewer that is in force today or later (one UPDATE)."""
    await session.execute(
        update(Delegation)
        .where(Delegation.reviewer_id == reviewer_id, Delegation.revoked_at.is_(None), Delegation.ends_on >= today)
        .values(revoked_at=now)
    )


async def delegate(
    *, session: AsyncSession, reviewer_id: int, delegate_id: int, starts_on: date, ends_on: date
) -> Delegation:
    """Name a stand-in for the period."""
    row = Delegation(reviewer_id=reviewer_id, delegate_id=delegate_id, starts_on=starts_on, ends_on=ends_on)
    session.add(row)
    await session.flush()
    return row


# reviews.officers and the stand-ins in force of those officers, in one statement: who is asked to decide on something
_HOLDERS = (
    select(Role.person_id.label("person_id"), literal(None, Integer).label("reviewer_id"), literal(0).label("part"))
    .add_columns(Role.person_id.label("rank"))
    .where(
        Role.union_id.in_(bindparam("union_ids", expanding=True)),
        Role.kind == bindparam("kind", type_=Role.kind.type),
        Role.active.is_(True),
    )
)
_STAND_INS = select(Delegation.delegate_id, Delegation.reviewer_id, literal(1), Delegation.id).where(
    Delegation.reviewer_id.in_(_HOLDERS.with_only_columns(Role.person_id).scalar_subquery()), *IN_FORCE
)
_ASKED = union(_HOLDERS, _STAND_INS).subquery()
_DECIDERS = (
    select(Person, _ASKED.c.reviewer_id)
    .join(_ASKED, _ASKED.c.person_id == Person.id)
    .order_by(_ASKED.c.part, _ASKED.c.rank)
)


async def deciders(
    *, session: AsyncSession, union_ids: Collection[int], kind: RoleKind, on: date
) -> list[tuple[Person, int | None]]:
    """The holders of an active role of this kind in these unions (by id, with None), then the delegates of those
    holders in force that day (with the holder's id, in the order they were named), in one statement."""
    if not union_ids:
        return []
    rows = await session.execute(_DECIDERS, {"union_ids": list(union_ids), "kind": kind, "on": on})
    return [(person, reviewer_id) for person, reviewer_id in rows.all()]
