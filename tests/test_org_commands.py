"""Looking at and fixing the organisation: union, studio, person and role commands, audited, never deleting."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import utcnow
from storage.models import ChannelIdentity, LedgerEntry, LedgerKind, Person, Role, RoleKind, Studio, Union
from storage.repos import ledgers, people
from tests.support.org_cli import OrgCli

STUDIO = "王建国技师创新工作室"


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> OrgCli:
    monkeypatch.chdir(tmp_path)
    org = OrgCli(db_url)
    org.seed()
    return org


def _names(rows: list[dict[str, object]], key: str = "name") -> list[object]:
    return [r[key] for r in rows]


# ---- unions -----------------------------------------------------------------------------------------


def test_union_list_show_rename_move_deactivate(cli: OrgCli) -> None:
    cli.ok("union", "add", "临港产业工会", "--level", "产业", "--parent", "上海市职工技术协会")
    cli.ok("union", "add", "某机械集团工会", "--level", "enterprise", "--parent", "浦东新区总工会")
    table = cli("union", "list")
    assert table.exit_code == 0 and "浦东新区总工会" in table.stdout and "上海市职工技术协会" in table.stdout
    moved = cli.ok("union", "move", "某机械集团工会", "--parent", "临港产业工会")
    assert (moved["old_parent"], moved["parent"]) == ("浦东新区总工会", "临港产业工会")
    cli.ok("union", "rename", "某机械集团工会", "某机械集团公司工会")
    shown = cli.ok("union", "show", "临港产业工会")
    assert shown["children"] == ["某机械集团公司工会"] and shown["parent"] == "上海市职工技术协会"
    cli.ok("union", "deactivate", "某机械集团公司工会")
    assert "某机械集团公司工会" not in _names(cli.ok("union", "list")["rows"])
    everything = cli.ok("union", "list", "--all")["rows"]
    assert [r["active"] for r in everything if r["name"] == "某机械集团公司工会"] == [False]
    rows = [(r.to_state, r.detail.get("from"), r.detail.get("to")) for r in cli.audit("union")][-3:]
    assert rows == [
        ("moved", "浦东新区总工会", "临港产业工会"),
        ("renamed", "某机械集团工会", "某机械集团公司工会"),
        ("inactive", None, None),
    ]

    async def count(session: AsyncSession) -> int:
        return len(list(await session.scalars(select(Union))))

    assert cli.read(count) == 4  # deactivated, not deleted


def test_union_refusals(cli: OrgCli) -> None:
    cli.ok("union", "add", "某机械集团工会", "--level", "enterprise", "--parent", "浦东新区总工会")
    cli.refused("union", "deactivate", "浦东新区总工会", needle="active studios")
    cli.refused("union", "deactivate", "上海市职工技术协会", needle="active child unions")
    cli.refused("union", "move", "浦东新区总工会", "--parent", "某机械集团工会", needle="cannot be the parent")
    cli.refused("union", "move", "上海市职工技术协会", "--parent", "浦东新区总工会", needle="cannot be the parent")
    cli.refused("union", "rename", "浦东新区总工会", "上海市职工技术协会", needle="already exists")
    cli.refused("union", "show", "没有的工会", needle="no such union")
    cli.refused("union", "rename", "浦东新区总工会", "新名", "--by", "无名氏", needle="no such person")


# ---- studios ----------------------------------------------------------------------------------------


def test_studio_list_show_rename_move_set_deactivate(cli: OrgCli) -> None:
    cli.ok("union", "add", "闵行区总工会", "--level", "区县局", "--parent", "上海市职工技术协会")
    cli.ok("invite", "--union", "浦东新区总工会", "--role", "admin", "--name", "周管理")
    cli.ok("invite", "--studio", STUDIO, "--role", "lead", "--name", "王建国")
    listed = cli.ok("studio", "list", "--union", "浦东新区总工会")["rows"]
    assert [(r["name"], r["lead"], r["status"]) for r in listed] == [(STUDIO, "王建国", "named")]
    cli.ok("studio", "set", STUDIO, "--venue", "二号车间", "--equipment", "数控车床", "--by", "周管理")
    cli.ok("studio", "move", STUDIO, "--union", "闵行区总工会", "--by", "周管理")
    cli.ok("studio", "rename", STUDIO, "王建国技能大师工作室", "--by", "周管理")
    shown = cli.ok("studio", "show", "王建国技能大师工作室")
    assert (shown["union"], shown["venue"], shown["equipment"]) == ("闵行区总工会", "二号车间", "数控车床")
    assert shown["people"][0]["name"] == "王建国"
    assert cli.ok("studio", "list", "--union", "浦东新区总工会")["rows"] == []
    cli.ok("studio", "deactivate", "王建国技能大师工作室", "--by", "周管理")
    assert cli.ok("studio", "list")["rows"] == []
    assert _names(cli.ok("studio", "list", "--all")["rows"]) == ["王建国技能大师工作室"]
    rows = [r for r in cli.audit("studio") if r.actor_id is not None]
    assert [r.to_state for r in rows] == ["updated", "moved", "renamed", "inactive"]
    assert rows[0].detail == {"venue": {"from": "", "to": "二号车间"}, "equipment": {"from": "", "to": "数控车床"}}
    assert all(r.studio_id == shown["id"] and r.channel == "cli" for r in rows)


def test_studio_refusals(cli: OrgCli) -> None:
    cli.ok("studio", "add", "第二工作室", "--union", "浦东新区总工会")
    cli.refused("studio", "rename", STUDIO, "第二工作室", needle="already exists")
    cli.refused("studio", "move", STUDIO, "--union", "没有的工会", needle="no such union")
    cli.refused("studio", "move", STUDIO, "--union", "浦东新区总工会", needle="already in")
    cli.refused("studio", "set", STUDIO, needle="--venue")
    cli.ok("studio", "deactivate", "第二工作室")
    cli.refused("studio", "rename", "第二工作室", "第三工作室", needle="no such studio")  # deactivated: not to fix
    cli.refused("invite", "--studio", "第二工作室", "--role", "member", "--name", "甲", needle="no such studio")


# ---- people -----------------------------------------------------------------------------------------


def _bind(cli: OrgCli, person_id: int, user: str) -> None:
    async def go(session: AsyncSession) -> None:
        person = await session.get(Person, person_id)
        assert person is not None
        await people.bind_identity(
            session=session, person=person, channel="test", external_id=user, chat_id=user, now=utcnow()
        )
        await session.commit()

    cli.read(go)


def test_person_list_filters_and_set_rename(cli: OrgCli) -> None:
    lead = cli.ok("invite", "--studio", STUDIO, "--role", "lead", "--name", "王建国", "--phone", "13800138000")
    cli.ok("invite", "--studio", STUDIO, "--role", "成员", "--name", "李娟")
    cli.ok("invite", "--union", "上海市职工技术协会", "--role", "expert", "--name", "钱专家")
    _bind(cli, lead["person_id"], "wang")
    assert _names(cli.ok("person", "list", "--studio", STUDIO)["rows"]) == ["王建国", "李娟"]
    assert _names(cli.ok("person", "list", "--union", "浦东新区总工会")["rows"]) == ["王建国", "李娟"]
    assert _names(cli.ok("person", "list", "--role", "专家")["rows"]) == ["钱专家"]
    assert _names(cli.ok("person", "list", "--unbound")["rows"]) == ["李娟", "钱专家"]
    table = cli("person", "list", "--role", "lead")
    assert table.exit_code == 0 and "王建国" in table.stdout and "13800138000" in table.stdout
    changed = cli.ok("person", "set", "王建国", "--grade", "chief technician", "--enterprise", "上海机床厂")
    assert changed["changed"]["grade"] == {"from": None, "to": "首席技师"}
    cli.ok("person", "rename", "李娟", "李娟娟")
    assert cli.ok("person", "show", "李娟娟")["role_list"][0]["kind"] == "member"
    assert [r.to_state for r in cli.audit("person")][-2:] == ["updated", "renamed"]
    cli.refused("person", "set", "王建国", "--phone", "abc", needle="not a phone")
    cli.refused("person", "set", "王建国", "--grade", "大师", needle="unknown grade")
    cli.refused("person", "set", "王建国", needle="--phone")
    cli.refused("person", "show", "没有这个人", needle="no such person")


def test_person_merge_moves_everything_and_keeps_the_record(cli: OrgCli) -> None:
    keep = cli.ok("invite", "--studio", STUDIO, "--role", "lead", "--name", "王伟", "--phone", "13800000001")
    gone = cli.ok("invite", "--studio", STUDIO, "--role", "member", "--name", "王伟", "--phone", "13900000002")
    cli.ok("union", "add", "闵行区总工会", "--level", "district", "--parent", "上海市职工技术协会")
    cli.ok("studio", "add", "第二工作室", "--union", "闵行区总工会")
    other_lead = cli.ok(
        "invite", "--studio", "第二工作室", "--role", "lead", "--name", "王伟", "--person", str(gone["person_id"])
    )
    assert other_lead["person_id"] == gone["person_id"]
    cli.refused("person", "merge", str(keep["person_id"]), str(gone["person_id"]), needle="both lead")
    second_lead = cli.ok("role", "list", "--studio", "第二工作室")["rows"][0]["id"]
    cli.ok("invite", "--studio", "第二工作室", "--role", "lead", "--name", "赵磊", "--replace")
    assert second_lead not in [r["id"] for r in cli.ok("role", "list")["rows"]]
    _bind(cli, gone["person_id"], "wangwei-2")

    async def write_entry(session: AsyncSession) -> None:
        studio = await session.scalar(select(Studio).where(Studio.name == STUDIO))
        author = await session.get(Person, gone["person_id"])
        assert studio is not None and author is not None
        fields = {"occurred_on": utcnow().date(), "kind": "学习", "title": "赛前集训", "place": "创新室",
                  "participants": ["王伟"], "hours": Decimal("2"), "content": "集训", "results": ""}  # fmt: skip
        await ledgers.create_entry(
            session=session, studio_id=studio.id, kind=LedgerKind.ACTIVITY, author_id=author.id, fields=fields
        )
        await session.commit()

    cli.read(write_entry)
    merged = cli.ok("person", "merge", str(keep["person_id"]), str(gone["person_id"]))
    assert merged["merged_id"] == gone["person_id"]

    async def owners(session: AsyncSession) -> tuple[set[int], set[int], set[int], bool]:
        identities = set(await session.scalars(select(ChannelIdentity.person_id)))
        authors = set(await session.scalars(select(LedgerEntry.author_id)))
        roles = set(
            await session.scalars(select(Role.person_id).where(Role.active.is_(True), Role.studio_id.is_not(None)))
        )
        old = await session.get(Person, gone["person_id"])
        assert old is not None
        return identities, authors, roles, old.active

    identities, authors, roles, still_active = cli.read(owners)
    assert identities == authors == {keep["person_id"]} and gone["person_id"] not in roles and not still_active
    assert _names(cli.ok("person", "list")["rows"]) == ["王伟", "赵磊"]
    assert len(cli.ok("person", "list", "--all")["rows"]) == 3
    tail = cli.audit("person")[-2:]
    assert [(r.object_id, r.to_state) for r in tail] == [(keep["person_id"], "merged"), (gone["person_id"], "inactive")]
    cli.refused("person", "merge", str(keep["person_id"]), str(gone["person_id"]), needle="no such person")


# ---- roles ------------------------------------------------------------------------------------------


def test_role_list_and_revoke(cli: OrgCli) -> None:
    cli.ok("invite", "--studio", STUDIO, "--role", "lead", "--name", "王建国")
    member = cli.ok("invite", "--studio", STUDIO, "--role", "member", "--name", "李娟")
    cli.ok("invite", "--union", "浦东新区总工会", "--role", "reviewer", "--name", "陈审核")
    rows = cli.ok("role", "list", "--union", "浦东新区总工会")["rows"]
    assert [(r["person"], r["kind"]) for r in rows] == [("王建国", "lead"), ("李娟", "member"), ("陈审核", "reviewer")]
    assert [r["person"] for r in cli.ok("role", "list", "--role", "审核人")["rows"]] == ["陈审核"]
    lead_role, member_role = rows[0]["id"], rows[1]["id"]
    cli.refused("role", "revoke", str(lead_role), needle="named studio needs a lead")
    cli.ok("role", "revoke", str(member_role), "--reason", "调离")
    assert [r["person"] for r in cli.ok("role", "list", "--studio", STUDIO)["rows"]] == ["王建国"]
    assert len(cli.ok("role", "list", "--all")["rows"]) == 3
    last = cli.audit("role")[-1]
    assert (last.object_id, last.from_state, last.to_state, last.reason) == (member_role, "active", "revoked", "调离")
    assert last.detail["person_id"] == member["person_id"]
    cli.refused("role", "revoke", str(member_role), needle="no such active role")


def test_a_deactivated_studio_leaves_the_chat_pickers_and_the_reminders(cli: OrgCli) -> None:
    lead = cli.ok("invite", "--studio", STUDIO, "--role", "lead", "--name", "王建国")
    _bind(cli, lead["person_id"], "wang")

    def planned() -> list[object]:
        result = cli("remind", "--dry-run", "--at", "2028-05-02T10:00", "--json")
        assert result.exit_code == 0, result.output
        return list(json.loads(result.stdout)["reminders"])

    async def pickable(session: AsyncSession) -> list[tuple[Studio, RoleKind]]:
        return await people.studios_of(session=session, person_id=lead["person_id"])

    assert planned() and [s.name for s, _ in cli.read(pickable)] == [STUDIO]
    cli.ok("studio", "deactivate", STUDIO)
    assert planned() == [] and cli.read(pickable) == []
