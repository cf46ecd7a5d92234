"""第三条 as the measures say: activities count, only approved outcomes qualify, 原则上 admits exceptions."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import (
    Application,
    ApplicationStage,
    AuditLog,
    ConditionAdmission,
    EntryStatus,
    LedgerEntry,
    LedgerKind,
    Person,
    Role,
    RoleKind,
)
from tests.reviews_support import (
    ONE_EXPERT,
    Cast,
    World,
    apply,
    approve_all,
    at,
    log_activities,
    make_cast,
    ready_to_apply,
)


@pytest.fixture
async def cast(sessions: async_sessionmaker[AsyncSession], tmp_path: Path) -> Cast:
    sheet = tmp_path / "expert_rubric.toml"
    sheet.write_text(ONE_EXPERT, encoding="utf-8")
    return await make_cast(World(sessions, at("2026-03-10 10:00"), expert_rubric_file=sheet))


async def _stages(cast: Cast) -> list[ApplicationStage]:
    async with cast.world.sessions() as s:
        return list(await s.scalars(select(Application.stage).order_by(Application.id)))


async def test_a_studio_without_approved_activities_of_the_last_year_cannot_apply(cast: Cast) -> None:
    await cast.world.entry(cast.studio, cast.lead, LedgerKind.OUTCOME)
    await log_activities(cast.world, cast.studio, cast.lead, 2)
    await approve_all(cast.world)
    await log_activities(cast.world, cast.studio, cast.lead, 4)  # logged, still waiting for the district
    await cast.lead.say("申报")
    cast.lead.expect("1. 需坚持开展创新活动：近 12 个月内经审核通过的活动至少 6 次（当前 2 次）")
    cast.lead.expect_not("原则上")  # 第三条(4) is no 原则上 condition: nobody may waive it
    assert await _stages(cast) == []

    await approve_all(cast.world)
    await cast.lead.say("申报")
    cast.lead.expect("活动场所")


async def test_the_number_of_activities_is_a_setting(sessions: async_sessionmaker[AsyncSession]) -> None:
    cast = await make_cast(World(sessions, at("2026-03-10 10:00"), application_min_activities=2))
    await cast.world.entry(cast.studio, cast.lead, LedgerKind.OUTCOME)
    await log_activities(cast.world, cast.studio, cast.lead, 1)
    await approve_all(cast.world)
    await cast.lead.say("申报")
    cast.lead.expect("至少 2 次（当前 1 次）")
    await log_activities(cast.world, cast.studio, cast.lead, 2)
    await approve_all(cast.world)
    await cast.lead.say("申报")
    cast.lead.expect("活动场所")


async def test_an_outcome_waiting_for_review_does_not_qualify_and_is_shown_as_waiting(cast: Cast) -> None:
    await log_activities(cast.world, cast.studio, cast.lead, 6)
    await approve_all(cast.world)
    await cast.world.entry(cast.studio, cast.lead, LedgerKind.OUTCOME)  # submitted, not yet approved
    await cast.lead.say("申报")
    cast.lead.expect(
        "1. 需有已应用于生产、并获“上海职工(技师)创新项目资助”的创新成果",
        "（“焊接夹具快换装置” 尚待复核，复核通过后才计入）",
    )
    assert await _stages(cast) == []


async def test_a_cited_outcome_still_waiting_is_marked_on_the_card(cast: Cast) -> None:
    await ready_to_apply(cast)
    await cast.world.entry(cast.studio, cast.lead, LedgerKind.OUTCOME, title="新型刀具涂层")  # waiting
    await cast.lead.say("申报")
    await cast.lead.say("二号车间创新室")
    await cast.lead.say("数控车床 3 台")
    cast.lead.expect_buttons("焊接夹具快换装置", "新型刀具涂层（待复核）")
    await cast.lead.press("新型刀具涂层（待复核）")
    await cast.lead.press("完成")
    await cast.lead.say("坚持每月开展技术交流")
    await cast.lead.say("跳过")
    await cast.lead.say("提交")
    cast.lead.expect("还差 1 项", "尚待复核")  # the waiting one alone does not qualify: kept as a draft
    assert await _stages(cast) == [ApplicationStage.DRAFT]

    await cast.lead.press("修改")
    await cast.lead.press("创新成果")
    await cast.lead.press("焊接夹具快换装置")
    await cast.lead.press("完成")
    await cast.lead.press("提交")
    cast.lead.expect("✅ 申报已提交")
    await cast.world.deliver()
    assert "创新成果：焊接夹具快换装置；新型刀具涂层（待复核，尚不计入）" in cast.reviewer.pushed()


async def test_the_association_admits_a_team_short_of_three_with_a_reason(cast: Cast) -> None:
    await ready_to_apply(cast)
    async with cast.world.sessions() as s, s.begin():
        role = await s.scalar(select(Role).where(Role.person_id == cast.members[2].person.id))
        assert role is not None
        role.active = False  # two members left
    await cast.lead.say("申报")
    cast.lead.expect(
        "除领衔人外需有 3 名以上团队成员（当前 2 名）",
        "第三条第 1、2 项是“原则上”的要求：确有特殊情况的，可请市职工技协核准例外。",
    )

    contact = await cast.world.person("电气工会联络人", RoleKind.ENTERPRISE, union=cast.enterprise_union)
    # a district reviewer, an expert, the studio itself, its enterprise union, a system admin
    for party in (cast.reviewer, cast.experts[0], cast.lead, contact, cast.admin):
        await party.say("核准例外 王建国技师创新工作室")
        party.expect("只有市职工技协可以核准例外。")
    await cast.association.say("核准例外 不存在的工作室")
    cast.association.expect("不存在的工作室")
    await cast.association.say("核准例外 王建国技师创新工作室")
    cast.association.expect("核准哪一项“原则上”的条件？")
    cast.association.expect_buttons("领衔人为技师或高级技师", "3 名以上团队成员")
    await cast.association.press("3 名以上团队成员")
    await cast.association.say("该工作室为新建的特种焊接团队，第三名成员已在调入流程中")
    await cast.association.press("提交")
    cast.association.expect(
        "✅ 已核准：王建国技师创新工作室 2026 年申报时“3 名以上团队成员”一项按例外处理。"
        "理由：该工作室为新建的特种焊接团队，第三名成员已在调入流程中"
    )
    await cast.world.deliver()
    assert "市职工技协已核准：王建国技师创新工作室 2026 年申报时“3 名以上团队成员”一项按例外处理" in (
        cast.lead.pushed()
    )

    await cast.association.say("核准例外 王建国技师创新工作室")
    await cast.association.press("3 名以上团队成员")
    await cast.association.say("再次核准")
    await cast.association.press("提交")
    cast.association.expect("已经核准过例外，无需再次核准")

    await apply(cast.lead)
    cast.lead.expect("✅ 申报已提交（编号 #1）")
    async with cast.world.sessions() as s:
        rows = list(await s.scalars(select(ConditionAdmission)))
        assert [(r.condition, r.year, r.admitted_by_id) for r in rows] == [("team", 2026, cast.association.person.id)]
        audit = await s.scalar(select(AuditLog).where(AuditLog.to_state == "admitted"))
        assert audit is not None and audit.reason == "该工作室为新建的特种焊接团队，第三名成员已在调入流程中"
        assert audit.detail == {"condition": "team", "year": 2026}
    await cast.lead.say("履历")
    cast.lead.expect("张三", "核准例外", "第三名成员已在调入流程中")


async def test_an_admission_holds_for_its_year_only(cast: Cast) -> None:
    await ready_to_apply(cast)
    async with cast.world.sessions() as s, s.begin():
        s.add(ConditionAdmission(studio_id=cast.studio.id, condition="lead", year=2025, reason="去年的例外"))
        lead = await s.get(Person, cast.lead.person.id)
        assert lead is not None
        lead.grade = "高级工"
    await cast.lead.say("申报")
    cast.lead.expect("领衔人需为技师或高级技师（当前等级：高级工）")


async def test_only_approved_entries_are_evidence_of_the_activities(cast: Cast) -> None:
    await cast.world.entry(cast.studio, cast.lead, LedgerKind.OUTCOME)
    await log_activities(cast.world, cast.studio, cast.lead, 6)
    async with cast.world.sessions() as s, s.begin():
        for entry in await s.scalars(select(LedgerEntry)):
            entry.status = EntryStatus.APPROVED if entry.kind is LedgerKind.OUTCOME else EntryStatus.REJECTED
    await cast.lead.say("申报")
    cast.lead.expect("（当前 0 次）")
    assert await _stages(cast) == []
