"""`studio-bot role list|revoke`: who holds what, and taking a role back, audited (the row stays)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.common import CliError, JsonOption, app, emit, run_in_session
from bot.cli.org_common import AllOption, ByOption, find_person, find_studio, find_union, operator, record, table, word
from bot.settings import Settings
from storage.models import Person, Role, RoleKind, Studio, StudioStatus
from storage.repos import directory, org
from storage.vocabulary import ROLES

role_app = typer.Typer(help="角色 / roles", no_args_is_help=True)
app.add_typer(role_app, name="role")


def _role(row: directory.RoleRow) -> dict[str, Any]:
    r = row.role
    return {
        "id": r.id,
        "kind": r.kind.value,
        "role": ROLES.zh(r.kind),
        "person_id": r.person_id,
        "person": row.person,
        "studio_id": r.studio_id,
        "studio": row.studio,
        "union_id": r.union_id,
        "union": row.union,
        "active": r.active,
    }


@role_app.command("list")
def role_list(
    union: Annotated[str | None, typer.Option(help="这个工会及其工作室的 / of this union and its studios")] = None,
    studio: Annotated[str | None, typer.Option(help="这个工作室的 / of this studio")] = None,
    role: Annotated[str | None, typer.Option(help="角色 / role: " + ROLES.help())] = None,
    person: Annotated[str | None, typer.Option(help="这个人的（ID 或姓名） / this person's (id or name)")] = None,
    include_all: bool = AllOption,
    as_json: bool = JsonOption,
) -> None:
    """List roles (revoked ones only with --all)."""
    kind = word(ROLES, role, what=("角色", "role"), as_json=as_json) if role else None

    async def work(session: AsyncSession, _: Settings) -> dict[str, Any]:
        rows = await directory.roles(
            session=session,
            union_id=(await find_union(session, union, include_inactive=True)).id if union else None,
            studio_id=(await find_studio(session, studio, include_inactive=True)).id if studio else None,
            kind=kind,
            person_ids=[(await find_person(session, person, include_inactive=True)).id] if person else None,
            include_inactive=include_all,
        )
        return {"rows": [_role(r) for r in rows]}

    result = run_in_session(work, as_json=as_json)
    columns = [("id", "ID"), ("person", "姓名 name"), ("person_id", "人员 person"), ("kind", "角色 role")]
    columns += [("studio", "工作室 studio"), ("union", "工会 union"), ("active", "生效 active")]
    table(result, f"角色 / roles: {len(result['rows'])}", columns, as_json=as_json)


@role_app.command("revoke")
def role_revoke(
    role_id: Annotated[int, typer.Argument(help="角色 ID（见 role list） / the role's id (see role list)")],
    reason: Annotated[str | None, typer.Option(help="原因 / why")] = None,
    by: str | None = ByOption,
    as_json: bool = JsonOption,
) -> None:
    """Take a role back; a named studio's only lead is replaced with `invite --role lead --replace` instead."""

    async def work(session: AsyncSession, _: Settings) -> dict[str, Any]:
        actor_id = await operator(session, by)
        role = await session.get(Role, role_id)
        if role is None or not role.active:
            raise CliError(f"没有这个生效的角色 / no such active role: {role_id}")
        person = await session.get(Person, role.person_id)
        studio = await session.get(Studio, role.studio_id) if role.studio_id else None
        assert person is not None  # a foreign key
        if role.kind is RoleKind.LEAD and studio is not None and studio.active and studio.status is StudioStatus.NAMED:
            others = [p for p in await org.leads_of(session=session, studio_id=studio.id) if p.id != person.id]
            if not others:
                raise CliError(
                    f"{studio.name} 已命名，不能没有领衔人；请用 invite --role lead --replace 更换"
                    f" / a named studio needs a lead; replace them with `invite --role lead --replace`"
                )
        role.active = False
        await record(
            session, actor_id=actor_id, object_type="role", object_id=role.id, from_state="active",
            to_state="revoked", studio_id=role.studio_id, reason=reason,
            detail={"kind": role.kind.value, "person_id": person.id, "name": person.name},
        )  # fmt: skip
        return {"id": role.id, "kind": role.kind.value, "person_id": person.id, "person": person.name,
                "studio": studio.name if studio else None}  # fmt: skip

    r = run_in_session(work, as_json=as_json)
    emit(r, f"已撤销 / revoked: #{r['id']} {r['person']} {r['kind']} {r['studio'] or ''}".rstrip(), as_json=as_json)
