"""What 第三条 looks at in a studio, for many studios at once: leads, members, outcomes, recent activities and
admissions, each in one query however many studios are asked about (the year's ranking asks for all)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    ConditionAdmission,
    EntryStatus,
    LedgerEntry,
    LedgerKind,
    OutcomeVersion,
    Person,
    Role,
    RoleKind,
    Studio,
)
from storage.repos import people


async def first_leads(*, session: AsyncSession, studio_ids: Collection[int]) -> dict[int, Person]:
    """Each studio's active lead (the first by id, as org.leads_of orders them); a studio without one is left out."""
    if not studio_ids:
        return {}
    query = (
        select(Role.studio_id, Person)
        .join(Role, Role.person_id == Person.id)
        .where(Role.studio_id.in_(list(studio_ids)), Role.kind == RoleKind.LEAD, Role.active.is_(True))
        .order_by(Person.id.desc())
    )
    return {studio_id: person for studio_id, person in (await session.execute(query)).all() if studio_id is not None}


async def members(*, session: AsyncSession, studio_ids: Collection[int]) -> dict[int, list[tuple[int, RoleKind]]]:
    """Each studio's leads and members (person id, role), counted as people.members_of counts them."""
    if not studio_ids:
        return {}
    query = (
        select(Role.studio_id, Person.id, Role.kind)
        .join(Role, Role.person_id == Person.id)
        .join(Studio, Studio.id == Role.studio_id)
        .where(Role.studio_id.in_(list(studio_ids)), *people._IN_STUDIO)  # the one rule of who is in a studio
    )
    found: dict[int, list[tuple[int, RoleKind]]] = {}
    for studio_id, person_id, kind in (await session.execute(query)).all():
        if studio_id is not None:
            found.setdefault(studio_id, []).append((person_id, kind))
    return found


async def outcomes(
    *, session: AsyncSession, studio_ids: Collection[int], statuses: Collection[EntryStatus]
) -> dict[int, list[tuple[LedgerEntry, OutcomeVersion]]]:
    """Each studio's outcome entries in these statuses, with their current version, in entry order."""
    if not studio_ids:
        return {}
    query = (
        select(LedgerEntry, OutcomeVersion)
        .join(
            OutcomeVersion,
            (OutcomeVersion.entry_id == LedgerEntry.id) & (OutcomeVersion.version == LedgerEntry.version),
        )
        .where(
            LedgerEntry.studio_id.in_(list(studio_ids)),
            LedgerEntry.kind == LedgerKind.OUTCOME,
            LedgerEntry.status.in_(list(statuses)),
        )
        .order_by(LedgerEntry.id)
    )
    found: dict[int, list[tuple[LedgerEntry, OutcomeVersion]]] = {}
    for entry, version in (await session.execute(query)).all():
        found.setdefault(entry.studio_id, []).append((entry, version))
    return found


async def approved_activities(
    *, session: AsyncSession, studio_ids: Collection[int], after: date, until: date
) -> dict[int, int]:
    """How many approved activities each studio dated after `after` up to `until` (a studio with none: left out)."""
    if not studio_ids:
        return {}
    query = (
        select(LedgerEntry.studio_id, func.count(LedgerEntry.id))
        .where(
            LedgerEntry.studio_id.in_(list(studio_ids)),
            LedgerEntry.kind == LedgerKind.ACTIVITY,
            LedgerEntry.status == EntryStatus.APPROVED,
            LedgerEntry.occurred_on > after,
            LedgerEntry.occurred_on <= until,
        )
        .group_by(LedgerEntry.studio_id)
    )
    return {studio_id: int(count) for studio_id, count in (await session.execute(query)).all()}


async def admitted(*, session: AsyncSession, studio_ids: Collection[int], year: int) -> dict[int, frozenset[str]]:
    """The conditions admitted for each studio's application of `year` (a studio with none: left out)."""
    if not studio_ids:
        return {}
    query = select(ConditionAdmission.studio_id, ConditionAdmission.condition).where(
        ConditionAdmission.studio_id.in_(list(studio_ids)), ConditionAdmission.year == year
    )
    found: dict[int, set[str]] = {}
    for studio_id, condition in (await session.execute(query)).all():
        found.setdefault(studio_id, set()).add(condition)
    return {studio_id: frozenset(conditions) for studio_id, conditions in found.items()}
