"""`studio-bot studio list|show|rename|move|set|deactivate`: look at and fix studios, audited, never deleting."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.common import CliError, JsonOption, emit, run_in_session
from bot.cli.org_add import studio_app
from bot.cli.org_common import AllOption, ByOption, NewNameArg, find_studio, find_union, operator, record, rename, table
from bot.settings import Settings
from storage.models import Studio, Union
from storage.names import STUDIO_NAME_MAX
from storage.repos import directory, org, studio_cycles

NameArg = Annotated[str, typer.Argument(help="工作室名称 / studio name")]


def _studio(row: directory.StudioRow) -> dict[str, Any]:
    s = row.studio
    return {
        "id": s.id,
        "name": s.name,
        "union": row.union,
        "union_id": s.union_id,
        "status": s.status.value,
        "named_on": s.named_on,
        "lead": row.leads or None,
        "enterprise": s.enterprise,
        "venue": s.venue,
        "equipment": s.equipment,
        "active": s.active,
    }


@studio_app.command("list")
def studio_list(
    union: Annotated[str | None, typer.Option(help="只列这个工会的 / only this union's")] = None,
    include_all: bool = AllOption,
    as_json: bool = JsonOption,
) -> None:
    """List the studios (deactivated ones only with --all)."""

    async def work(session: AsyncSession, _: Settings) -> dict[str, Any]:
        union_id = (await find_union(session, union, include_inactive=True)).id if union else None
        rows = await directory.studios(session=session, union_id=union_id, include_inactive=include_all)
        return {"rows": [_studio(r) for r in rows]}

    result = run_in_session(work, as_json=as_json)
    columns = [("id", "ID"), ("name", "名称 name"), ("union", "工会 union"), ("status", "状态 status")]
    columns += [("lead", "领衔人 lead"), ("enterprise", "企业 enterprise"), ("active", "在用 active")]
    table(result, f"工作室 / studios: {len(result['rows'])}", columns, as_json=as_json)


@studio_app.command("show")
def studio_show(name: NameArg, as_json: bool = JsonOption) -> None:
    """One studio: union, status, cycle, lead, members."""

    async def work(session: AsyncSession, _: Settings) -> dict[str, Any]:
        studio = await find_studio(session, name, include_inactive=True)
        [row] = await directory.studios(session=session, studio_id=studio.id, include_inactive=True)
        cycle = await studio_cycles.current_cycle(session=session, studio_id=studio.id)
        roles = await directory.roles(session=session, studio_id=studio.id)
        people = [{"role_id": r.role.id, "kind": r.role.kind.value, "person_id": r.role.person_id, "name": r.person}
                  for r in roles]  # fmt: skip
        return {**_studio(row), "cycle_ends_on": cycle.ends_on if cycle else None, "people": people}

    r = run_in_session(work, as_json=as_json)
    people = "、".join(f"{p['name']}（{p['kind']}）" for p in r["people"]) or "-"
    text = (
        f"{r['name']}（#{r['id']}，{r['status']}{'' if r['active'] else '，已停用 / deactivated'}）\n"
        f"工会 / union: {r['union']}    命名 / named on: {r['named_on'] or '-'}    周期至 / cycle ends: "
        f"{r['cycle_ends_on'] or '-'}\n"
        f"企业 / enterprise: {r['enterprise'] or '-'}    场所 / venue: {r['venue'] or '-'}    设备 / equipment: "
        f"{r['equipment'] or '-'}\n"
        f"人员 / people: {people}"
    )
    emit(r, text, as_json=as_json)


@studio_app.command("rename")
def studio_rename(
    name: NameArg,
    new_name: NewNameArg,
    by: str | None = ByOption,
    as_json: bool = JsonOption,
) -> None:
    """Rename a studio (the audit trail keeps the old name)."""
    rename(
        new_name, STUDIO_NAME_MAX, find=lambda session: find_studio(session, name), object_type="studio",
        empty="名称不能为空 / the name is empty", taken=(org.get_studio, "工作室已存在 / studio already exists"),
        by=by, as_json=as_json,
    )  # fmt: skip


@studio_app.command("move")
def studio_move(
    name: NameArg,
    union: Annotated[str, typer.Option(help="新的所属工会 / the union it moves to")],
    by: str | None = ByOption,
    as_json: bool = JsonOption,
) -> None:
    """Move a studio to another union (its reviews then go to that union)."""

    async def work(session: AsyncSession, _: Settings) -> dict[str, Any]:
        actor_id = await operator(session, by)
        studio = await find_studio(session, name)
        target = await find_union(session, union)
        if target.id == studio.union_id:
            raise CliError(f"{studio.name} 已属于 {target.name} / already in {target.name}")
        old = await session.get(Union, studio.union_id)
        assert old is not None  # a foreign key
        studio.union_id = target.id
        detail = {"from": old.name, "from_id": old.id, "to": target.name, "to_id": target.id}
        await _record(session, studio, actor_id, "moved", detail)
        return {"id": studio.id, "name": studio.name, "union": target.name, "old_union": old.name}

    r = run_in_session(work, as_json=as_json)
    emit(r, f"已移动 / moved: {r['name']}: {r['old_union']} → {r['union']}", as_json=as_json)


@studio_app.command("set")
def studio_set(
    name: NameArg,
    enterprise: Annotated[str | None, typer.Option(help="所在企业 / enterprise")] = None,
    venue: Annotated[str | None, typer.Option(help="活动场所 / venue")] = None,
    equipment: Annotated[str | None, typer.Option(help="设备 / equipment")] = None,
    by: str | None = ByOption,
    as_json: bool = JsonOption,
) -> None:
    """Change a studio's enterprise, venue or equipment."""
    wanted = {
        k: v.strip()
        for k, v in (("enterprise", enterprise), ("venue", venue), ("equipment", equipment))
        if v is not None
    }

    async def work(session: AsyncSession, _: Settings) -> dict[str, Any]:
        actor_id = await operator(session, by)
        studio = await find_studio(session, name)
        if not wanted:
            raise CliError("请给出 --enterprise、--venue 或 --equipment / give --enterprise, --venue or --equipment")
        changed = {k: {"from": getattr(studio, k), "to": v} for k, v in wanted.items() if getattr(studio, k) != v}
        for key, change in changed.items():
            setattr(studio, key, change["to"])
        if changed:
            await _record(session, studio, actor_id, "updated", changed)
        return {"id": studio.id, "name": studio.name, "changed": changed}

    r = run_in_session(work, as_json=as_json)
    fields = "、".join(f"{k}: {v['from'] or '-'} → {v['to'] or '-'}" for k, v in r["changed"].items())
    emit(r, f"已修改 / updated: {r['name']}: {fields or '无变化 / nothing changed'}", as_json=as_json)


@studio_app.command("deactivate")
def studio_deactivate(name: NameArg, by: str | None = ByOption, as_json: bool = JsonOption) -> None:
    """Deactivate a studio: it keeps its ledgers and history, and leaves lists, pickers and reminders."""

    async def work(session: AsyncSession, _: Settings) -> dict[str, Any]:
        actor_id = await operator(session, by)
        studio = await find_studio(session, name)
        studio.active = False
        await record(
            session, actor_id=actor_id, object_type="studio", object_id=studio.id, from_state="active",
            to_state="inactive", studio_id=studio.id,
        )  # fmt: skip
        return {"id": studio.id, "name": studio.name, "active": False}

    r = run_in_session(work, as_json=as_json)
    emit(r, f"已停用 / deactivated: {r['name']}", as_json=as_json)


async def _record(session: AsyncSession, studio: Studio, actor_id: int | None, to: str, detail: dict[str, Any]) -> None:
    await record(
        session, actor_id=actor_id, object_type="studio", object_id=studio.id, to_state=to, studio_id=studio.id,
        detail=detail,
    )  # fmt: skip
