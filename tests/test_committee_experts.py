"""Independent, blind expert review (第六条): recusal told to nobody but the association, no score before one's own."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.health.data import Limits, check_data
from storage.models import RoleKind
from tests.reviews_support import Cast, Party, World, apply, at, make_cast, ready_to_apply, recommend

SHEETS = {
    "陈教授": ("18 16 25 17 8", "材料翔实，成果应用充分"),
    "刘总工": ("17 15 24 16 9", "跳过"),
    "周高工": ("19 17 27 18 9", "跳过"),
}


async def _reviewed(cast: Cast) -> None:
    """Apply, recommend, and pass the association's 审核: the application goes to the experts."""
    await ready_to_apply(cast)
    await apply(cast.lead)
    await cast.world.deliver()
    await recommend(cast.reviewer)
    await cast.world.deliver()
    await cast.association.press_in("审核通过")


async def _score(expert: Party) -> None:
    sheet, comment = SHEETS[expert.name]
    await expert.press_in("评分")
    await expert.say(sheet)
    await expert.say(comment)
    await expert.press("提交")


async def _tied_experts(cast: Cast) -> dict[str, Party]:
    """Experts of the association each tied to the studio another way, and one expert of a district union."""
    world = cast.world
    neighbour = await world.studio("浦东机械厂工作室", cast.district, enterprise="浦东机械厂")
    tied = {
        # of another enterprise whose studios are under 浦东, the studio's district
        "district": await world.person("马总工", RoleKind.EXPERT, union=cast.city, enterprise="浦东机械厂"),
        # a member of the studio itself
        "member": await world.person("钱技师", RoleKind.EXPERT, union=cast.city, enterprise="上海交通大学"),
        # who also reviews for 浦东 (their own district union)
        "union": await world.person("冯高工", RoleKind.EXPERT, union=cast.city, enterprise="华东理工大学"),
        # holding an expert role on a district union: not on the association's committee
        "outside": await world.person("何专家", RoleKind.EXPERT, union=cast.other_district, enterprise="复旦大学"),
    }
    await world.grant(tied["member"], RoleKind.MEMBER, studio=cast.studio)
    await world.grant(tied["union"], RoleKind.REVIEWER, union=cast.district)
    assert neighbour.union_id == cast.district.id
    return tied


async def test_a_recused_expert_is_told_nothing_and_the_association_sees_who_and_why(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    cast = await make_cast(World(sessions, at("2026-03-10 10:00")))
    tied = await _tied_experts(cast)
    await _reviewed(cast)
    cast.association.expect(
        "审核通过，已请专家评审",
        "回避（未通知本人）：吴专家（与工作室同一企业）、马总工（同属浦东新区总工会）、钱技师（本工作室成员）、"
        "冯高工（同属浦东新区总工会）",
    )
    cast.association.expect_not("何专家")  # not of the committee: neither asked nor standing aside
    await cast.world.deliver()

    for expert in cast.experts:
        assert "请为这份申报评分" in expert.pushed()
        assert "专家评分：已收到 0/3 份" in expert.pushed()
    for party in (cast.conflicted, *tied.values()):
        assert "评分" not in party.pushed(), f"{party.name} was told: {party.pushed()}"
        await party.say("待审")
        party.expect_not("王建国技师创新工作室")
    await cast.conflicted.say("待审")
    cast.conflicted.expect("目前没有等待您处理的事项")
    assert "王建国技师创新工作室" not in tied["union"].text  # 待审 as 浦东's reviewer lists no application to score

    # a score button reaching a tied expert anyway is refused, and nothing is recorded
    card = cast.experts[0].inbox[-1]
    await tied["district"].press_button(card.all_buttons()[0])
    tied["district"].expect("您不是可为该工作室评分的评审专家", "同区县局或企业工会")


async def test_an_expert_sees_no_other_score_before_giving_their_own(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    cast = await make_cast(World(sessions, at("2026-03-10 10:00")))
    await _reviewed(cast)
    await cast.world.deliver()
    first, second = cast.experts[0], cast.experts[1]
    await _score(first)
    first.expect("✅ 已收到您对 王建国技师创新工作室 的评分，总分 84")

    await second.say("待审")
    await second.press("王建国")
    second.expect("专家评分：已收到 1/3 份")
    second.expect_not("平均", "84", "材料翔实")
    opened = second.turn.replies[-1]
    await _score(second)
    await second.press_button(next(b for b in opened.all_buttons() if "评分" in b.label))
    second.expect("您已为这份申报评过分（总分 81）")

    await cast.association.say("待审")
    await cast.association.press("王建国")
    cast.association.expect(
        "专家评分：已收到 2/3 份，平均 82.5 分",
        "各位专家的评分（2 份，仅市职工技协可见）：",
        "· 陈教授：84 分（技师领衔：领衔人的技术专长与创新能力 18；",
        "；评语：材料翔实，成果应用充分",
        "· 刘总工：81 分（",
        "回避（未通知本人）：吴专家（与工作室同一企业）",
    )

    # the sheet that completes the panel closes it: the association decides 公示 with every sheet before it
    await _score(cast.experts[2])
    await cast.world.deliver()
    card = cast.association.inbox[-1].text
    assert "专家评审已完成" in card and "各位专家的评分（3 份，仅市职工技协可见）：" in card
    assert "· 陈教授：84 分（" in card and "；评语：材料翔实，成果应用充分" in card and "· 周高工：90 分（" in card


async def test_the_studio_history_names_no_expert(sessions: async_sessionmaker[AsyncSession]) -> None:
    cast = await make_cast(World(sessions, at("2026-03-10 10:00")))
    await _reviewed(cast)
    await cast.world.deliver()
    await _score(cast.experts[0])
    await cast.lead.say("履历")
    cast.lead.expect("评审专家（不公开）")
    cast.lead.expect_not("陈教授")
    await cast.association.say("履历 王建国技师创新工作室")
    cast.association.expect("陈教授")


async def test_an_out_of_range_score_names_its_item_in_english(sessions: async_sessionmaker[AsyncSession]) -> None:
    cast = await make_cast(World(sessions, at("2026-03-10 10:00")))
    english = await cast.world.person("Dr Smith", RoleKind.EXPERT, union=cast.city, enterprise="MIT", locale="en")
    await _reviewed(cast)
    await cast.world.deliver()
    await english.press_in("Score")
    await english.say("18 16 25 21 8")
    english.expect("Score 21 for item 4, “Activities: ongoing mass innovation and its results”, is out of range")
    english.expect("from 0 to 20")


async def test_doctor_counts_only_the_association_experts(sessions: async_sessionmaker[AsyncSession]) -> None:
    cast = await make_cast(World(sessions, at("2026-03-10 10:00")))
    for name in ("区专家甲", "区专家乙", "区专家丙"):  # expert roles on a district union: no committee members
        await cast.world.person(name, RoleKind.EXPERT, union=cast.district)
    limits = Limits(now=cast.world.now, tz=cast.world.config.tz, review_working_days=3, experts_needed=6)
    async with sessions() as session:
        found = {f.code: f for f in await check_data(session, limits)}
    # the cast's four experts are on the association; the three district ones are not counted
    assert found["experts.too_few"].params["have"] == 4
