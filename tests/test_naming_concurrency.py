"""The naming list under real concurrency on PostgreSQL: two namings of one year at once get 1 and 2."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.database import create_engine, session_factory
from storage.models import Application, ApplicationStage, UnionLevel
from storage.repos import naming, org, persons

pytestmark = pytest.mark.postgres


async def test_two_namings_of_one_year_at_once_are_numbered_in_turn(postgres_url: str) -> None:
    engines = [create_engine(postgres_url), create_engine(postgres_url)]
    sides: list[async_sessionmaker[AsyncSession]] = [session_factory(e) for e in engines]
    try:
        ids: list[tuple[int, int]] = []
        async with sides[0]() as s, s.begin():
            union = await org.create_union(session=s, name="浦东新区总工会", level=UnionLevel.DISTRICT)
            lead = await persons.create_person(session=s, name="王建国")
            for title in ("甲工作室", "乙工作室"):
                studio = await org.create_studio(session=s, name=title, union=union)
                app = Application(studio_id=studio.id, applicant_id=lead.id, year=2026, stage=ApplicationStage.NAMED)
                s.add(app)
                await s.flush()
                ids.append((app.id, studio.id))

        async def name(side: async_sessionmaker[AsyncSession], app_id: int, studio_id: int) -> int:
            async with side() as s, s.begin():
                row = await naming.add_named(
                    session=s,
                    year=2026,
                    application_id=app_id,
                    studio_id=studio_id,
                    studio_name=f"#{studio_id}",
                    enterprise="",
                    lead_name="王建国",
                    union_name="浦东新区总工会",
                    named_on=date(2026, 3, 18),
                    named_by_id=None,
                )
                await asyncio.sleep(0.2)  # hold the transaction open while the other one tries
                return row.sequence

        numbers = await asyncio.gather(*(name(side, *pair) for side, pair in zip(sides, ids, strict=True)))
        assert sorted(numbers) == [1, 2]
        async with sides[0]() as s:
            assert [r.sequence for r in await naming.naming_list(s, 2026)] == [1, 2]
    finally:
        for engine in engines:
            await engine.dispose()
