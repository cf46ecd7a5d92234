"""A readable trail: every row names its people, studios, entries and roles, in chat, in the CLI and in its JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.repos import audit, audit_names
from tests.reviews_support import World, at, make_cast
from tests.support.org_cli import OrgCli
from tests.support.sql import statements

STUDIO = "王建国技师创新工作室"


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> OrgCli:
    monkeypatch.chdir(tmp_path)
    return OrgCli(db_url)


async def test_the_chat_trail_names_the_entry_its_version_and_the_roles(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    cast = await make_cast(World(sessions, at("2026-03-10 10:00")))
    await cast.lead.log_activity("数控车工技能比武赛前集训")
    await cast.world.deliver()
    await cast.reviewer.press_in("退回")
    await cast.reviewer.say("请补充照片")
    await cast.reviewer.press("提交")
    await cast.lead.say("我的台账")
    await cast.lead.press("#1")
    await cast.lead.press("修改")
    await cast.lead.press("提交")
    await cast.lead.say("履历")
    cast.lead.expect(
        "王建国：台账 #1「数控车工技能比武赛前集训」 已提交",
        "李四：台账 #1「数控车工技能比武赛前集训」 已提交 → 已退回（原因：请补充照片）",
        "王建国：台账 #1「数控车工技能比武赛前集训」（第2版） 已退回 → 已提交",
    )
    cast.lead.expect_not("entry#", "role#")


def test_the_cli_trail_names_roles_studios_and_the_system(cli: OrgCli) -> None:
    cli.seed()
    cli.ok("invite", "--union", "浦东新区总工会", "--role", "admin", "--name", "周管理")
    cli.ok("invite", "--studio", STUDIO, "--role", "lead", "--name", "王建国", "--by", "周管理")
    cli.ok("studio", "rename", STUDIO, "王建国技能大师工作室", "--by", "周管理")
    text = cli("audit", "--studio", "王建国技能大师工作室").stdout
    assert "系统  cli  工作室「王建国技能大师工作室」  新建" in text
    assert "周管理  cli  王建国 的角色「工作室领衔人」（王建国技能大师工作室）  生效" in text
    assert "周管理  cli  工作室「王建国技能大师工作室」  改名" in text
    assert "role#" not in text and "studio#" not in text
    everything = cli("audit").stdout  # the organisation's own rows have no studio: the whole trail shows them
    assert "工会「浦东新区总工会」  新建" in everything and "人员 #1 周管理  新建" in everything

    rows = cli.ok("audit", "--studio", "王建国技能大师工作室")["rows"]
    role = next(r for r in rows if r["object_type"] == "role")
    assert role["actor"] == "周管理" and role["actor_id"] is not None
    assert {k: role["subject"][k] for k in ("type", "kind", "person", "studio")} == {
        "type": "role",
        "kind": "lead",
        "person": "王建国",
        "studio": "王建国技能大师工作室",
    }
    assert role["subject"]["person_id"] and role["subject"]["studio_id"] == role["studio_id"]
    assert role["studio"] == "王建国技能大师工作室" and role["to"] == "active"  # the stored codes stay


async def test_names_are_read_in_one_query_per_kind(
    sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    cast = await make_cast(World(sessions, at("2026-03-10 10:00")))
    for n in range(3):
        await cast.lead.log_activity(f"攻关讨论 {n}")
    await cast.world.deliver()
    async with sessions() as session:
        few = await audit.trail(session=session, studio_id=cast.studio.id)
        with statements(engine) as sent:
            names = await audit_names.names_for(session=session, rows=few)
        assert len(few) == 3 and len(sent) == 3  # entries, people, studios
        assert sorted(s["title"] for s in names.subjects.values()) == ["攻关讨论 0", "攻关讨论 1", "攻关讨论 2"]


async def test_english_readers_get_the_names_too(sessions: async_sessionmaker[AsyncSession]) -> None:
    cast = await make_cast(World(sessions, at("2026-03-10 10:00")))
    await cast.lead.log_activity("Lathe tool life")
    await cast.lead.say("语言 English")
    await cast.lead.say("history")
    cast.lead.expect("王建国: entry #1 “Lathe tool life” submitted")


def test_json_keeps_ids_beside_names(cli: OrgCli) -> None:
    cli.seed()
    data = json.loads(cli("audit", "--json").stdout)
    studio = next(r for r in data["rows"] if r["object_type"] == "studio")
    assert studio["subject"] == {"type": "studio", "id": studio["object_id"], "name": STUDIO}
    assert studio["actor"] is None and studio["text"].endswith("工作室「王建国技师创新工作室」  新建")
