"""Person records: adding a person, finding people by name, many people's names by id.

What ties a person to channels and studios (identities, memberships) is in people.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Person
from storage.names import PERSON_NAME_MAX, require_name


async def find_people(*, session: AsyncSession, name: str) -> list[Person]:
    """Everybody of that exact name, but for people merged into another record."""
    query = select(Person).where(Person.name == name, Person.active.is_(True)).order_by(Person.id)
    return list(await session.scalars(query))


async def names_of(*, session: AsyncSession, person_ids: Collection[int]) -> dict[int, str]:
    """The names of these people, by id, in one query (ids of nobody are left out)."""
    if not person_ids:
        return {}
    rows = await session.execute(select(Person.id, Person.name).where(Person.id.in_(list(person_ids))))
    return {person_id: name for person_id, name in rows.all()}


def new_person(
    *, name: str, grade: str | None = None, phone: str | None = None, enterprise: str = "", locale: str = "zh_CN"
) -> Person:
    """A person, not yet added to a session."""
    return Person(
        name=require_name(name, PERSON_NAME_MAX), grade=grade, phone=phone, enterprise=enterprise, locale=locale
    )


async def create_person(
    *,
    session: AsyncSession,
    name: str,
    grade: str | None = None,
    phone: str | None = None,
    enterprise: str = "",
    locale: str = "zh_CN",
) -> Person:
    """Add a person."""
    person = new_person(name=name, grade=grade, phone=phone, enterprise=enterprise, locale=locale)
    session.add(person)
    await session.flush()
    return person
