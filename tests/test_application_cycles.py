"""End of the management cycle (第十条): 表彰 / 保留 open the next cycle, 不再保留 removes the title, history stays."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import AuditLog, Cycle, CycleResult, RoleKind, Studio, StudioStatus
from tests.reviews_support import Cast, World, approve_all, at, make_cast


async def _cast(sessions: async_sessionmaker[AsyncSession], now: str = "2026-03-10 10:00") -> Cast:
    return await make_cast(World(sessions, at(now)), named_on=date(2023, 3, 20))  # cycle 1 ends 2026-03-19


async def _cycles(sessions: async_sessionmaker[AsyncSession], studio_id: int) -> list[Cycle]:
    async with sessions() as s:
        return list(await s.scalars(select(Cycle).where(Cycle.studio_id == studio_id).order_by(Cycle.number)))


async def test_retained_opens_the_next_cycle_and_everyone_is_told(sessions: async_sessionmaker[AsyncSession]) -> None:
    cast = await _cast(sessions)
    zhang = cast.association
    await zhang.say("考核结论")
    zhang.expect("为哪个工作室录入考核结论？")
    await zhang.press("王建国技师创新工作室（第1周期，至 2026-03-19）")
    zhang.expect_buttons("表彰奖励", "保留称号", "不再保留称号")
    await zhang.press("保留称号")
    await zhang.say("组织健全，活动正常，成果较好")
    zhang.expect("请核对周期考核结论", "结论：保留称号")
    await zhang.press("提交")
    zhang.expect("第1管理周期考核结论：保留称号", "新的管理周期：2026-03-20 至 2029-03-19")
    cycles = await _cycles(sessions, cast.studio.id)
    assert [(c.number, c.result, c.starts_on, c.ends_on) for c in cycles] == [
        (1, CycleResult.RETAINED, date(2023, 3, 20), date(2026, 3, 19)),
        (2, None, date(2026, 3, 20), date(2029, 3, 19)),
    ]
    assert cycles[0].reason == "组织健全，活动正常，成果较好" and cycles[0].assessed_by_id == zhang.person.id
    await cast.world.deliver()
    for party in (cast.lead, cast.members[2], cast.reviewer):
        assert "保留称号" in party.pushed() and "2026-03-20 至 2029-03-19" in party.pushed()
    await zhang.say("考核结论")
    zhang.expect("目前没有需要录入考核结论的工作室（周期结束前 180 天内才可录入）。")


async def test_commended(sessions: async_sessionmaker[AsyncSession]) -> None:
    cast = await _cast(sessions)
    await cast.association.say("周期考核")
    await cast.association.press("王建国技师创新工作室")
    await cast.association.press("表彰奖励")
    await cast.association.say("成果显著，带徒晋升技师 5 人")
    await cast.association.press("提交")
    cast.association.expect("考核结论：表彰奖励")
    cycles = await _cycles(sessions, cast.studio.id)
    assert [c.result for c in cycles] == [CycleResult.COMMENDED, None]


async def test_not_retained_removes_the_title_and_the_history_stays_readable(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    cast = await _cast(sessions)
    await cast.world.entry(cast.studio, cast.lead)
    await approve_all(cast.world)
    await cast.association.say("考核结论")
    await cast.association.press("王建国技师创新工作室")
    await cast.association.press("不再保留称号")
    await cast.association.say("三年未开展活动，台账缺失")
    await cast.association.press("提交")
    cast.association.expect("不再保留“上海市技师创新工作室”称号", "台账和历史记录仍可查阅")
    async with sessions() as s:
        studio = await s.get(Studio, cast.studio.id)
        trail = [(r.object_type, r.from_state, r.to_state, r.reason) for r in await s.scalars(select(AuditLog))]
    assert studio is not None and studio.status is StudioStatus.NOT_RETAINED and studio.named_on == date(2023, 3, 20)
    assert ("cycle", "open", "not_retained", "三年未开展活动，台账缺失") in trail
    assert ("studio", "named", "not_retained", "三年未开展活动，台账缺失") in trail
    assert [c.result for c in await _cycles(sessions, cast.studio.id)] == [CycleResult.NOT_RETAINED]
    await cast.world.deliver()
    assert "不再保留" in cast.lead.pushed()
    await cast.lead.say("我的台账")
    cast.lead.expect("数控车床刀具寿命攻关讨论")


async def test_only_the_association_records_a_verdict(sessions: async_sessionmaker[AsyncSession]) -> None:
    cast = await _cast(sessions)
    for party in (cast.reviewer, cast.lead, cast.admin, cast.experts[0], cast.stranger):
        await party.say("考核结论")
        party.expect("只有市职工技协的审核人可以录入周期考核结论。")
    assert [c.result for c in await _cycles(sessions, cast.studio.id)] == [None]


async def test_a_cycle_far_from_its_end_is_not_due(sessions: async_sessionmaker[AsyncSession]) -> None:
    cast = await _cast(sessions, now="2025-03-10 10:00")  # a year before the end
    await cast.association.say("考核结论")
    cast.association.expect("目前没有需要录入考核结论的工作室")


async def test_two_verdicts_on_one_cycle_leave_the_first(sessions: async_sessionmaker[AsyncSession]) -> None:
    cast = await _cast(sessions)
    second = await cast.world.person("赵六", RoleKind.ASSOCIATION, union=cast.city)
    for party, result, reason in ((cast.association, "保留称号", "合格"), (second, "不再保留称号", "不合格")):
        await party.say("考核结论")
        await party.press("王建国技师创新工作室")
        await party.press(result)
        await party.say(reason)
    await cast.association.press("提交")
    await second.press("提交")
    second.expect("第1周期的考核结论已经录入过了，未作改动。", "不合格")
    cycles = await _cycles(sessions, cast.studio.id)
    assert [c.result for c in cycles] == [CycleResult.RETAINED, None]
