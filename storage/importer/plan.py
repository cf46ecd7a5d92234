"""Check every row against the file and the database, and resolve it into a plan; nothing is written here.

The database is read before planning (storage.importer.existing); the checks themselves run in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from storage.importer.existing import Existing
from storage.importer.layout import STUDIOS, UNIONS, SheetLayout
from storage.importer.reader import Line, Problem
from storage.importer.values import Checker
from storage.models import Person, RoleKind, Studio, Union, UnionLevel
from storage.names import STUDIO_NAME_MAX, UNION_NAME_MAX
from storage.repos import org


@dataclass
class UnionRow:
    """A union to create, or an existing one to leave or link to its parent."""

    line: Line
    name: str
    level: UnionLevel
    parent: str | None
    existing: Union | None


@dataclass
class StudioRow:
    """A studio to create, or an existing one whose empty details may be filled."""

    line: Line
    name: str
    union: str
    details: dict[str, str]
    named_on: date | None
    existing: Studio | None


@dataclass
class PersonRow:
    """A person to create, or an existing one (matched by name and phone)."""

    line: Line
    name: str
    phone: str
    grade: str
    enterprise: str
    existing: Person | None


@dataclass
class RoleRow:
    """A role to grant: the person (from the file or the database), and a studio or a union."""

    line: Line
    person: PersonRow | Person
    kind: RoleKind
    studio: str | None
    union: str | None


@dataclass
class Plan:
    """Everything the import will do, in order."""

    unions: list[UnionRow] = field(default_factory=list)
    studios: list[StudioRow] = field(default_factory=list)
    people: list[PersonRow] = field(default_factory=list)
    roles: list[RoleRow] = field(default_factory=list)
    db: Existing = field(default_factory=Existing)
    today: date | None = None  # the latest naming date accepted; None accepts any
    known_unions: dict[str, UnionRow] = field(default_factory=dict)
    known_studios: dict[str, StudioRow] = field(default_factory=dict)


def header(layout: SheetLayout, key: str) -> str:
    """The header of a column, for messages."""
    return next(c.header for c in layout.cols if c.key == key)


def _same(found: Union | UnionRow | Studio | StudioRow | None, existing_id: int) -> bool:
    """Whether what a row names is the database row of this id (a row still to be created never is)."""
    row = found.existing if isinstance(found, UnionRow | StudioRow) else found
    return row is not None and row.id == existing_id


def find_union(plan: Plan, name: str) -> Union | UnionRow | None:
    """A union named in the file (its row wins) or already in the database."""
    in_file = plan.known_unions.get(name)
    return in_file if in_file is not None else plan.db.unions.get(name)


def find_studio(plan: Plan, name: str) -> Studio | StudioRow | None:
    """A studio named in the file (its row wins) or already in the database."""
    in_file = plan.known_studios.get(name)
    return in_file if in_file is not None else plan.db.studios.get(name)


def plan_unions(plan: Plan, lines: list[Line], problems: list[Problem]) -> None:
    """Check the union rows: names unique, levels known, parents existing and higher."""
    first: dict[str, int] = {}
    for line in lines:
        c = Checker(line, problems)
        name = c.text("name", header(UNIONS, "name"), required=True, limit=UNION_NAME_MAX)
        level = c.level("level")
        if level is None and not line.text("level"):
            c.fail("required", column=header(UNIONS, "level"))
        parent = c.text("parent", header(UNIONS, "parent")) or None
        if name in first:
            c.fail("duplicate", name=name, first=first[name])
        if parent and parent == name:
            c.fail("own_parent", name=name)
        if parent and level is UnionLevel.MUNICIPAL:
            c.fail("municipal_parent", name=name)
        existing = plan.db.unions.get(name)
        if existing is not None and level is not None and existing.level is not level:
            c.fail("union_level_differs", name=name, level=existing.level.value)
        if c.ok and level is not None:
            first[name] = line.row
            row = UnionRow(line, name, level, parent, existing)
            plan.unions.append(row)
            plan.known_unions[name] = row
    for row in list(plan.unions):
        _check_parent(plan, row, problems)


def _check_parent(plan: Plan, row: UnionRow, problems: list[Problem]) -> None:
    if row.parent is None:
        return
    c = Checker(row.line, problems)
    parent = find_union(plan, row.parent)
    if parent is None:
        c.fail("unknown_union", name=row.parent)
    elif not org.may_be_parent(parent.level, row.level):
        c.fail("parent_level", parent=row.parent, parent_level=parent.level.value, level=row.level.value)
    elif row.existing is not None and row.existing.parent_id is not None and not _same(parent, row.existing.parent_id):
        c.fail("union_parent_differs", name=row.name, parent=plan.db.union_name(row.existing.parent_id))
    if not c.ok:
        plan.unions.remove(row)


def plan_studios(plan: Plan, lines: list[Line], problems: list[Problem]) -> None:
    """Check the studio rows: names unique, unions known, an existing studio stays where it is."""
    first: dict[str, int] = {}
    for line in lines:
        c = Checker(line, problems)
        name = c.text("name", header(STUDIOS, "name"), required=True, limit=STUDIO_NAME_MAX)
        union_name = c.text("union", header(STUDIOS, "union"), required=True)
        details = {k: c.text(k, header(STUDIOS, k)) for k in ("enterprise", "venue", "equipment")}
        named_on = c.day("named_on", header(STUDIOS, "named_on"))
        if named_on and plan.today and named_on > plan.today:
            c.fail("future_date", column=header(STUDIOS, "named_on"), value=named_on.isoformat())
        if name in first:
            c.fail("duplicate", name=name, first=first[name])
        union = find_union(plan, union_name) if union_name else None
        if union_name and union is None:
            c.fail("unknown_union", name=union_name)
        existing = plan.db.studios.get(name)
        if existing is not None and union is not None and not _same(union, existing.union_id):
            c.fail("studio_union_differs", name=name, union=plan.db.union_name(existing.union_id))
        if existing is not None and existing.named_on and named_on and existing.named_on != named_on:
            c.fail("named_on_differs", name=name, named_on=existing.named_on.isoformat())
        if c.ok:
            first[name] = line.row
            row = StudioRow(line, name, union_name, details, named_on, existing)
            plan.studios.append(row)
            plan.known_studios[name] = row
