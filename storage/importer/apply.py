"""Carry out a checked plan: create what is new, fill in what changed, count what was left alone."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from storage.importer.plan import PersonRow, Plan, StudioRow, UnionRow
from storage.models import Person, Studio, StudioStatus, Union, UnionLevel
from storage.repos import org

_Named = TypeVar("_Named", Union, Studio)
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
    unions: dict[str, Union] = dict(plan.db.unions)  # those the file names; its own rows, written below, win
    for row in sorted(plan.unions, key=lambda r: _RANK[r.level]):
        unions[row.name] = await _union(session, row, unions, report)
    studios: dict[str, Studio] = dict(plan.db.studios)
    for srow in plan.studios:
        studios[srow.name] = await _studio(session, srow, unions, report)
    people: dict[int, Person] = {}
    for prow in plan.people:
        people[id(prow)] = await _person(session, prow, report)
    for role in plan.roles:
        person = people[id(role.person)] if isinstance(role.person, PersonRow) else role.person
        studio = _find(role.studio, studios) if role.studio else None
        union = _find(role.union, unions) if role.union else None
        # Only people found by name can hold a role already; the check loaded all of theirs.
        if plan.db.roles.get((person.id, role.kind, studio.id if studio else None, union.id if union else None)):
            report.count("roles", "unchanged")
            continue
        await org.grant_role(session=session, person=person, kind=role.kind, studio=studio, union=union)
        report.count("roles", "created")  # a revoked role granted again counts as created
    await session.flush()
    return report


def _find(name: str, known: dict[str, _Named]) -> _Named:
    found = known.get(name)
    assert found is not None  # the plan checked it exists, in the file or in the database
    return found


async def _union(session: AsyncSession, row: UnionRow, known: dict[str, Union], report: ImportReport) -> Union:
    parent = _find(row.parent, known) if row.parent else None
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
        union = _find(row.union, unions)
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
