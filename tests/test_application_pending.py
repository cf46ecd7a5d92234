"""待审 for applications and objections: who sees which, oldest first, in a fixed number of statements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.models import ApplicationStage, RoleKind, Union, UnionLevel
from storage.repos import applications, expert_scores, org
from tests.reviews_support import Party, World, at
from tests.support.sql import statements

S = ApplicationStage
# studio i's application waits at STAGES[i % 4]; the public notice has ended and has an open objection
STAGES = (S.SUBMITTED, S.RECOMMENDED, S.REVIEWED, S.PUBLIC_NOTICE)
STAGE_NAMES = {
    S.SUBMITTED: "待推荐",
    S.RECOMMENDED: "待市职工技协审核",
    S.REVIEWED: "专家评审中",
    S.PUBLIC_NOTICE: "公示中",
}
SCORED = 6  # the expert has already scored studio 6's application


@dataclass
class Town:
    """The association, its reviewer and an expert, and N studios, each under its own district union."""

    world: World
    city: Union
    association: Party
    expert: Party
    applicant: Party
    districts: list[Union] = field(default_factory=list)
    apps: dict[int, int] = field(default_factory=dict)  # studio number → application id
    objections: dict[int, int] = field(default_factory=dict)  # studio number → objection id


async def _town(sessions: async_sessionmaker[AsyncSession]) -> Town:
    world = World(sessions, at("2026-03-10 10:00"))
    city = await world.union("上海市职工技术协会", UnionLevel.MUNICIPAL)
    return Town(
        world=world,
        city=city,
        association=await world.person("张三", RoleKind.ASSOCIATION, union=city),
        expert=await world.person("陈教授", RoleKind.EXPERT, union=city, enterprise="上海交通大学"),
        applicant=await world.person("申报人"),
    )


async def _grow(town: Town, upto: int) -> None:
    """Add studios (under an enterprise union under a new district union) with open applications, up to `upto`."""
    now = town.world.now
    async with town.world.sessions() as s, s.begin():
        for i in range(len(town.districts), upto):
            district = await org.create_union(
                session=s, name=f"第{i:02d}区总工会", level=UnionLevel.DISTRICT, parent=town.city
            )
            factory = await org.create_union(
                session=s, name=f"第{i:02d}厂工会", level=UnionLevel.ENTERPRISE, parent=district
            )
            studio = await org.create_studio(session=s, name=f"工作室{i:02d}", union=factory, enterprise=f"第{i:02d}厂")
            app = await applications.submit(
                session=s, studio_id=studio.id, applicant_id=town.applicant.person.id, year=2026, data={}, now=now
            )
            # the later the studio, the longer its application has waited: the list is not in id order
            app.stage, app.stage_changed_at = STAGES[i % 4], now - timedelta(hours=i + 1)
            if app.stage is S.PUBLIC_NOTICE:
                app.notice_starts_on, app.notice_ends_on = date(2026, 3, 1), date(2026, 3, 7)
                objection = await applications.raise_objection(
                    session=s,
                    application_id=app.id,
                    raised_by_id=town.applicant.person.id,
                    text=f"异议{i:02d}",
                    now=now - timedelta(minutes=i + 1),
                )
                town.objections[i] = objection.id
            if i == SCORED:
                await expert_scores.add_score(
                    session=s,
                    application_id=app.id,
                    expert_id=town.expert.person.id,
                    scores={},
                    total=Decimal(80),
                    comment="",
                    now=now,
                )
            town.districts.append(district)
            town.apps[i] = app.id


def _app_line(town: Town, i: int, closer: bool) -> str:
    stage = STAGE_NAMES[STAGES[i % 4]]
    if closer and STAGES[i % 4] is S.REVIEWED:  # the association reads how many sheets are in
        stage += f"（已收 {int(i == SCORED)}/3 份评分）"
    return f"申报 #{town.apps[i]} 工作室{i:02d} · {stage}"


def _objection_line(town: Town, i: int) -> str:
    return f"异议 #{town.objections[i]} 工作室{i:02d}：异议{i:02d}"


def _expected(town: Town, apps: list[int], objections: list[int], closer: bool = False) -> list[str]:
    """The whole 待审 text for these applications and objections (each list oldest first)."""
    lines = [f"待您处理（共 {len(apps) + len(objections)} 项，最早的在前）："]
    if apps:
        lines.append(f"— 申报（{len(apps)}）—")
        lines += [f"{n}. {_app_line(town, i, closer)}" for n, i in enumerate(apps, start=1)]
    if objections:
        lines.append(f"— 公示异议（{len(objections)}）—")
        lines += [f"{n}. {_objection_line(town, i)}" for n, i in enumerate(objections, start=len(apps) + 1)]
    return lines


async def _pending(engine: AsyncEngine, party: Party) -> tuple[list[str], int]:
    """What `party` reads after saying 待审, and how many statements that turn took."""
    with statements(engine) as sent:
        replies = await party.say("待审")
    return replies[-1].text.splitlines(), len(sent)


async def test_each_union_sees_its_own_applications_in_the_same_number_of_statements_however_many_wait(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    town = await _town(sessions)
    await _grow(town, 4)
    district_00 = await town.world.person("区审核", RoleKind.REVIEWER, union=town.districts[0])
    district_01 = await town.world.person("区审核二", RoleKind.REVIEWER, union=town.districts[1])
    parties = (town.association, district_00, district_01, town.expert)
    for party in parties:  # a first turn may record things once (identity, locale): not what is measured
        await party.say("帮助")

    small = {party.user: await _pending(engine, party) for party in parties}
    await _grow(town, 12)
    large = {party.user: await _pending(engine, party) for party in parties}

    # studios by number, oldest first: 1, 5, 9 wait for the association's review, 3, 7, 11 for naming after
    # their notice (each with an objection), 2, 6, 10 for experts (6 scored already), 0, 4, 8 for their district;
    # 6, with a sheet in, also waits for the association, which may close its evaluation with that sheet
    for listing, association, objections, experts in (
        (small, [3, 1], [3], [2]),
        (large, [11, 9, 7, 6, 5, 3, 1], [11, 7, 3], [10, 2]),
    ):
        assert listing[town.association.user][0] == _expected(town, association, objections, closer=True)
        assert listing[district_00.user][0] == _expected(town, [0], [])  # not 4 or 8: other districts'
        assert listing[district_01.user][0] == ["目前没有等待您处理的事项。👍"]  # its 1 is the association's now
        assert listing[town.expert.user][0] == _expected(town, experts, [])

    counts = {user: (small[user][1], large[user][1]) for user in small}
    assert all(before == after for before, after in counts.values()), counts


async def test_chains_of_many_unions_at_once_are_the_chains_of_each(session: AsyncSession) -> None:
    city = await org.create_union(session=session, name="市", level=UnionLevel.MUNICIPAL)
    district = await org.create_union(session=session, name="区", level=UnionLevel.DISTRICT, parent=city)
    industry = await org.create_union(session=session, name="产业", level=UnionLevel.INDUSTRY, parent=city)
    factory = await org.create_union(session=session, name="厂", level=UnionLevel.ENTERPRISE, parent=district)
    ids = [city.id, district.id, industry.id, factory.id]

    chains = await org.union_chains(session=session, union_ids=[*ids, factory.id, 999])
    assert chains == {i: await org.union_chain(session=session, union_id=i) for i in [*ids, 999]}
    assert [u.name for u in chains[factory.id]] == ["厂", "区", "市"] and chains[999] == []
    assert await org.union_chains(session=session, union_ids=[]) == {}

    # bad data: a parent cycle still ends, each union once, as union_chain does
    city_id, factory_id = city.id, factory.id
    await session.execute(update(Union).where(Union.id == city_id).values(parent_id=factory_id))
    session.expire_all()
    cycled = await org.union_chains(session=session, union_ids=[factory_id])
    assert [u.name for u in cycled[factory_id]] == ["厂", "区", "市"]
    assert cycled[factory_id] == await org.union_chain(session=session, union_id=factory_id)
