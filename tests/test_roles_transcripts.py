"""Each role of the measures at each stage, as people see it, and the stages nobody can act on."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Role, RoleKind, UnionLevel
from tests.reviews_support import Cast, Party, World, apply, at, make_cast, ready_to_apply, recommend


async def _cast(sessions: async_sessionmaker[AsyncSession], **kw: date) -> Cast:
    return await make_cast(World(sessions, at("2026-03-10 10:00")), **kw)


async def _step_down(cast: Cast, *parties: Party) -> None:
    """These people's roles are taken back (as `role deactivate` does)."""
    async with cast.world.sessions() as s, s.begin():
        ids = [p.person.id for p in parties]
        await s.execute(update(Role).where(Role.person_id.in_(ids)).values(active=False))


async def test_the_association_decides_and_the_system_admin_is_told_who_can(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    cast = await _cast(sessions)
    world, zhang = cast.world, cast.association
    admin = await world.person("郑系统", RoleKind.ADMIN, union=cast.city)
    await ready_to_apply(cast)
    await apply(cast.lead)
    await world.deliver()
    await recommend(cast.reviewer)
    await world.deliver()
    assert not admin.inbox  # the system admin is not asked to decide
    card = zhang.inbox[-1]
    await admin.press_button(card.all_buttons()[0])
    admin.expect("只有市职工技协的审核人可以审核申报。")
    await admin.say("待审")
    admin.expect("待审列表只对区县局（产业）工会审核人、市职工技协审核人和评审专家开放")
    await zhang.say("待审")
    zhang.expect("王建国技师创新工作室")
    await zhang.press_in("审核通过", card)
    zhang.expect("审核通过，已请专家评审")


async def test_after_recommendation_with_no_association_officer_the_district_is_told_at_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    cast = await _cast(sessions)
    world = cast.world
    admin = await world.person("Admin Zheng", RoleKind.ADMIN, union=cast.city, locale="en")
    await _step_down(cast, cast.association)
    await ready_to_apply(cast)
    await apply(cast.lead)
    await world.deliver()
    await recommend(cast.reviewer)
    cast.reviewer.expect(
        "👍 已推荐 王建国技师创新工作室",
        "⚠️ 市职工技协目前没有审核人，王建国技师创新工作室的申报（待市职工技协审核）暂时无人处理。",
        "已通知系统管理员安排。",
    )
    await world.deliver()
    assert "但市职工技协目前没有审核人，无人可以审核、公示或命名" in cast.reviewer2.pushed()
    assert (  # each in their own language, the stalled item's name too
        "⚠️ the application (waiting for the association's review) of 王建国技师创新工作室 waits for the association"
        in admin.pushed()
    )
    assert "--role association" in admin.pushed() and "--role association" in cast.reviewer2.pushed()
    assert "没有审核人" not in cast.reviewer.pushed()  # the one who pressed read it in the answer


async def test_an_application_in_a_district_without_reviewer_is_reported_to_the_association(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    cast = await _cast(sessions)
    world = cast.world
    admin = await world.person("郑系统", RoleKind.ADMIN, union=cast.city)
    await _step_down(cast, cast.reviewer, cast.reviewer2)
    await ready_to_apply(cast)
    await apply(cast.lead)
    cast.lead.expect(
        "✅ 申报已提交（编号 #1），等待 浦东新区总工会 推荐",
        "⚠️ 浦东新区总工会目前没有可以处理的审核人，申报（待推荐）暂时无人处理。",
    )
    await world.deliver()
    for told in (cast.association, admin):
        assert "王建国技师创新工作室的申报（待推荐）在等待浦东新区总工会处理" in told.pushed()
        assert "studio-bot invite --union 浦东新区总工会 --role reviewer" in told.pushed()

    # a ledger entry logged the same day: its author is told; the association, once a day, not again
    before = len(cast.association.inbox)
    await cast.members[0].log_activity()
    await world.deliver()
    assert "浦东新区总工会目前没有可以处理的审核人，台账（待复核）暂时无人处理" in cast.members[0].pushed()
    assert len(cast.association.inbox) == before


async def test_with_a_reviewer_in_place_nothing_is_reported(sessions: async_sessionmaker[AsyncSession]) -> None:
    cast = await _cast(sessions)
    await ready_to_apply(cast)
    await apply(cast.lead)
    cast.lead.expect_not("⚠️")
    await cast.world.deliver()
    assert "没有审核人" not in cast.association.pushed() + cast.reviewer.pushed()


async def test_the_enterprise_union_reads_its_studios_and_decides_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    cast = await _cast(sessions, named_on=date(2025, 1, 1))
    world = cast.world
    contact = await world.person("电气工会联络人", RoleKind.ENTERPRISE, union=cast.enterprise_union)
    other_firm = await world.union("上海机床厂工会", UnionLevel.ENTERPRISE, cast.district)
    await world.studio("机床厂工作室", other_firm, enterprise="上海机床厂", named_on=date(2025, 1, 1))
    await cast.members[0].log_activity()
    await world.deliver()
    assert not contact.inbox  # entries are not theirs to review

    await contact.say("导出 王建国技师创新工作室")
    contact.expect("台账已导出")
    await contact.say("考核 王建国技师创新工作室")
    contact.expect("第 1 个管理周期考核")
    await contact.say("考核 全部")
    contact.expect("“上海电气集团工会”所属工作室考核排名", "王建国技师创新工作室")
    contact.expect_not("机床厂工作室")
    await contact.say("履历 王建国技师创新工作室")
    contact.expect("王建国技师创新工作室")
    await contact.say("导出 机床厂工作室")
    contact.expect("您没有导出这个工作室台账的权限。可以导出的是：领衔人、所属企业工会")

    card = cast.reviewer.inbox[-1]
    await contact.press_button(card.all_buttons()[0])
    contact.expect("不能复核这条台账", "复核由工作室所属区县局（产业）工会的审核人负责")
    await contact.say("待审")
    contact.expect("待审列表只对区县局（产业）工会审核人、市职工技协审核人和评审专家开放")


async def test_the_association_officer_names_a_stand_in_who_then_decides(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    cast = await _cast(sessions)
    world, zhang = cast.world, cast.association
    stand_in = await world.person("郑系统", RoleKind.ADMIN, union=cast.city)
    await zhang.say("委托 郑系统 3月20日")
    zhang.expect("郑系统 从今天到 2026-03-20 代您审核")
    await ready_to_apply(cast)
    await apply(cast.lead)
    await world.deliver()
    await recommend(cast.reviewer)
    await world.deliver()
    card = stand_in.inbox[-1]
    assert "待市职工技协审核" in card.text
    await stand_in.press_in("审核通过", card)
    stand_in.expect("审核通过，已请专家评审")


async def test_a_district_whose_only_reviewer_belongs_to_the_studio_is_reported_too(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    cast = await _cast(sessions)
    world = cast.world
    insider = await world.person("兼任审核员", RoleKind.REVIEWER, union=cast.district)
    await world.grant(insider, RoleKind.MEMBER, studio=cast.studio)
    await _step_down(cast, cast.reviewer, cast.reviewer2)
    await cast.members[0].log_activity()
    await world.deliver()
    assert not insider.inbox  # nobody reviews their own studio
    assert "浦东新区总工会目前没有可以处理的审核人，台账（待复核）暂时无人处理" in cast.members[0].pushed()
    assert "没有可以处理的审核人（本工作室的成员需回避）" in cast.association.pushed()
