"""What the database already holds that a file names, loaded in a few batch queries before any row is checked.

Planning then runs in memory, so checking a file costs the same handful of queries whatever its size
(one more per CHUNK names of a kind). Nothing is written during the import's checks, so loading
everything up front sees exactly what row-by-row lookups would have seen.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.importer.reader import Line
from storage.models import Person, Role, RoleKind, Studio, Union

CHUNK = 500  # values per IN (…): well under the 999 bound parameters of SQLite builds before 3.32

K = TypeVar("K", str, int)
RoleKey = tuple[int, RoleKind, int | None, int | None]  # person, kind, studio, union


@dataclass
class Existing:
    """Existing unions, studios and people by name, union names by id, found studios' leads, found people's roles."""

    unions: dict[str, Union] = field(default_factory=dict)
    studios: dict[str, Studio] = field(default_factory=dict)
    people: dict[str, list[Person]] = field(default_factory=dict)
    union_names: dict[int, str] = field(default_factory=dict)
    leads: dict[int, list[Person]] = field(default_factory=dict)
    roles: dict[RoleKey, bool] = field(default_factory=dict)  # whether each is active

    def union_name(self, union_id: int) -> str:
        """The name of a union by id, for messages ('?' if it is gone)."""
        return self.union_names.get(union_id, "?")


def _chunks(values: Iterable[K]) -> Iterator[list[K]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _cells(lines: dict[str, list[Line]], *columns: tuple[str, str]) -> set[str]:
    """The non-empty values of these (sheet key, column key) cells across the file."""
    return {v for sheet, key in columns for line in lines.get(sheet, ()) if (v := line.text(key))}


async def load_existing(session: AsyncSession, lines: dict[str, list[Line]]) -> Existing:
    """Everything in the database the file's rows can refer to, by the names that appear in it."""
    db = Existing()
    union_names = _cells(lines, ("unions", "name"), ("unions", "parent"), ("studios", "union"), ("roles", "union"))
    for names in _chunks(union_names):
        for union in await session.scalars(select(Union).where(Union.name.in_(names))):
            db.unions[union.name] = union
            db.union_names[union.id] = union.name
    for names in _chunks(_cells(lines, ("studios", "name"), ("roles", "studio"))):
        for studio in await session.scalars(select(Studio).where(Studio.name.in_(names))):
            db.studios[studio.name] = studio
    # Messages name a found union's current parent and a found studio's current union.
    referred = {u.parent_id for u in db.unions.values() if u.parent_id} | {s.union_id for s in db.studios.values()}
    for ids in _chunks(referred - db.union_names.keys()):
        for union_id, name in await session.execute(select(Union.id, Union.name).where(Union.id.in_(ids))):
            db.union_names[union_id] = name
    for names in _chunks(_cells(lines, ("people", "name"), ("roles", "name"))):
        for person in await session.scalars(select(Person).where(Person.name.in_(names)).order_by(Person.id)):
            db.people.setdefault(person.name, []).append(person)
    for ids in _chunks(s.id for s in db.studios.values()):
        query = (
            select(Role.studio_id, Person)
            .join_from(Role, Person, Role.person_id == Person.id)
            .where(Role.studio_id.in_(ids), Role.kind == RoleKind.LEAD, Role.active.is_(True))
            .order_by(Person.id)
        )
        for studio_id, person in await session.execute(query):
            assert studio_id is not None  # the WHERE keeps studio roles only
            db.leads.setdefault(studio_id, []).append(person)
    for ids in _chunks(p.id for people in db.people.values() for p in people):
        for role in await session.scalars(select(Role).where(Role.person_id.in_(ids))):
            db.roles[(role.person_id, role.kind, role.studio_id, role.union_id)] = role.active
    return db
