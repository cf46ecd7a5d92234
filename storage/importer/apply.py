"""Carry out a checked plan: create what is new, fill in what changed, count what was left alone."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.importer.audit_rows import CHANNEL, Created, audit_created
from storage.importer.existing import RoleKey
from storage.importer.plan import PersonRow, Plan, StudioRow, UnionRow
from storage.models import Cycle, Person, Role, RoleKind, Studio, StudioStatus, Union, UnionLevel
from storage.repos import leads, org, persons, studio_cycles

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
    """Write the plan in dependency order (parents before children); flushes, never commits.

    What is new is added in batches, one flush per kind (per level for unions, whose parents need ids
    first). PostgreSQL takes each batch in a few multi-row INSERTs; SQLite cannot hand back generated
    ids in row order, so the ORM inserts those rows one by one there. Cycles and roles, whose ids
    nothing here needs, go in as one bulk INSERT each on both.
    """
    report, created = ImportReport(), Created()
    unions: dict[str, Union] = dict(plan.db.unions)  # those the file names; its own rows, written below, win
    for rank in sorted({_RANK[row.level] for row in plan.unions}):
        level = [row for row in plan.unions if _RANK[row.level] == rank]
        unions.update({row.name: _union(row, unions, report) for row in level})
        await _flush_new(session, created.add([unions[row.name] for row in level if row.existing is None]))
    studios: dict[str, Studio] = dict(plan.db.studios)
    for srow in plan.studios:
        studios[srow.name] = await _studio(session, srow, unions, report)
    new_studios = [(studios[r.name], r.named_on) for r in plan.studios if r.existing is None]
    await _flush_new(session, created.add([studio for studio, _ in new_studios]))
    first_cycles = [
        {"studio_id": studio.id, "number": 1, "starts_on": named_on, "ends_on": studio_cycles.cycle_end(named_on)}
        for studio, named_on in new_studios
        if named_on
    ]
    if first_cycles:
        await session.execute(insert(Cycle), first_cycles)
    people: dict[int, Person] = {id(prow): _person(prow, report) for prow in plan.people}
    await _flush_new(session, created.add([people[id(prow)] for prow in plan.people if prow.existing is None]))
    created.roles = await _roles(session, plan, studios, unions, people, report)
    await audit_created(session, created)
    await session.flush()
    return report


async def _flush_new(session: AsyncSession, rows: Sequence[object]) -> None:
    if rows:
        session.add_all(rows)
        await session.flush()


async def _roles(
    session: AsyncSession,
    plan: Plan,
    studios: dict[str, Studio],
    unions: dict[str, Union],
    people: dict[int, Person],
    report: ImportReport,
) -> list[tuple[int, dict[str, object], str]]:
    """Grant the plan's roles; the ids and values of those inserted new, for their audit rows."""
    granted: set[RoleKey] = set()
    new: list[dict[str, object]] = []
    holders: list[str] = []
    granted_now: list[tuple[int, dict[str, object], str]] = []
    for role in plan.roles:
        person = people[id(role.person)] if isinstance(role.person, PersonRow) else role.person
        studio = _find(role.studio, studios) if role.studio else None
        union = _find(role.union, unions) if role.union else None
        key = (person.id, role.kind, studio.id if studio else None, union.id if union else None)
        # Only people found by name can hold a role already; the check loaded all of theirs.
        if plan.db.roles.get(key) or key in granted:
            report.count("roles", "unchanged")
            continue
        granted.add(key)
        report.count("roles", "created")  # a revoked role granted again counts as created
        values: dict[str, object] = {"person_id": key[0], "kind": key[1], "studio_id": key[2], "union_id": key[3]}
        if role.kind is RoleKind.LEAD and studio is not None and role.studio in plan.db.studios:
            # a studio that was there before the file takes its lead by the one rule (never replacing
            # anyone: the check refused a file that would); a studio the file creates has none to replace
            lead = await leads.assign_lead(
                session=session, studio=studio, person=person, replace=False, actor_id=None, channel=CHANNEL
            )
            granted_now.append((lead.id, values, person.name))
        elif key in plan.db.roles:  # held once, revoked since: the row is there to switch on again
            again = await org.grant_role(session=session, person=person, kind=role.kind, studio=studio, union=union)
            granted_now.append((again.id, values, person.name))
        else:
            new.append(values)
            holders.append(person.name)
    if new:
        await session.execute(insert(Role), new)
        # one bulk INSERT (SQLite hands back no ids in row order), then the new rows' ids in one SELECT
        found = await session.execute(
            select(Role.id, Role.person_id, Role.kind, Role.studio_id, Role.union_id).where(
                Role.person_id.in_({row["person_id"] for row in new})
            )
        )
        ids = {(r.person_id, r.kind, r.studio_id, r.union_id): r.id for r in found}
        keys = [(row["person_id"], row["kind"], row["studio_id"], row["union_id"]) for row in new]
        granted_now.extend((ids[key], row, name) for key, row, name in zip(keys, new, holders, strict=True))
    return granted_now


def _find(name: str, known: dict[str, _Named]) -> _Named:
    found = known.get(name)
    assert found is not None  # the plan checked it exists, in the file or in the database
    return found


def _union(row: UnionRow, known: dict[str, Union], report: ImportReport) -> Union:
    parent = _find(row.parent, known) if row.parent else None
    if row.existing is None:
        report.count("unions", "created")
        return org.new_union(name=row.name, level=row.level, parent=parent)
    if parent is not None and row.existing.parent_id is None:
        row.existing.parent_id = parent.id
        report.count("unions", "updated")
    else:
        report.count("unions", "unchanged")
    return row.existing


async def _studio(session: AsyncSession, row: StudioRow, unions: dict[str, Union], report: ImportReport) -> Studio:
    if row.existing is None:
        report.count("studios", "created")
        return org.new_studio(name=row.name, union=_find(row.union, unions), named_on=row.named_on, **row.details)
    studio, changed = row.existing, False
    for key, value in row.details.items():
        if value and getattr(studio, key) != value:
            setattr(studio, key, value)
            changed = True
    if row.named_on and studio.named_on is None:
        studio.named_on, studio.status = row.named_on, StudioStatus.NAMED
        await studio_cycles.start_cycle(session=session, studio=studio, starts_on=row.named_on)
        changed = True
    report.count("studios", "updated" if changed else "unchanged")
    return studio


def _person(row: PersonRow, report: ImportReport) -> Person:
    if row.existing is None:
        report.count("people", "created")
        return persons.new_person(
            name=row.name, phone=row.phone or None, grade=row.grade or None, enterprise=row.enterprise
        )
    person, changed = row.existing, False
    for key, value in (("phone", row.phone), ("grade", row.grade), ("enterprise", row.enterprise)):
        if value and getattr(person, key) != value:
            setattr(person, key, value)
            changed = True
    report.count("people", "updated" if changed else "unchanged")
    return person
