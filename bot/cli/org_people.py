"""`studio-bot person list|show|rename|set|merge`: look at and fix people, audited, never deleting."""

from __future__ import annotations

import re
from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.common import CliError, JsonOption, app, emit, fail, run_in_session
from bot.cli.org_common import (
    AllOption,
    ByOption,
    find_person,
    find_studio,
    find_union,
    operator,
    record,
    rename,
    table,
    word,
)
from bot.settings import Settings
from storage.models import RoleKind
from storage.names import PERSON_NAME_MAX
from storage.repos import directory
from storage.repos.merge import MergeConflict, merge_people
from storage.vocabulary import GRADE_WORDS, ROLES

person_app = typer.Typer(help="人员 / people", no_args_is_help=True)
app.add_typer(person_app, name="person")

PersonArg = Annotated[str, typer.Argument(help="人员 ID 或（唯一的）姓名 / person id, or a name only one person has")]
_PHONE = re.compile(r"^\+?\d{5,20}$")


def _person(row: directory.PersonRow) -> dict[str, Any]:
    p = row.person
    return {
        "id": p.id,
        "name": p.name,
        "phone": p.phone,
        "grade": p.grade,
        "enterprise": p.enterprise,
        "roles": row.roles,
        "bound": row.bound,
        "active": p.active,
    }


@person_app.command("list")
def person_list(
    union: Annotated[str | None, typer.Option(help="在这个工会或其工作室有角色的 / with a role in this union")] = None,
    studio: Annotated[str | None, typer.Option(help="在这个工作室有角色的 / with a role in this studio")] = None,
    role: Annotated[str | None, typer.Option(help="有这个角色的 / holding this role: " + ROLES.help())] = None,
    unbound: Annotated[bool, typer.Option("--unbound", help="尚未绑定聊天账号的 / not yet bound to a chat")] = False,
    include_all: bool = AllOption,
    as_json: bool = JsonOption,
) -> None:
    """List people (those merged into another record only with --all)."""
    kind = word(ROLES, role, what=("角色", "role"), as_json=as_json) if role else None

    async def work(session: AsyncSession, _: Settings) -> dict[str, Any]:
        rows = await directory.people(
            session=session,
            union_id=(await find_union(session, union, include_inactive=True)).id if union else None,
            studio_id=(await find_studio(session, studio, include_inactive=True)).id if studio else None,
            kind=kind,
            unbound=unbound,
            include_inactive=include_all,
        )
        return {"rows": [_person(r) for r in rows]}

    result = run_in_session(work, as_json=as_json)
    columns = [("id", "ID"), ("name", "姓名 name"), ("phone", "手机 phone"), ("grade", "等级 grade")]
    columns += [("enterprise", "企业 enterprise"), ("roles", "角色 roles"), ("bound", "已绑定 bound")]
    table(result, f"人员 / people: {len(result['rows'])}", columns, as_json=as_json)


@person_app.command("show")
def person_show(person: PersonArg, as_json: bool = JsonOption) -> None:
    """One person: details and roles."""

    async def work(session: AsyncSession, _: Settings) -> dict[str, Any]:
        found = await find_person(session, person, include_inactive=True)
        [row] = await directory.people(session=session, person_id=found.id, include_inactive=True)
        roles = await directory.roles(session=session, person_ids=[found.id])
        where = [{"role_id": r.role.id, "kind": r.role.kind.value, "studio": r.studio, "union": r.union} for r in roles]
        return {**_person(row), "role_list": where}

    r = run_in_session(work, as_json=as_json)
    roles = "、".join(f"#{x['role_id']} {x['kind']} @ {x['studio'] or x['union']}" for x in r["role_list"]) or "-"
    text = (
        f"{r['name']}（#{r['id']}{'' if r['active'] else '，已合并停用 / merged, deactivated'}）\n"
        f"手机 / phone: {r['phone'] or '-'}    等级 / grade: {r['grade'] or '-'}    企业 / enterprise: "
        f"{r['enterprise'] or '-'}    已绑定 / bound: {'是 yes' if r['bound'] else '否 no'}\n"
        f"角色 / roles: {roles}"
    )
    emit(r, text, as_json=as_json)


@person_app.command("rename")
def person_rename(
    person: PersonArg,
    new_name: Annotated[str, typer.Argument(help="新姓名 / new name")],
    by: str | None = ByOption,
    as_json: bool = JsonOption,
) -> None:
    """Correct a person's name."""
    rename(
        new_name, PERSON_NAME_MAX, find=lambda session: find_person(session, person), object_type="person",
        empty="姓名不能为空 / the name is empty", show_id=True, by=by, as_json=as_json,
    )  # fmt: skip


@person_app.command("set")
def person_set(
    person: PersonArg,
    phone: Annotated[str | None, typer.Option(help="手机 / phone")] = None,
    grade: Annotated[str | None, typer.Option(help="技术等级 / grade: " + GRADE_WORDS.help())] = None,
    enterprise: Annotated[str | None, typer.Option(help="所在企业 / enterprise")] = None,
    by: str | None = ByOption,
    as_json: bool = JsonOption,
) -> None:
    """Change a person's phone, grade or enterprise."""
    wanted: dict[str, str | None] = {}
    if phone is not None:
        cleaned = re.sub(r"[\s\-()]", "", phone)
        if cleaned and not _PHONE.match(cleaned):
            fail(f"不是手机号 / not a phone number: {phone!r}", as_json=as_json)
        wanted["phone"] = cleaned or None
    if grade is not None:
        wanted["grade"] = word(GRADE_WORDS, grade, what=("等级", "grade"), as_json=as_json) if grade.strip() else None
    if enterprise is not None:
        wanted["enterprise"] = enterprise.strip()

    async def work(session: AsyncSession, _: Settings) -> dict[str, Any]:
        actor_id = await operator(session, by)
        found = await find_person(session, person)
        if not wanted:
            raise CliError("请给出 --phone、--grade 或 --enterprise / give --phone, --grade or --enterprise")
        changed = {k: {"from": getattr(found, k), "to": v} for k, v in wanted.items() if getattr(found, k) != v}
        for key, change in changed.items():
            setattr(found, key, change["to"])
        if changed:
            await record(
                session, actor_id=actor_id, object_type="person", object_id=found.id, to_state="updated",
                detail=changed,
            )  # fmt: skip
        return {"id": found.id, "name": found.name, "changed": changed}

    r = run_in_session(work, as_json=as_json)
    fields = "、".join(f"{k}: {v['from'] or '-'} → {v['to'] or '-'}" for k, v in r["changed"].items())
    emit(r, f"已修改 / updated: #{r['id']} {r['name']}: {fields or '无变化 / nothing changed'}", as_json=as_json)


@person_app.command("merge")
def person_merge(
    keep: Annotated[str, typer.Argument(help="保留的记录 / the record kept (id or name)")],
    gone: Annotated[str, typer.Argument(help="并入前者的记录 / the record merged into it (id or name)")],
    by: str | None = ByOption,
    as_json: bool = JsonOption,
) -> None:
    """Join two records of the same human: the second's identities, roles, entries and history move to the first."""

    async def work(session: AsyncSession, _: Settings) -> dict[str, Any]:
        actor_id = await operator(session, by)
        a, b = await find_person(session, keep), await find_person(session, gone)
        if a.id == b.id:
            raise CliError("不能与自己合并 / cannot merge a person with themself")
        leading = await directory.roles(session=session, person_ids=[a.id, b.id], kind=RoleKind.LEAD)
        if {r.role.person_id for r in leading} == {a.id, b.id}:
            raise CliError(
                f"#{a.id} {a.name} 和 #{b.id} {b.name} 都是领衔人，请先撤销其中一个角色（studio-bot role revoke）"
                f" / both lead a studio; revoke one of the lead roles first"
            )
        try:
            merged = await merge_people(session=session, keep=a, gone=b)
        except MergeConflict as exc:
            raise CliError(f"两人都对同一申报评了分，无法合并 / both scored the same application ({exc})") from None
        detail = {"merged_id": b.id, "merged_name": b.name, "moved": merged.moved, "roles_folded": merged.roles_folded}
        await record(session, actor_id=actor_id, object_type="person", object_id=a.id, to_state="merged", detail=detail)
        await record(
            session, actor_id=actor_id, object_type="person", object_id=b.id, from_state="active", to_state="inactive",
            detail={"merged_into": a.id, "name": a.name},
        )  # fmt: skip
        return {"id": a.id, "name": a.name, "merged_id": b.id, "moved": merged.moved}

    r = run_in_session(work, as_json=as_json)
    emit(r, f"已合并 / merged: #{r['merged_id']} → #{r['id']} {r['name']}", as_json=as_json)
