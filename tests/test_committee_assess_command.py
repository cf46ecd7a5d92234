"""考核 for an expert of the committee: what waits for their score (the cycle's card, or a list to pick from),
instead of "no permission" for the very studio they were asked to score; nothing before a cycle ends."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import UnionLevel
from tests.reviews_support import Cast, World, at, make_cast

CARD = "“王建国技师创新工作室”第 1 个管理周期考核（2023-03-20 至 2026-03-19）"
NONE = "目前没有等待您评分的考核验收。"


async def _cast(sessions: async_sessionmaker[AsyncSession], now: str) -> Cast:
    return await make_cast(World(sessions, at(now)), named_on=date(2023, 3, 20))


async def test_an_expert_asked_to_score_a_cycle_finds_it_under_kaohe(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    cast = await _cast(sessions, "2026-03-25 10:00")
    chen = cast.experts[0]
    for asked in ("考核", "考核 王建国", "考核 全部"):
        await chen.say(asked)
        chen.expect(CARD, "专家评分：已收到 0/3 份")
        chen.expect_buttons("评分")
    await chen.press("评分")
    await chen.say("15 20 15 25")
    await chen.say("跳过")
    await chen.press("提交")
    await chen.say("考核")
    chen.expect(CARD, "专家评分：已收到 1/3 份，平均 75.0 分")  # their own sheet in: the card they read in 待审
    assert not [label for label in chen.buttons if "评分" in label]  # scored once: no second sheet offered

    # of the studio's enterprise: neither shown it nor told it exists
    await cast.conflicted.say("考核 王建国技师创新工作室")
    cast.conflicted.expect("没有等待您评分的“王建国技师创新工作室”考核验收")
    cast.conflicted.expect_not("第 1 个管理周期考核")
    await cast.conflicted.say("考核")
    cast.conflicted.expect(NONE)


async def test_several_cycles_are_listed_to_pick_from(sessions: async_sessionmaker[AsyncSession]) -> None:
    cast = await _cast(sessions, "2026-03-25 10:00")
    factory = await cast.world.union("上海机床厂工会", UnionLevel.ENTERPRISE, cast.other_district)
    await cast.world.studio("李明技师创新工作室", factory, enterprise="上海机床厂", named_on=date(2023, 3, 1))
    chen = cast.experts[0]
    await chen.say("考核")
    chen.expect(
        "考核验收（2 个管理周期在专家评分中），请选择查看：",
        "1. 考核 李明技师创新工作室 第 1 周期（至 2026-02-28）· 待专家评分",
        "2. 考核 王建国技师创新工作室 第 1 周期（至 2026-03-19）· 待专家评分",
    )
    await chen.press("2. 王建国")
    chen.expect(CARD)
    # 周高工 works at 上海机床厂: stands aside for 李明's studio, sees only 王建国's
    await cast.experts[2].say("考核")
    cast.experts[2].expect(CARD)


async def test_before_the_cycle_ends_an_expert_is_told_when_scoring_opens(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    cast = await _cast(sessions, "2026-03-10 10:00")
    await cast.experts[0].say("考核 王建国")
    cast.experts[0].expect("没有等待您评分的“王建国”考核验收", "管理周期结束、考核数据冻结后")
    cast.experts[0].expect_not(CARD)
    await cast.lead.say("考核")  # the lead's own 考核 is as it was
    cast.lead.expect("“王建国技师创新工作室”第 1 个管理周期考核")
