"""The planner's reads of people: who a reminder can reach, unions, roles and delegations in force."""

from __future__ import annotations

from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    OFFICER_ROLES,
    ChannelIdentity,
    Delegation,
    Person,
    Role,
    RoleKind,
    Union,
)
from storage.repos.reminder_rows import (
    DelegationRow,
    OfficerRow,
    PersonRow,
    UnionRow,
    execute,
)


async def recipients(*, session: AsyncSession) -> dict[int, PersonRow]:
    """Everybody a reminder can reach: bound to a channel and holding a lead, reviewer or admin role."""
    bound = exists().where(ChannelIdentity.person_id == Person.id)
    acting = exists().where(
        Role.person_id == Person.id, Role.active.is_(True), Role.kind.in_([RoleKind.LEAD, *OFFICER_ROLES])
    )
    query = select(Person.id, Person.name, Person.locale, Person.reminders_paused_until).where(
        bound, acting, Person.active.is_(True)
    )
    return {row[0]: PersonRow(*row) for row in (await execute(session, query)).all()}


async def unions(*, session: AsyncSession) -> list[UnionRow]:
    """Every active union with its parent (a deactivated one has no active unions or studios under it)."""
    rows = await execute(
        session, select(Union.id, Union.name, Union.level, Union.parent_id).where(Union.active.is_(True))
    )
    return [UnionRow(*row) for row in rows.all()]


async def roles(*, session: AsyncSession) -> tuple[list[tuple[int, int]], list[OfficerRow]]:
    """Active studio leads as (studio id, person id), and active reviewer and admin roles of unions."""
    query = select(Role.studio_id, Role.union_id, Role.person_id, Role.kind).where(
        Role.active.is_(True), Role.kind.in_([RoleKind.LEAD, *OFFICER_ROLES])
    )
    leads: list[tuple[int, int]] = []
    officers: list[OfficerRow] = []
    for studio_id, union_id, person_id, kind in (await execute(session, query)).all():
        if kind is RoleKind.LEAD and studio_id is not None:
            leads.append((int(studio_id), int(person_id)))
        elif kind is not RoleKind.LEAD and union_id is not None:
            officers.append(OfficerRow(int(union_id), int(person_id), kind))
    return leads, officers


async def active_delegations(*, session: AsyncSession, on: date) -> list[DelegationRow]:
    """Delegations in force on a day, newest first."""
    query = (
        select(Delegation.reviewer_id, Delegation.delegate_id, Delegation.ends_on)
        .where(Delegation.revoked_at.is_(None), Delegation.starts_on <= on, Delegation.ends_on >= on)
        .order_by(Delegation.id.desc())
    )
    return [DelegationRow(*row) for row in (await execute(session, query)).all()]
