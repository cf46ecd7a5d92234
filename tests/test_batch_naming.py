"""The year as a batch (issue 17, item 5): the association compares the year's applications side by side,
ranked by the experts' average (择优), names a batch at once, and the naming list of the year is kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core.types import Reply
from handlers.lifecycle.documents import lists
from storage.models import Application, ApplicationStage, AuditLog, LedgerKind, RoleKind, Studio, StudioStatus
from storage.repos import naming
from tests.reviews_support import (
    ONE_EXPERT,
    Cast,
    Party,
    World,
    apply,
    approve_all,
    at,
    log_activities,
    make_cast,
    ready_to_apply,
    recommend,
)


@pytest.fixture
async def cast(sessions: async_sessionmaker[AsyncSession], tmp_path: Path) -> Cast:
    sheet = tmp_path / "expert_rubric.toml"
    sheet.write_text(ONE_EXPERT, encoding="utf-8")
    return await make_cast(World(sessions, at("2026-03-10 10:00"), expert_rubric_file=sheet))


async def _second_studio(cast: Cast) -> Party:
    """Another studio of the same district, ready to apply; its lead."""
    world = cast.world
    studio = await world.studio("李明技师创新工作室", cast.enterprise_union, enterprise="上海机床厂")
    lead = await world.person("李明", RoleKind.LEAD, studio=studio, grade="技师", enterprise="上海机床厂")
    for name in ("周一", "吴二", "郑三"):
        await world.person(name, RoleKind.MEMBER, studio=studio, enterprise="上海机床厂")
    await world.entry(studio, lead, LedgerKind.OUTCOME, title="刀具寿命在线监测")
    await log_activities(world, studio, lead, world.config.application_min_activities)
    await approve_all(world)
    return lead


def _card(party: Party, label: str, studio: str) -> Reply:
    return next(r for r in reversed(party.inbox) if studio in r.text and any(label in b.label for b in r.all_buttons()))


async def _through_the_notice(cast: Cast, studio: str, score: str, opinion: str) -> None:
    await cast.world.deliver()
    await recommend(cast.reviewer, _card(cast.reviewer, "推荐", studio), opinion)
    await cast.world.deliver()
    await cast.association.press_in("审核通过", _card(cast.association, "审核通过", studio))
    await cast.world.deliver()
    expert = cast.experts[0]
    await expert.press_in("评分", _card(expert, "评分", studio))
    await expert.say(score)
    await expert.say("跳过")
    await expert.press("提交")
    await cast.world.deliver()
    await cast.association.press_in("启动公示", _card(cast.association, "启动公示", studio))


async def test_the_association_ranks_the_year_and_names_a_batch(cast: Cast) -> None:
    await ready_to_apply(cast)
    li_ming = await _second_studio(cast)
    await apply(cast.lead)
    await li_ming.say("申报")
    for answer in ("一号车间创新角", "检测台 2 台"):
        await li_ming.say(answer)
    await li_ming.press("刀具寿命")
    await li_ming.press("完成")
    await li_ming.say("每季度开展刀具攻关，节约成本 30 万元")
    await li_ming.say("跳过")
    await li_ming.say("提交")
    li_ming.expect("✅ 申报已提交（编号 #2）")

    zhang = cast.association
    await zhang.say("年度申报")
    zhang.expect(
        "📋 2026 年度申报（2 份，按专家平均分择优排序）",
        "· #1 王建国技师创新工作室（浦东新区总工会）｜待推荐｜第三条：符合｜专家：-｜推荐意见：-",
    )
    zhang.expect_not("批量命名")
    await _through_the_notice(cast, "王建国技师创新工作室", "78", "成果转化好，同意推荐")
    await _through_the_notice(cast, "李明技师创新工作室", "91", "攻关成效突出，同意推荐")
    await zhang.say("年度申报 2026")
    zhang.expect(
        "1. #2 李明技师创新工作室（浦东新区总工会）｜公示中｜第三条：符合｜专家：平均 91.0 分（1 份）"
        "｜推荐意见：攻关成效突出，同意推荐",
        "2. #1 王建国技师创新工作室（浦东新区总工会）｜公示中｜第三条：符合｜专家：平均 78.0 分（1 份）",
    )
    zhang.expect_not("可以命名")
    await zhang.say("批量命名")
    zhang.expect("2026 年度目前没有可以命名的申报（须公示期满且异议都已处理）。")

    contact = await cast.world.person("企业联络人", RoleKind.ENTERPRISE, union=cast.enterprise_union)
    for party in (cast.reviewer, cast.lead, cast.experts[0], cast.admin, contact):  # only the association ranks, names
        await party.say("年度申报")
        party.expect("只有市职工技协可以查看年度申报汇总和排序。")
        await party.say("批量命名")
        party.expect("只有市职工技协的审核人可以命名工作室。")

    cast.world.advance(days=8)
    await zhang.say("年度申报")
    zhang.expect("其中 2 份公示期满、没有未处理的异议，可以命名。")
    await zhang.press("批量命名")
    zhang.expect("请选择本批命名的工作室")
    assert zhang.buttons[:2] == ["第1名 李明技师创新工作室（91.0 分）", "第2名 王建国技师创新工作室（78.0 分）"]
    await zhang.press("第1名 李明技师创新工作室（91.0 分）")
    await zhang.press("第2名 王建国技师创新工作室（78.0 分）")
    await zhang.press("完成")
    await zhang.press("提交")
    zhang.expect("🏅 已命名 2 个工作室（2026 年度），命名名单：", "1. 李明技师创新工作室", "2. 王建国技师创新工作室")

    await cast.world.deliver()
    for lead, name in ((li_ming, "李明技师创新工作室"), (cast.lead, "王建国技师创新工作室")):
        assert f"🏅 {name} 已被命名为上海市技师创新工作室！第一个管理周期：2026-03-18 至 2029-03-17" in lead.pushed()
    async with cast.world.sessions() as s:
        stages = list(await s.scalars(select(Application.stage).order_by(Application.id)))
        statuses = list(await s.scalars(select(Studio.status).order_by(Studio.id)))
        batch_row = await s.scalar(select(AuditLog).where(AuditLog.object_type == "batch"))
        listed = await naming.naming_list(s, 2026)
        printed = await lists.named_in_year(s, 2026)  # what the 命名名单 document prints
    assert stages == [ApplicationStage.NAMED, ApplicationStage.NAMED]
    assert statuses == [StudioStatus.NAMED, StudioStatus.NAMED]
    assert (
        batch_row is not None and batch_row.actor_id == zhang.person.id and batch_row.detail["applications"] == [2, 1]
    )
    assert [(r.sequence, r.studio_name, r.enterprise, r.lead_name, r.union_name) for r in listed] == [
        (1, "李明技师创新工作室", "上海机床厂", "李明", "浦东新区总工会"),
        (2, "王建国技师创新工作室", "上海电气", "王建国", "浦东新区总工会"),
    ]
    assert [r.studio for r in printed] == ["李明技师创新工作室", "王建国技师创新工作室"]  # the list's order, not by id

    for party in (cast.stranger, cast.lead):
        await party.say("命名名单")
        party.expect(
            "🏅 2026 年度上海市技师创新工作室命名名单（2 个）",
            "1. 李明技师创新工作室｜上海机床厂｜领衔人：李明｜推荐单位：浦东新区总工会｜命名日期：2026-03-18",
        )
    await cast.stranger.say("命名名单 2025")
    cast.stranger.expect("2025 年度还没有命名的工作室。")
    await cast.stranger.say("/lang en")
    await cast.stranger.say("/named 2026")
    cast.stranger.expect("1. 李明技师创新工作室 | 上海机床厂 | Lead: 李明 | Recommended by: 浦东新区总工会")


async def test_a_single_naming_press_also_numbers_the_list(cast: Cast) -> None:
    await ready_to_apply(cast)
    await apply(cast.lead)
    await _through_the_notice(cast, "王建国技师创新工作室", "80", "同意推荐")
    cast.world.advance(days=8)
    await cast.association.say("待审")
    await cast.association.press("王建国")
    await cast.association.press("命名")
    cast.association.expect("已命名为上海市技师创新工作室")
    async with cast.world.sessions() as s:
        [row] = await naming.naming_list(s, 2026)
    assert (row.sequence, row.studio_name, row.named_on.isoformat()) == (1, "王建国技师创新工作室", "2026-03-18")
