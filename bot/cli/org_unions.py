"""`studio-bot union list|show|rename|move|deactivate`: look at and fix unions, audited, never deleting."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.common import CliError, JsonOption, emit, run_in_session
from bot.cli.org_add import union_app
from bot.cli.org_common import AllOption, ByOption, NewNameArg, find_union, operator, record, rename, table
from bot.settings import Settings
from storage.models import Studio, Union
from storage.names import UNION_NAME_MAX
from storage.repos import directory, org

NameArg = Annotated[str, typer.Argument(help="工会名称 / union name")]


def _union(row: directory.UnionRow) -> dict[str, Any]:
    u = row.union
    return {
        "id": u.id,
        "name": u.name,
        "level": u.level.value,
        "parent": row.parent,
        "parent_id": u.parent_id,
        "studios": row.studios,
        "active": u.active,
    }


@union_app.command("list")
def union_list(include_all: bool = AllOption, as_json: bool = JsonOption) -> None:
    """List the unions (deactivated ones only with --all)."""

    async def work(session: AsyncSession, _: Settings) -> dict[str, Any]:
        return {"rows": [_union(r) for r in await directory.unions(session=session, include_inactive=include_all)]}

    result = run_in_session(work, as_json=as_json)
    columns = [("id", "ID"), ("name", "名称 name"), ("level", "层级 level"), ("parent", "上级 parent")]
    columns += [("studios", "工作室 studios"), ("active", "在用 active")]
    table(result, f"工会 / unions: {len(result['rows'])}", columns, as_json=as_json)


@union_app.command("show")
def union_show(name: NameArg, as_json: bool = JsonOption) -> None:
    """One union: its level, parent, child unions and studios."""

    async def work(session: AsyncSession, _: Settings) -> dict[str, Any]:
        union = await find_union(session, name, include_inactive=True)
        rows = {r.union.id: r for r in await directory.unions(session=session, include_inactive=True)}
        children = [r.union.name for r in rows.values() if r.union.parent_id == union.id and r.union.active]
        studios = [s.studio.name for s in await directory.studios(session=session, union_id=union.id)]
        return {**_union(rows[union.id]), "children": children, "studio_names": studios}

    r = run_in_session(work, as_json=as_json)
    text = (
        f"{r['name']}（#{r['id']}，{r['level']}{'' if r['active'] else '，已停用 / deactivated'}）\n"
        f"上级 / parent: {r['parent'] or '-'}\n"
        f"下级工会 / child unions: {'、'.join(r['children']) or '-'}\n"
        f"工作室 / studios: {'、'.join(r['studio_names']) or '-'}"
    )
    emit(r, text, as_json=as_json)


@union_app.command("rename")
def union_rename(
    name: NameArg,
    new_name: NewNameArg,
    by: str | None = ByOption,
    as_json: bool = JsonOption,
) -> None:
    """Rename a union (its history keeps the old name in the audit trail)."""
    rename(
        new_name, UNION_NAME_MAX, find=lambda session: find_union(session, name), object_type="union",
        empty="名称不能为空 / the name is empty", taken=(org.get_union, "工会已存在 / union already exists"),
        by=by, as_json=as_json,
    )  # fmt: skip


@union_app.command("move")
def union_move(
    name: NameArg,
    parent: Annotated[str, typer.Option(help="新的上级工会 / the new parent union")],
    by: str | None = ByOption,
    as_json: bool = JsonOption,
) -> None:
    """Put a union under another parent (municipal → district/industry → enterprise)."""

    async def work(session: AsyncSession, _: Settings) -> dict[str, Any]:
        actor_id = await operator(session, by)
        union = await find_union(session, name)
        new_parent = await find_union(session, parent)
        if not org.may_be_parent(new_parent.level, union.level):
            raise CliError(
                f"{new_parent.name}（{new_parent.level.value}）不能是 {union.level.value} 工会的上级"
                f" / level {new_parent.level.value} cannot be the parent of level {union.level.value}"
            )
        if union.parent_id == new_parent.id:
            raise CliError(f"{union.name} 已在 {new_parent.name} 之下 / already under {new_parent.name}")
        old_parent = (await session.get(Union, union.parent_id)) if union.parent_id else None
        union.parent_id = new_parent.id
        moved = {
            "from": old_parent.name if old_parent else None,
            "from_id": old_parent.id if old_parent else None,
            "to": new_parent.name,
            "to_id": new_parent.id,
        }
        await record(
            session, actor_id=actor_id, object_type="union", object_id=union.id, to_state="moved", detail=moved
        )
        return {"id": union.id, "name": union.name, "parent": new_parent.name, "old_parent": moved["from"]}

    r = run_in_session(work, as_json=as_json)
    emit(r, f"已移动 / moved: {r['name']}: {r['old_parent'] or '-'} → {r['parent']}", as_json=as_json)


@union_app.command("deactivate")
def union_deactivate(name: NameArg, by: str | None = ByOption, as_json: bool = JsonOption) -> None:
    """Deactivate a union without active child unions or studios; it keeps its history."""

    async def work(session: AsyncSession, _: Settings) -> dict[str, Any]:
        actor_id = await operator(session, by)
        union = await find_union(session, name)
        unions = await session.scalar(select(func.count()).where(Union.parent_id == union.id, Union.active.is_(True)))
        studios = await session.scalar(select(func.count()).where(Studio.union_id == union.id, Studio.active.is_(True)))
        if unions or studios:
            raise CliError(
                f"{union.name} 还有 {unions} 个下级工会、{studios} 个工作室在用，请先移走或停用"
                f" / {union.name} still has {unions} active child unions and {studios} active studios;"
                " move or deactivate them first"
            )
        union.active = False
        await record(
            session, actor_id=actor_id, object_type="union", object_id=union.id, from_state="active",
            to_state="inactive",
        )  # fmt: skip
        return {"id": union.id, "name": union.name, "active": False}

    r = run_in_session(work, as_json=as_json)
    emit(r, f"已停用 / deactivated: {r['name']}", as_json=as_json)
