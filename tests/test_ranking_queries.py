"""年度申报 checks 第三条 for the whole year at once: each studio's column reads as the check at 申报 would
(lead, team, cited outcome, activities, venue, admissions), in the same number of statements for 4 or 12."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.models import EntryStatus, LedgerKind, RoleKind, Studio, Union, UnionLevel
from storage.repos import admissions, applications, ledgers, org, persons
from tests.reviews_support import ACTIVITY_FIELDS, OUTCOME_FIELDS, Party, World, at
from tests.support.sql import statements

TODAY = date(2026, 3, 10)
NEEDED = 6  # HandlerConfig.application_min_activities
NAMES = {"lead": "领衔人", "team": "团队", "outcome": "创新成果", "activities": "群众性创新活动", "venue": "场所设备"}


def _unmet(i: int) -> list[str]:
    """What studio i falls short of, as _grow builds it, in the order of 第三条."""
    missing = []
    if i % 5 in (1, 4):  # a lead below 技师, or no lead at all
        missing.append("lead")
    if i % 3 == 2 and i % 9 != 2:  # one member; studio 2's (and 11's) team shortfall was admitted
        missing.append("team")
    if i % 4 == 3 or i % 7 == 6:  # its outcome still waits for the reviewer, or it cited none
        missing.append("outcome")
    if i % 2:
        missing.append("activities")
    if i % 6 == 5:
        missing.append("venue")
    return missing


@dataclass
class Year:
    world: World
    association: Party
    factory: Union
    studios: list[Studio] = field(default_factory=list)
    apps: list[int] = field(default_factory=list)


@pytest.fixture
async def year(sessions: async_sessionmaker[AsyncSession]) -> Year:
    world = World(sessions, at("2026-03-10 10:00"))
    city = await world.union("上海市职工技术协会", UnionLevel.MUNICIPAL)
    district = await world.union("第一区总工会", UnionLevel.DISTRICT, city)
    factory = await world.union("第一厂工会", UnionLevel.ENTERPRISE, district)
    return Year(world, await world.person("张三", RoleKind.ASSOCIATION, union=city), factory)


async def _entry(
    s: AsyncSession, studio: Studio, author_id: int, kind: LedgerKind, approved: bool, **kw: object
) -> int:
    base = OUTCOME_FIELDS if kind is LedgerKind.OUTCOME else ACTIVITY_FIELDS
    entry = await ledgers.create_entry(session=s, studio_id=studio.id, kind=kind, author_id=author_id, fields=base | kw)
    if approved:
        entry.status = EntryStatus.APPROVED
    return entry.id


async def _grow(year: Year, upto: int) -> None:
    """Studios with a submitted application each, up to `upto`, falling short of 第三条 as _unmet(i) says."""
    now = year.world.now
    async with year.world.sessions() as s, s.begin():
        for i in range(len(year.studios), upto):
            studio = await org.create_studio(session=s, name=f"工作室{i:02d}", union=year.factory, enterprise="厂")
            lead = await persons.create_person(session=s, name=f"领衔{i:02d}", grade="高级工" if i % 5 == 1 else "技师")
            await org.grant_role(
                session=s, person=lead, kind=RoleKind.LEAD if i % 5 != 4 else RoleKind.MEMBER, studio=studio
            )
            for m in range(1 if i % 3 == 2 else 3):
                member = await persons.create_person(session=s, name=f"成员{i:02d}{m}")
                await org.grant_role(session=s, person=member, kind=RoleKind.MEMBER, studio=studio)
            outcome = await _entry(s, studio, lead.id, LedgerKind.OUTCOME, approved=i % 4 != 3)
            for n in range(NEEDED if i % 2 == 0 else NEEDED - 1):
                await _entry(s, studio, lead.id, LedgerKind.ACTIVITY, True, occurred_on=TODAY - timedelta(30 * n + 1))
            await _entry(s, studio, lead.id, LedgerKind.ACTIVITY, True, occurred_on=TODAY - timedelta(400))  # too old
            if i % 9 == 2:
                await admissions.admit(
                    session=s, studio_id=studio.id, condition="team", year=2026, reason="新组建", by_id=None, now=now
                )
            data = {
                "venue": "" if i % 6 == 5 else "创新室",
                "equipment": "车床 2 台",
                "outcomes": [] if i % 7 == 6 else [{"id": outcome}],
            }
            app = await applications.submit(
                session=s, studio_id=studio.id, applicant_id=lead.id, year=2026, data=data, now=now
            )
            year.studios.append(studio)
            year.apps.append(app.id)


def _line(year: Year, i: int) -> str:
    missing = _unmet(i)
    eligibility = f"不符合（{'、'.join(NAMES[k] for k in missing)}）" if missing else "符合"
    return f"· #{year.apps[i]} 工作室{i:02d}（第一区总工会）｜待推荐｜第三条：{eligibility}｜专家：-｜推荐意见：-"


async def _ranking(year: Year, engine: AsyncEngine) -> tuple[list[str], int]:
    """The rows of 年度申报 the association reads, and how many statements that turn took."""
    await year.association.say("年度申报")  # a first turn after a while records when they were last heard
    with statements(engine) as sent:
        await year.association.say("年度申报")
    return [line for line in year.association.text.splitlines() if line.startswith("· #")], len(sent)


async def test_the_years_eligibility_column_is_read_at_once_for_all_applications(
    year: Year, engine: AsyncEngine
) -> None:
    await _grow(year, 4)
    small, small_count = await _ranking(year, engine)
    assert small == [_line(year, i) for i in range(4)]

    await _grow(year, 12)
    large, large_count = await _ranking(year, engine)
    assert large == [_line(year, i) for i in range(12)]
    assert "第三条：符合" in large[0] and {"领衔人", "团队", "创新成果", "群众性创新活动", "场所设备"} <= set(
        "".join(large).replace("（", "、").replace("）", "、").replace("：", "、").split("、")
    )
    assert large_count == small_count, (small_count, large_count)
