"""第八条: the members of named studios, listed for the unions' priority lists, and told on their card."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import RoleKind, UnionLevel
from tests.reviews_support import Cast, World, at, make_cast
from tests.support.org_cli import OrgCli


@pytest.fixture
async def cast(sessions: async_sessionmaker[AsyncSession]) -> Cast:
    cast = await make_cast(World(sessions, at("2026-03-10 10:00")), named_on=date(2025, 1, 1))
    # a studio of another district that is not named yet: its people are on nobody's priority list
    await cast.world.studio("徐汇未命名工作室", cast.other_district)
    return cast


async def test_the_association_exports_every_named_studios_members(cast: Cast) -> None:
    await cast.association.say("导出 成员")
    cast.association.expect("命名“技师创新工作室”成员名单（第八条优先名单）已导出：1 个工作室，4 人。")
    (file,) = cast.association.replies[0].files
    sheet = load_workbook(file.path).active
    assert sheet is not None
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ("工作室", "命名日期", "角色", "姓名", "技术等级", "所在企业", "所属工会")
    assert [r[2:5] for r in rows[1:]] == [
        ("工作室领衔人", "王建国", "高级技师"),
        ("工作室成员", "孙强", "技师"),
        ("工作室成员", "李娟", "技师"),
        ("工作室成员", "赵磊", "技师"),
    ]
    assert {(r[0], r[5], r[6]) for r in rows[1:]} == {("王建国技师创新工作室", "上海电气", "上海电气集团工会")}


async def test_a_district_lists_its_own_studios_and_a_lead_is_told_who_may(cast: Cast) -> None:
    await cast.reviewer.say("导出 成员")
    cast.reviewer.expect("已导出：1 个工作室，4 人")
    await cast.outsider.say("导出 成员")  # 徐汇: no named studio of its own
    cast.outsider.expect("已导出：0 个工作室，0 人")
    await cast.lead.say("导出 成员")
    cast.lead.expect("只有区县局（产业）工会审核人和市职工技协可以导出命名工作室成员名单。")
    contact = await cast.world.person("电气工会联络人", RoleKind.ENTERPRISE, union=cast.enterprise_union)
    await contact.say("导出 成员")
    contact.expect("只有区县局（产业）工会审核人和市职工技协可以导出")


async def test_a_members_card_names_the_named_studio_and_the_priority(cast: Cast) -> None:
    member = cast.members[0]
    await member.say("名片")
    member.expect(
        "👤 李娟（技师，上海电气）",
        "• 工作室成员：王建国技师创新工作室",
        "🏅 命名“技师创新工作室”成员：王建国技师创新工作室（2025-01-01 命名）",
        "第八条，命名工作室成员优先参加专利培训和技术交流，优先获得项目资助，优先推荐评优",
    )
    firm = await cast.world.union("上海机床厂工会", UnionLevel.ENTERPRISE, cast.other_district)
    unnamed = await cast.world.studio("机床厂工作室", firm)
    newcomer = await cast.world.person("钱新", RoleKind.MEMBER, studio=unnamed)
    await newcomer.say("/card")
    newcomer.expect("• 工作室成员：机床厂工作室", "您目前不是已命名“技师创新工作室”的成员。")
    newcomer.expect_not("🏅", "第八条")


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> OrgCli:
    monkeypatch.chdir(tmp_path)
    cli = OrgCli(db_url)
    cli.seed()  # 王建国技师创新工作室, named 2025-06-01, under 浦东新区总工会
    cli.ok("studio", "add", "未命名工作室", "--union", "浦东新区总工会")
    cli.ok("invite", "--studio", "王建国技师创新工作室", "--role", "lead", "--name", "王建国", "--grade", "高级技师")
    cli.ok("invite", "--studio", "王建国技师创新工作室", "--role", "member", "--name", "李娟", "--enterprise", "电气")
    cli.ok("invite", "--studio", "未命名工作室", "--role", "lead", "--name", "钱新")
    return cli


def test_the_command_line_lists_and_writes_the_priority_list(cli: OrgCli, tmp_path: Path) -> None:
    listed = cli.ok("members")
    assert (listed["count"], listed["studios"]) == (2, 1)
    assert [(m["name"], m["role"], m["enterprise"], m["union"]) for m in listed["members"]] == [
        ("王建国", "工作室领衔人", "", "浦东新区总工会"),
        ("李娟", "工作室成员", "电气", "浦东新区总工会"),
    ]
    assert cli.ok("members", "--union", "上海市职工技术协会")["count"] == 2
    assert cli.ok("members", "--studio", "未命名工作室")["count"] == 0
    written = cli.ok("members", "--out", str(tmp_path / "第八条.xlsx"))
    sheet = load_workbook(written["file"]).active
    assert sheet is not None and sheet.max_row == 3
    plain = cli("members")
    assert "王建国技师创新工作室\t工作室领衔人\t王建国" in plain.stdout and "成员 2 人" in plain.stdout


def test_an_unknown_studio_or_union_or_file_kind_is_refused(cli: OrgCli) -> None:
    cli.refused("members", "--studio", "没有的工作室", needle="no such studio")
    cli.refused("members", "--union", "没有的工会", needle="no such union")
    cli.refused("members", "--out", "名单.csv", needle="must end in .xlsx")
