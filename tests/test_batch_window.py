"""The application window per year (issue 17, item 5): set by the association (CLI and chat), read by 申报,
and announced only to the leads of studios that may apply."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.lifecycle import window
from handlers.reminders import plan
from storage.base import utcnow
from storage.models import Application, ApplicationStage, RoleKind, Studio, StudioStatus, Union
from storage.repos import org
from tests.reminders_support import CONFIG, build_world, person
from tests.reminders_support import at as local_at
from tests.reviews_support import World, apply, at, make_cast, ready_to_apply
from tests.support.org_cli import OrgCli


async def window_set(session: AsyncSession, year: int, opens: date, closes: date) -> None:
    assert (
        await window.set_year(
            session, year=year, opens_on=opens, closes_on=closes, actor_id=None, channel="test", now=utcnow()
        )
        is None
    )


async def _application(session: AsyncSession, studio_name: str, stage: str, submitted: datetime) -> None:
    studio = await session.scalar(select(Studio).where(Studio.name == studio_name))
    assert studio is not None
    [lead] = await org.leads_of(session=session, studio_id=studio.id)
    session.add(
        Application(
            studio_id=studio.id,
            applicant_id=lead.id,
            year=submitted.year,
            stage=ApplicationStage(stage),
            submitted_at=submitted,
            stage_changed_at=submitted,
        )
    )
    await session.flush()


def test_window_set_and_list_on_the_command_line(db_url: str) -> None:
    cli = OrgCli(db_url)
    assert cli.ok("window", "list")["windows"] == []
    done = cli.ok("window", "set", "2027", "--from", "2027-05-01", "--to", "2027-06-30")
    assert (done["opens_on"], done["closes_on"]) == ("2027-05-01", "2027-06-30")
    cli.ok("window", "set", "2027", "--from", "2027-03-01", "--to", "2027-04-30")
    listed = cli.ok("window", "list")
    assert listed["windows"] == [{"year": 2027, "opens_on": "2027-03-01", "closes_on": "2027-04-30"}]
    assert listed["default"] == "03-01..04-30"
    text = cli("window", "list").stdout
    assert "2027: 2027-03-01 – 2027-04-30" in text and "其他年度 / other years: 03-01..04-30" in text
    first, second = cli.audit("window")
    assert (first.object_id, first.to_state, first.channel) == (2027, "created", "cli")
    assert second.detail["was_opens_on"] == "2027-05-01" and second.detail["opens_on"] == "2027-03-01"
    cli.refused(
        "window", "set", "2027", "--from", "2027-04-30", "--to", "2027-03-01", needle="结束日期不能早于开始日期"
    )
    cli.refused("window", "set", "2028", "--from", "2027-12-01", "--to", "2028-01-31", needle="须从该年度内开始")
    cli.refused("window", "set", "2027", "--from", "2027-03-01", "--to", "不是日期", needle="--to")
    trail = cli("audit").stdout
    assert "2027 年度申报期" in trail, trail


async def test_the_association_sets_a_year_in_chat_and_applying_follows_it(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    cast = await make_cast(World(sessions, at("2027-03-10 10:00")))
    await ready_to_apply(cast)
    await cast.lead.say("申报期")
    cast.lead.expect("2027 年度：2027-03-01 至 2027-04-30（正在申报，默认申报期）", "2028 年度")
    cast.lead.expect_not("设置某年度")
    await cast.lead.say("申报期 2027 2027-05-01 2027-06-30")
    cast.lead.expect("只有市职工技协的审核人可以设置年度申报时间。")
    await cast.reviewer.say("申报期 2027 2027-05-01 2027-06-30")
    cast.reviewer.expect("只有市职工技协的审核人可以设置年度申报时间。")

    zhang = cast.association
    await zhang.say("申报期")
    zhang.expect("设置某年度的申报期：申报期 2028 2028-03-01 2028-04-30")
    await zhang.say("申报期 2027 明年")
    zhang.expect("请按“申报期 年度 开始日期 结束日期”发送")
    await zhang.say("申报期 2027 2027-06-30 至 2027-05-01")
    zhang.expect("申报期的结束日期不能早于开始日期。")
    await zhang.say("申报期 2027 2027-05-01 至 2027-06-30")
    zhang.expect("✅ 已设置 2027 年度申报期：2027-05-01 至 2027-06-30。")

    await cast.lead.say("申报")
    cast.lead.expect("现在不在申报期内。下一次申报期为 2027-05-01 至 2027-06-30，届时欢迎申报！")
    await cast.lead.say("申报期")
    cast.lead.expect("2027 年度：2027-05-01 至 2027-06-30（尚未开始，市职工技协设定）")
    cast.world.now = at("2027-05-02 09:00")
    await cast.lead.say("申报")
    cast.lead.expect("工作室的活动场所是？")
    await cast.lead.say("取消")
    await cast.lead.say("/lang en")
    await cast.lead.say("/window")
    cast.lead.expect("2027: 2027-05-01 to 2027-06-30 (open now, set by the association)")


async def test_the_window_reminder_reaches_only_leads_whose_studio_may_apply(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as s:
        w = await build_world(s, named_on=date(2024, 3, 10))  # its studio is named: its lead is not asked
    async with sessions() as s, s.begin():
        applying = await person(s, "申报中")
        refused = await person(s, "已落选")
        fresh = await person(s, "可申报")
        district = await s.get(Union, w.district.id)
        assert district is not None
        for who, name in ((applying, "申报中工作室"), (refused, "落选工作室"), (fresh, "新工作室")):
            studio = await org.create_studio(session=s, name=name, union=district)
            await org.grant_role(session=s, person=who, kind=RoleKind.LEAD, studio=studio)
    async with sessions() as s, s.begin():
        await window_set(s, 2027, date(2027, 5, 1), date(2027, 6, 30))
        await _application(s, "申报中工作室", "submitted", local_at(date(2027, 5, 3), 10))
        await _application(s, "落选工作室", "rejected", local_at(date(2027, 5, 4), 10))

    async def window_people(day: date) -> set[int]:
        async with sessions() as s, s.begin():
            result = await plan(session=s, config=CONFIG, now=local_at(day, 10))
        return {p.person_id for p in result.new if p.topic == "window"}

    assert await window_people(date(2027, 3, 2)) == set()  # the default window's dates no longer count for 2027
    assert await window_people(date(2027, 5, 6)) == {fresh.id, w.reviewer.id, w.officer.id}
    next_year = await window_people(date(2028, 3, 2))
    assert refused.id in next_year  # turned down in 2027: the 2028 window is a new chance
    assert w.lead.id not in next_year and applying.id not in next_year  # still named; still under way
    async with sessions() as s, s.begin():
        await s.execute(update(Studio).where(Studio.id == w.studio.id).values(status=StudioStatus.PROSPECTIVE))
    assert await window_people(date(2028, 3, 3)) == {w.lead.id}


async def test_an_application_in_january_belongs_to_the_batch_its_window_opened(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    cast = await make_cast(World(sessions, at("2027-01-10 10:00"), application_window="11-01..01-31"))
    await ready_to_apply(cast)
    await apply(cast.lead)
    cast.lead.expect("✅ 申报已提交（编号 #1）")
    async with sessions() as s:
        app = await s.scalar(select(Application))
    assert app is not None and app.year == 2026
    await cast.association.say("年度申报 2026")
    cast.association.expect("📋 2026 年度申报（1 份", "王建国技师创新工作室")
