"""履历 / history in chat: the audit trail for the lead and the studio's overseers, refused to everybody else."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.reviews_support import World, at, make_cast


async def test_the_trail_in_chat_and_who_may_read_it(sessions: async_sessionmaker[AsyncSession]) -> None:
    cast = await make_cast(World(sessions, at("2026-03-10 10:00")))
    await cast.lead.log_activity()
    await cast.world.deliver()
    await cast.reviewer.press_in("退回")
    await cast.reviewer.say("请补充照片")
    await cast.reviewer.press("提交")

    await cast.lead.say("履历")
    cast.lead.expect(
        "王建国技师创新工作室 的审计记录（共 2 条，显示最近 2 条）：",
        "3月10日 10:00 王建国：台账 #1「数控车床刀具寿命攻关讨论」 已提交",
        "3月10日 10:00 李四：台账 #1「数控车床刀具寿命攻关讨论」 已提交 → 已退回（原因：请补充照片）",
    )
    await cast.reviewer.say("履历 王建国技师创新工作室")
    cast.reviewer.expect("共 2 条")
    await cast.admin.say("/history 王建国技师创新工作室")
    cast.admin.expect("共 2 条")
    for party in (cast.outsider, cast.members[0], cast.experts[0], cast.stranger):
        await party.say("履历 王建国技师创新工作室")
        party.expect("您没有查看这个工作室审计记录的权限。")
    await cast.reviewer.say("履历 不存在的工作室")
    cast.reviewer.expect("没有名为“不存在的工作室”的工作室。")
    await cast.reviewer.say("履历")
    cast.reviewer.expect("请发送：履历 工作室名称")
