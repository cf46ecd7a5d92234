"""`invite` names the roles of the measures plainly, and puts each on the union it belongs to."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.importer.run import import_file
from storage.models import Person, Role, Union
from tests.import_data import GOOD, filled
from tests.support.org_cli import OrgCli

STUDIO = "王建国技师创新工作室"
FIRM = "上海电气集团工会"


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> OrgCli:
    monkeypatch.chdir(tmp_path)
    cli = OrgCli(db_url)
    cli.ok("union", "add", "上海市职工技术协会", "--level", "市级")
    cli.ok("union", "add", "浦东新区总工会", "--level", "district", "--parent", "上海市职工技术协会")
    cli.ok("union", "add", FIRM, "--level", "enterprise", "--parent", "浦东新区总工会")
    cli.ok("studio", "add", STUDIO, "--union", FIRM, "--enterprise", "上海电气", "--named-on", "2025-06-01")
    cli.ok("studio", "add", "浦东直属工作室", "--union", "浦东新区总工会")
    return cli


def _roles(cli: OrgCli) -> list[tuple[str, str, str | None]]:
    async def rows(session: AsyncSession) -> list[tuple[str, str, str | None]]:
        query = (
            select(Person.name, Role.kind, Union.name)
            .select_from(Role)
            .join(Person, Person.id == Role.person_id)
            .outerjoin(Union, Union.id == Role.union_id)
            .order_by(Role.id)
        )
        return [(name, kind.value, union) for name, kind, union in (await session.execute(query)).all()]

    return list(cli.read(rows))


def test_each_role_of_the_measures_on_its_union(cli: OrgCli) -> None:
    cli.ok("invite", "--union", "上海市职工技术协会", "--role", "association", "--name", "张三")
    cli.ok("invite", "--union", "浦东新区总工会", "--role", "reviewer", "--name", "李四")
    contact = cli.ok("invite", "--studio", STUDIO, "--role", "enterprise", "--name", "周联络")
    cli.ok("invite", "--union", FIRM, "--role", "企业工会", "--name", "吴联络")
    cli.ok("invite", "--union", "上海市职工技术协会", "--role", "expert", "--name", "陈教授", "--enterprise", "交大")
    cli.ok("invite", "--union", "上海市职工技术协会", "--role", "admin", "--name", "郑管理")
    assert contact["union"] == FIRM and contact["studio"] is None  # the studio's enterprise union
    assert _roles(cli) == [
        ("张三", "association", "上海市职工技术协会"),
        ("李四", "reviewer", "浦东新区总工会"),
        ("周联络", "enterprise", FIRM),
        ("吴联络", "enterprise", FIRM),
        ("陈教授", "expert", "上海市职工技术协会"),
        ("郑管理", "admin", "上海市职工技术协会"),
    ]


def test_the_printed_code_says_which_role_it_is(cli: OrgCli) -> None:
    admin = cli("invite", "--union", "上海市职工技术协会", "--role", "admin", "--name", "郑管理")
    association = cli("invite", "--union", "上海市职工技术协会", "--role", "association", "--name", "张三")
    assert "郑管理（系统管理员）的绑定码" in admin.stdout
    assert (
        "系统管理员只管理人员和角色，不作审核、公示、命名等决定；市职工技协审核人请用 --role association"
        in admin.stdout
    )
    assert "张三（市职工技协）的绑定码" in association.stdout and "注意" not in association.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--union", "上海市职工技术协会", "--role", "reviewer"), "--role association"),
        (("--union", "浦东新区总工会", "--role", "association"), "--role reviewer"),
        (("--union", FIRM, "--role", "reviewer"), "role reviewer is held on a"),
        (("--union", "浦东新区总工会", "--role", "enterprise"), "role enterprise is held on a"),
        (("--studio", "浦东直属工作室", "--role", "enterprise"), "under no enterprise union"),
        (("--studio", STUDIO, "--union", FIRM, "--role", "enterprise"), "--studio or --union"),
        (("--studio", STUDIO, "--role", "association"), "needs --union"),
    ],
    ids=["reviewer-on-municipal", "association-on-district", "reviewer-on-enterprise", "enterprise-on-district",
         "enterprise-studio-without-firm", "enterprise-both", "association-on-studio"],
)  # fmt: skip
def test_a_role_on_the_wrong_union_is_refused_and_says_what_is_meant(
    cli: OrgCli, args: tuple[str, ...], needle: str
) -> None:
    cli.refused("invite", *args, "--name", "钱七", needle=needle)


def test_enterprise_and_phone_are_set_on_a_person_already_recorded(cli: OrgCli) -> None:
    first = cli.ok("invite", "--union", "上海市职工技术协会", "--role", "expert", "--name", "陈教授")
    again = cli.ok(
        "invite",
        "--union",
        "上海市职工技术协会",
        "--role",
        "expert",
        "--name",
        "陈教授",
        "--person",
        str(first["person_id"]),
        "--enterprise",
        "上海交通大学",
        "--phone",
        "13800000009",
    )

    async def person(session: AsyncSession) -> tuple[str, str | None]:
        found = await session.get(Person, again["person_id"])
        assert found is not None
        return found.enterprise, found.phone

    assert again["person_id"] == first["person_id"]
    assert cli.read(person) == ("上海交通大学", "13800000009")
    changed = [(r.from_state, r.to_state) for r in cli.audit("person") if r.detail == {"field": "enterprise"}]
    assert changed == [("", "上海交通大学")]


async def test_the_import_puts_each_role_on_a_union_of_its_level(session: AsyncSession, tmp_path: Path) -> None:
    rows = {**GOOD, "人员": [*GOOD["人员"], ["张三", None, None, None], ["周联络", None, None, None]]}
    rows["角色"] = [
        *GOOD["角色"],
        ["张三", None, "市职工技协", None, "市职工技协"],
        ["周联络", None, "企业工会", None, "某机械集团工会"],
    ]
    good = await import_file(session=session, path=filled(tmp_path, "roles.xlsx", rows))
    assert good.problems == []
    held = {(p.name, r.kind.value) for r, p in (await session.execute(select(Role, Person).join(Person))).all()}
    assert {("张三", "association"), ("周联络", "enterprise"), ("陈审核", "reviewer")} <= held

    misplaced: list[Sequence[object]] = [
        ["陈审核", None, "审核人", None, "市职工技协"],
        ["周联络", None, "企业工会", None, "浦东新区总工会"],
    ]
    wrong: dict[str, list[Sequence[object]]] = {**rows, "角色": misplaced}
    outcome = await import_file(session=session, path=filled(tmp_path, "wrong.xlsx", wrong))
    assert [(p.code, p.params["union"]) for p in outcome.problems] == [
        ("import.error.role_wrong_union", "市职工技协"),
        ("import.error.role_wrong_union", "浦东新区总工会"),
    ]
    assert outcome.problems[0].params["levels"] == "区县局/district、产业/industry"
