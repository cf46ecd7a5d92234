"""`studio-bot union add` and `studio add`, and the `union` and `studio` command groups that the org_* modules fill."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.common import CliError, JsonOption, app, cli_date, cli_name, cli_today, emit, fail, run_in_session
from bot.cli.org_common import ByOption, find_union, operator, record, word
from bot.settings import Settings
from storage.models import UnionLevel
from storage.names import ENTERPRISE_MAX, STUDIO_NAME_MAX, UNION_NAME_MAX
from storage.repos import org, studio_cycles
from storage.vocabulary import LEVELS

union_app = typer.Typer(help="工会 / unions", no_args_is_help=True)
studio_app = typer.Typer(help="工作室 / studios", no_args_is_help=True)
app.add_typer(union_app, name="union")
app.add_typer(studio_app, name="studio")


@union_app.command("add")
def union_add(
    name: Annotated[str, typer.Argument(help="工会名称 / union name")],
    level: Annotated[str, typer.Option(help="层级 / level: " + LEVELS.help())],
    parent: Annotated[str | None, typer.Option(help="上级工会 / parent union")] = None,
    by: str | None = ByOption,
    as_json: bool = JsonOption,
) -> None:
    """Add a union to the hierarchy."""
    union_level = word(LEVELS, level, what=("层级", "level"), as_json=as_json)
    name = cli_name(name, UNION_NAME_MAX, as_json=as_json)
    parent = parent.strip() if parent else None
    if parent and union_level is UnionLevel.MUNICIPAL:
        fail("市级工会没有上级 / a municipal union has no parent", as_json=as_json)

    async def work(session: AsyncSession, _: Settings) -> dict[str, Any]:
        if await org.get_union(session=session, name=name):
            raise CliError(f"工会已存在 / union already exists: {name}")
        actor_id = await operator(session, by)
        parent_union = None
        # Without --parent a district or enterprise union stands alone until it is linked later.
        if parent:
            parent_union = await org.get_union(session=session, name=parent)
            if parent_union is None or not parent_union.active:
                raise CliError(f"没有这个上级工会 / no such parent union: {parent}")
            if not org.may_be_parent(parent_union.level, union_level):
                raise CliError(
                    f"{parent}（{parent_union.level.value}）不能是 {union_level.value} 工会的上级"
                    f" / level {parent_union.level.value} cannot be the parent of level {union_level.value}"
                )
        union = await org.create_union(session=session, name=name, level=union_level, parent=parent_union)
        await record(session, actor_id=actor_id, object_type="union", object_id=union.id, to_state="created")
        return {"id": union.id, "name": union.name, "level": union.level.value, "parent": parent}

    result = run_in_session(work, as_json=as_json)
    emit(result, f"已添加工会 / union added: {result['name']} ({result['level']}, id {result['id']})", as_json=as_json)


@studio_app.command("add")
def studio_add(
    name: Annotated[str, typer.Argument(help="工作室名称 / studio name")],
    union: Annotated[str, typer.Option(help="所属工会 / the union it belongs to")],
    enterprise: Annotated[str, typer.Option(help="所在企业 / enterprise")] = "",
    venue: Annotated[str, typer.Option(help="活动场所 / venue")] = "",
    equipment: Annotated[str, typer.Option(help="设备 / equipment")] = "",
    named_on: Annotated[str | None, typer.Option(help="命名日期 / named on (starts its cycle)")] = None,
    by: str | None = ByOption,
    as_json: bool = JsonOption,
) -> None:
    """Add a studio; --named-on starts its first three-year cycle."""
    today = cli_today()
    named = cli_date(named_on, what="--named-on", as_json=as_json, today=today)
    if named is not None and named > today:
        fail(
            f"--named-on {named} 晚于今天（{today}），工作室不能在将来命名"
            f" / --named-on {named} is after today ({today}); a studio cannot be named in the future",
            as_json=as_json,
        )
    name = cli_name(name, STUDIO_NAME_MAX, as_json=as_json)
    enterprise = enterprise.strip()
    if len(enterprise) > ENTERPRISE_MAX:
        fail(f"企业名称超过 {ENTERPRISE_MAX} 个字 / --enterprise is longer than {ENTERPRISE_MAX}", as_json=as_json)

    union = union.strip()

    async def work(session: AsyncSession, _: Settings) -> dict[str, Any]:
        actor_id = await operator(session, by)
        owner = await find_union(session, union)
        if await org.get_studio(session=session, name=name):
            raise CliError(f"工作室已存在 / studio already exists: {name}")
        studio = await org.create_studio(
            session=session,
            name=name,
            union=owner,
            enterprise=enterprise.strip(),
            venue=venue.strip(),
            equipment=equipment.strip(),
            named_on=named,
        )
        await record(
            session,
            actor_id=actor_id,
            object_type="studio",
            object_id=studio.id,
            to_state="created",
            studio_id=studio.id,
        )
        cycle = await studio_cycles.current_cycle(session=session, studio_id=studio.id)
        return {
            "id": studio.id,
            "name": studio.name,
            "union": owner.name,
            "status": studio.status.value,
            "named_on": named,
            "cycle_ends_on": cycle.ends_on if cycle else None,
        }

    result = run_in_session(work, as_json=as_json)
    cycle_note = f", 周期至 / cycle ends {result['cycle_ends_on']}" if result["cycle_ends_on"] else ""
    emit(result, f"已添加工作室 / studio added: {result['name']} (id {result['id']}{cycle_note})", as_json=as_json)
