"""A small seeded world: a municipal association, a district union, a named studio, its people."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.base import utcnow
from storage.models import Person, RoleKind, Studio, Union, UnionLevel
from storage.repos import org, people, persons


@dataclass
class World:
    """Who is who; every person is bound on the fake channel under the user id noted here."""

    municipal: Union
    district: Union
    studio: Studio
    lead: Person  # user "lead"
    members: list[Person] = field(default_factory=list)  # users "m1", "m2", "m3"
    reviewer: Person | None = None  # user "rev"


async def make_world(sessions: async_sessionmaker[AsyncSession], *, channel: str = "test") -> World:
    """Seed the world and bind everyone on `channel`."""
    async with sessions() as session, session.begin():
        municipal = await org.create_union(session=session, name="上海市职工技术协会", level=UnionLevel.MUNICIPAL)
        district = await org.create_union(
            session=session, name="浦东新区总工会", level=UnionLevel.DISTRICT, parent=municipal
        )
        studio = await org.create_studio(
            session=session,
            name="张工数控创新工作室",
            union=district,
            enterprise="上海机床厂",
            named_on=date(2025, 1, 1),
        )
        lead = await _person(session, "张工", "高级技师", RoleKind.LEAD, studio=studio, user="lead", channel=channel)
        members = [
            await _person(session, name, "技师", RoleKind.MEMBER, studio=studio, user=f"m{i}", channel=channel)
            for i, name in enumerate(("李明", "王芳", "赵强"), start=1)
        ]
        reviewer = await _person(
            session, "周审核", None, RoleKind.REVIEWER, union=district, user="rev", channel=channel
        )
    return World(municipal, district, studio, lead, members, reviewer)


async def add_studio(
    sessions: async_sessionmaker[AsyncSession], world: World, name: str, *, lead: Person | None = None
) -> Studio:
    """A second studio under the district union, optionally led by somebody of the world."""
    async with sessions() as session, session.begin():
        studio = await org.create_studio(session=session, name=name, union=world.district)
        if lead is not None:
            await org.grant_role(session=session, person=lead, kind=RoleKind.LEAD, studio=studio)
    return studio


async def add_identity(
    sessions: async_sessionmaker[AsyncSession], person: Person, user: str, *, channel: str = "test"
) -> None:
    """Bind one more channel user to a person."""
    async with sessions() as session, session.begin():
        await people.bind_identity(
            session=session, person=person, channel=channel, external_id=user, chat_id=f"chat-{user}", now=utcnow()
        )


async def _person(
    session: AsyncSession,
    name: str,
    grade: str | None,
    kind: RoleKind,
    *,
    user: str,
    channel: str,
    studio: Studio | None = None,
    union: Union | None = None,
) -> Person:
    person = await persons.create_person(session=session, name=name, grade=grade)
    await org.grant_role(session=session, person=person, kind=kind, studio=studio, union=union)
    await people.bind_identity(
        session=session, person=person, channel=channel, external_id=user, chat_id=f"chat-{user}", now=utcnow()
    )
    return person
