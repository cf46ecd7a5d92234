"""`invite` never guesses who a name means, and creating unions, studios, people and roles is audited."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Person
from tests.support.org_cli import OrgCli


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> OrgCli:
    monkeypatch.chdir(tmp_path)
    return OrgCli(db_url)


def _wangs(cli: OrgCli) -> int:
    async def n(session: AsyncSession) -> int:
        return int(await session.scalar(select(func.count()).select_from(Person).where(Person.name == "王伟")) or 0)

    return int(cli.read(n))


def test_a_second_person_of_the_same_name_needs_phone_or_person(cli: OrgCli) -> None:
    cli.seed()
    cli.ok("studio", "add", "第二工作室", "--union", "浦东新区总工会")
    first = cli.ok(
        "invite", "--studio", "王建国技师创新工作室", "--role", "member", "--name", "王伟", "--phone", "13800000001"
    )
    cli.refused("invite", "--studio", "第二工作室", "--role", "member", "--name", "王伟", needle="--person")
    other = cli.ok("invite", "--studio", "第二工作室", "--role", "member", "--name", "王伟", "--phone", "13900000002")
    assert other["person_id"] != first["person_id"] and _wangs(cli) == 2
    same = cli.ok("invite", "--studio", "第二工作室", "--role", "lead", "--name", "王伟", "--phone", "13800000001")
    again = cli.ok(
        "invite", "--studio", "第二工作室", "--role", "lead", "--name", "王伟", "--person", str(first["person_id"])
    )
    assert same["person_id"] == again["person_id"] == first["person_id"] and _wangs(cli) == 2


def test_person_must_be_the_named_person(cli: OrgCli) -> None:
    cli.seed()
    wang = cli.ok("invite", "--studio", "王建国技师创新工作室", "--role", "member", "--name", "王伟")
    member = ("invite", "--studio", "王建国技师创新工作室", "--role", "member")
    cli.refused(*member, "--name", "李娟", "--person", str(wang["person_id"]), needle="王伟")
    cli.refused(*member, "--name", "王伟", "--person", "999", needle="no such person")


def test_creating_things_leaves_audit_rows_naming_the_operator(cli: OrgCli) -> None:
    cli.seed()
    cli.ok("invite", "--union", "上海市职工技术协会", "--role", "admin", "--name", "周管理")
    cli.ok("invite", "--studio", "王建国技师创新工作室", "--role", "lead", "--name", "王建国", "--by", "周管理")
    rows = [(r.object_type, r.to_state, r.actor_id is not None, r.channel) for r in cli.audit()]
    assert rows == [
        ("union", "created", False, "cli"),
        ("union", "created", False, "cli"),
        ("studio", "created", False, "cli"),
        ("person", "created", False, "cli"),
        ("role", "active", False, "cli"),
        ("person", "created", True, "cli"),
        ("role", "active", True, "cli"),
    ]
    studio_rows = [r for r in cli.audit() if r.studio_id is not None]
    assert [r.object_type for r in studio_rows] == ["studio", "role"]  # the studio's trail shows both
    cli.refused(
        "invite", "--studio", "王建国技师创新工作室", "--role", "member", "--name", "李娟", "--by", "无名氏",
        needle="no such person",
    )  # fmt: skip


def test_inviting_again_to_a_role_held_adds_no_audit_row(cli: OrgCli) -> None:
    cli.seed()
    first = cli.ok("invite", "--studio", "王建国技师创新工作室", "--role", "member", "--name", "李娟")
    before = len(cli.audit())
    cli.ok(
        "invite",
        "--studio",
        "王建国技师创新工作室",
        "--role",
        "member",
        "--name",
        "李娟",
        "--person",
        str(first["person_id"]),
    )
    assert len(cli.audit()) == before
