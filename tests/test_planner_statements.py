"""The planner's pass sends the same number of SQL statements however many studios, unions and ended cycles."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from handlers.reminders import PlanResult, plan
from storage.models import EntryStatus, OutboxMessage, RoleKind, UnionLevel
from storage.repos import org
from tests.reminders_support import CONFIG, World, add_entry, at, build_world, outbox_rows, person
from tests.support.sql import statements

NAMED = date(2024, 3, 10)  # the cycle ends on 2027-03-09
ENDED = date(2023, 6, 1)  # the cycle ended on 2026-05-31 and waits for 考核验收
PASS = date(2027, 3, 1)
EXPERTS = 2


async def run(sessions: async_sessionmaker[AsyncSession]) -> PlanResult:
    async with sessions() as session, session.begin():
        return await plan(session=session, config=CONFIG, now=at(PASS))


async def grow(sessions: async_sessionmaker[AsyncSession], w: World, batch: int) -> tuple[int, int]:
    """`batch` more studios under a new enterprise union; how many have an ended cycle, and the union's contact."""
    ended = 0
    async with sessions() as s:
        enterprise = await org.create_union(
            session=s, name=f"企业工会{batch}", level=UnionLevel.ENTERPRISE, parent=w.district
        )
        contact = await person(s, f"企业联络人{batch}")
        await org.grant_role(session=s, person=contact, kind=RoleKind.ENTERPRISE, union=enterprise)
        for n in range(batch):
            # running cycle, applying (its entries count too), or an ended cycle whose figures freeze now
            named_on = (NAMED, None, ENDED)[n % 3]
            ended += named_on is ENDED
            studio = await org.create_studio(session=s, name=f"工作室{batch}-{n}", union=enterprise, named_on=named_on)
            lead = await person(s, f"领衔人{batch}-{n}")
            member = await person(s, f"成员{batch}-{n}")
            await org.grant_role(session=s, person=lead, kind=RoleKind.LEAD, studio=studio)
            await org.grant_role(session=s, person=member, kind=RoleKind.MEMBER, studio=studio)
            here = World(w.association, w.district, studio, lead, w.reviewer, w.officer)
            await add_entry(s, here, created=at(date(2026, 5, 1)))
            await add_entry(s, here, created=at(date(2026, 11, 1)), status=EntryStatus.SUBMITTED)
        await s.commit()
    return ended, contact.id


async def test_statement_count_does_not_grow_with_studios_unions_or_ended_cycles(
    sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    async with sessions() as session:
        w = await build_world(session, named_on=NAMED, created=at(NAMED))
        for n in range(EXPERTS):
            expert = await person(session, f"专家{n}")
            await org.grant_role(session=session, person=expert, kind=RoleKind.EXPERT, union=w.association)
        await session.commit()
    counts: list[int] = []
    waiting, contacts = 0, set()
    for batch in (3, 30):
        waiting += batch
        ended, contact = await grow(sessions, w, batch)
        contacts.add(contact)
        async with sessions() as s:  # the same pass again from scratch, now with more studios
            await s.execute(delete(OutboxMessage))
            await s.commit()
        with statements(engine) as sent:
            result = await run(sessions)
        counts.append(len(sent))
        topics = {p.topic for p in result.new}
        assert {"review", "digest", "window"} <= topics
        assert len([p for p in result.new if p.topic == "review"]) == waiting
        # the enterprise union's contact hears of its studios in the digest, as the district's reviewer does
        assert contacts <= {p.person_id for p in result.new if p.topic == "digest"}
        asks = [m for m in await outbox_rows(sessions) if m.idempotency_key.startswith("cy:")]
        assert len(asks) == ended * EXPERTS  # this batch's cycles froze now, and every expert is asked
    assert counts[0] == counts[1] and counts[0] > 5
