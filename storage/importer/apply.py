"""Carry out a checked plan: create what is new, fill in what changed, count what was left alone."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.importer.plan import PersonRow, Plan, StudioRow, UnionRow
from storage.models import Person, Role, Studio, StudioStatus, Union, UnionLevel
from storage.repos import org

_RANK = {UnionLevel.MUNICIPAL: 0, UnionLevel.DISTRICT: 1, UnionLevel.INDUSTRY: 1, UnionLevel.ENTERPRISE: 2}


@dataclass
class ImportReport:
    """Per sheet key: how many rows created, updated, unchanged."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)

    def count(self, sheet: str, what: str) -> None:
        """Count one row of a sheet as created, updated or unchanged."""
        self.counts.setdefault(sheet, Counter())[what] += 1

    @property
    def changed(self) -> bool:
        """Whether the import wrote anything."""
        return any(c["created"] or c["updated"] for c in self.counts.values())


async def apply_plan(session: AsyncSession, plan: Plan) -> ImportReport:
    """Write the plan in dependency order (parents before children); flushes, never commits."""
    report = ImportReport()
    unions: dict[str, Union] = {}
    for row in sorted(plan.unions, key=lambda r: _RANK[r.level]):
        unions[row.name] = await _union(session, row, unions, report)
    studios: dict[str, Studio] = {}
    for srow in plan.studios:
        studios[srow.name] = await _studio(session, srow, unions, report)
    people: dict[int, Person] = {}
    for prow in plan.people:
        people[id(prow)] = await _person(session, prow, report)
    for role in plan.roles:
        person = people[id(role.person)] if isinstance(role.person, PersonRow) else role.person
        studio = await _find_studio(session, role.studio, studios) if role.studio else None
        union = await _find_union(session, role.union, unions) if role.union else None
        held = await session.scalar(
            select(Role.active).where(
                Role.person_id == person.id,
                Role.kind == role.kind,
                Role.studio_id == studio.id if studio else Role.studio_id.is_(None),
                Role.union_id == union.id if union else Role.union_id.is_(None),
            )
        )
        await org.grant_role(session=session, person=person, kind=role.kind, studio=studio, union=union)
        report.count("roles", "unchanged" if held else "created")
    await session.flush()
    return report


async def _find_union(session: AsyncSession, name: str, made: dict[str, Union]) -> Union:
    found = made.get(name) or await org.get_union(session=session, name=name)
    assert found is not None  # the plan checked it exists
    return found


async def _find_studio(session: AsyncSession, name: str, made: dict[str, Studio]) -> Studio:
    found = made.get(name) or await org.get_studio(session=session, name=name)
    assert found is not None  # the plan checked it exists
    return found


async def _union(session: AsyncSession, row: UnionRow, made: dict[str, Union], report: ImportReport) -> Union:
    parent = await _find_union(session, row.parent, made) if row.parent else None
    if row.existing is None:
        report.count("unions", "created")
        return await org.create_union(session=session, name=row.name, level=row.level, parent=parent)
    if parent is not None and row.existing.parent_id is None:
        row.existing.parent_id = parent.id
        report.count("unions", "updated")
    else:
        report.count("unions", "unchanged")
    return row.existing


async def _studio(session: AsyncSession, row: StudioRow, unions: dict[str, Union], report: ImportReport) -> Studio:
    if row.existing is None:
        report.count("studios", "created")
        union = await _find_union(session, row.union, unions)
        details = row.details
        return await org.create_studio(session=session, name=row.name, union=union, named_on=row.named_on, **details)
    studio, changed = row.existing, False
    for key, value in row.details.items():
        if value and getattr(studio, key) != value:
            setattr(studio, key, value)
            changed = True
    if row.named_on and studio.named_on is None:
        studio.named_on, studio.status = row.named_on, StudioStatus.NAMED
        await org.start_cycle(session=session, studio=studio, starts_on=row.named_on)
        changed = True
    report.count("studios", "updated" if changed else "unchanged")
    return studio


async def _person(session: AsyncSession, row: PersonRow, report: ImportReport) -> Person:
    if row.existing is None:
        report.count("people", "created")
        return await org.create_person(
            session=session, name=row.name, phone=row.phone or None, grade=row.grade or None, enterprise=row.enterprise
        )
    person, changed = row.existing, False
    for key, value in (("phone", row.phone), ("grade", row.grade), ("enterprise", row.enterprise)):
        if value and getattr(person, key) != value:
            setattr(person, key, value)
            changed = True
    report.count("people", "updated" if changed else "unchanged")
    return person
