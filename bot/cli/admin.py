"""Admin commands of this layer: init, union add, studio add, invite."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import typer
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.common import (
    CliError,
    JsonOption,
    app,
    cli_date,
    cli_name,
    cli_today,
    database_problem,
    emit,
    fail,
    run,
    run_in_session,
)
from bot.cli.invitee import holds, invitee, placement, record_grant
from bot.cli.org_common import ByOption, find_studio, find_union, operator, record, word
from bot.settings import Settings, load_settings
from storage.migrate import upgrade
from storage.models import STUDIO_ROLES, UNION_ROLES, Person, RoleKind, UnionLevel
from storage.names import ENTERPRISE_MAX, PERSON_NAME_MAX, STUDIO_NAME_MAX, UNION_NAME_MAX
from storage.repos import invites, leads, org, studio_cycles
from storage.vocabulary import GRADE_WORDS, LEVELS, ROLES

CHANNEL = "cli"  # the audit trail's channel for changes made with this command
ADMIN_IS_NOT_ASSOCIATION = (
    "注意：系统管理员只管理人员和角色，不作审核、公示、命名等决定；市职工技协审核人请用 --role association"
    " / note: a system admin manages people and roles and decides nothing; the association is --role association"
)

union_app = typer.Typer(help="工会 / unions", no_args_is_help=True)
studio_app = typer.Typer(help="工作室 / studios", no_args_is_help=True)
app.add_typer(union_app, name="union")
app.add_typer(studio_app, name="studio")


@app.command()
def init(as_json: bool = JsonOption) -> None:
    """Create or upgrade the database (Alembic upgrade head); safe to run twice."""
    settings = load_settings()
    try:
        before, after = run(upgrade(settings.database_url, sqlite_fast_path=settings.sqlite_fast_path))
    except (DBAPIError, OSError) as exc:
        fail(database_problem(exc), as_json=as_json)
    emit(
        {"database": _safe_url(settings), "before": before, "after": after},
        f"数据库已就绪 / database ready: {_safe_url(settings)} (revision {after})",
        as_json=as_json,
    )


def _safe_url(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)


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


@app.command()
def invite(
    name: Annotated[str, typer.Option(help="姓名 / the person's name")],
    role: Annotated[str, typer.Option(help="角色 / role: " + ROLES.help())],
    studio: Annotated[
        str | None, typer.Option(help="工作室 / studio (for lead, member; enterprise: its enterprise union)")
    ] = None,
    union: Annotated[
        str | None,
        typer.Option(
            help="工会 / union (enterprise: 企业工会, reviewer: 区县局/产业, association: 市级, expert, admin)"
        ),
    ] = None,
    grade: Annotated[str | None, typer.Option(help="技术等级 / grade: " + GRADE_WORDS.help())] = None,
    phone: Annotated[
        str | None, typer.Option(help="手机（区分同名的人） / phone (tells apart people of one name)")
    ] = None,
    person: Annotated[
        int | None, typer.Option("--person", help="已有人员的 ID / the id of a person already recorded")
    ] = None,
    enterprise: Annotated[
        str | None, typer.Option(help="所在企业（新人员或已有人员） / the person's enterprise (new or existing)")
    ] = None,
    replace: Annotated[bool, typer.Option("--replace", help="更换领衔人 / replace the studio's current lead")] = False,
    by: str | None = ByOption,
    as_json: bool = JsonOption,
) -> None:
    """Give a person a role and print a one-time code they send to the bot: 绑定 CODE.

    A name somebody already has needs --person ID (that person) or --phone (whose phone tells them apart).
    """
    kind = word(ROLES, role, what=("角色", "role"), as_json=as_json)
    if kind in STUDIO_ROLES and (not studio or union):
        fail(f"角色 {kind.value} 需要 --studio（不要 --union） / role {kind.value} needs --studio", as_json=as_json)
    if kind in UNION_ROLES and kind is not RoleKind.ENTERPRISE and (not union or studio):
        fail(f"角色 {kind.value} 需要 --union（不要 --studio） / role {kind.value} needs --union", as_json=as_json)
    if kind is RoleKind.ENTERPRISE and bool(union) == bool(studio):
        fail(
            "角色 enterprise 需要 --studio 或 --union（二选一） / role enterprise needs --studio or --union",
            as_json=as_json,
        )
    grade = word(GRADE_WORDS, grade, what=("等级", "grade"), as_json=as_json) if grade is not None else None
    phone = phone.strip() or None if phone else None
    studio, union = studio.strip() if studio else None, union.strip() if union else None
    name = cli_name(name, PERSON_NAME_MAX, as_json=as_json)

    person_id = person

    async def work(session: AsyncSession, settings: Settings) -> dict[str, Any]:
        actor_id = await operator(session, by)
        named_studio = await find_studio(session, studio) if studio else None
        target_union = await find_union(session, union) if union else None
        target_studio, target_union = await placement(session, kind, named_studio, target_union)
        if kind is RoleKind.ADMIN and target_union is not None and target_union.level is UnionLevel.MUNICIPAL:
            notes.append(ADMIN_IS_NOT_ASSOCIATION)
        person = await invitee(
            session,
            name=name,
            phone=phone,
            person_id=person_id,
            enterprise=enterprise.strip() if enterprise is not None else None,
            default_enterprise=named_studio.enterprise if named_studio else "",
            actor_id=actor_id,
        )
        if grade and person.grade != grade:
            person.grade = grade
        held = holds(await org.roles_of(session=session, person_id=person.id), kind, target_studio, target_union)
        replaced: list[Person] = []
        if kind is RoleKind.LEAD and target_studio is not None:
            current = await org.leads_of(session=session, studio_id=target_studio.id)
            replaced = [lead for lead in current if lead.id != person.id]
            try:
                role = await leads.assign_lead(
                    session=session,
                    studio=target_studio,
                    person=person,
                    replace=replace,
                    actor_id=actor_id,
                    channel=CHANNEL,
                )
            except leads.LeadTaken as taken:
                names = "、".join(taken.leads)
                raise CliError(
                    f"{target_studio.name} 已有领衔人 {names}；更换请加 --replace"
                    f" / the studio already has a lead ({names}); add --replace to change it"
                ) from None
        else:
            role = await org.grant_role(
                session=session, person=person, kind=kind, studio=target_studio, union=target_union
            )
        if not held and not replaced:  # a replacement is audited by assign_lead
            await record_grant(session, role, person, actor_id=actor_id)
        code, row = await invites.issue_invite(
            session=session,
            person=person,
            role=kind,
            studio=target_studio,
            union=target_union,
            ttl=timedelta(days=settings.invite_ttl_days),
        )
        return {
            "code": code,
            "person_id": person.id,
            "name": person.name,
            "role": kind.value,
            "studio": target_studio.name if target_studio else None,
            "union": target_union.name if target_union else None,
            "expires_at": row.expires_at.astimezone(settings.tz).isoformat(timespec="minutes"),
        }

    notes: list[str] = []
    result = run_in_session(work, as_json=as_json)
    emit(
        result,
        f"{result['name']}（{ROLES.zh(kind)}）的绑定码 / binding code: {result['code']}\n"
        f"请在聊天中发送 / send in chat: 绑定 {result['code']}"
        f"  (有效期至 / valid until {result['expires_at'].replace('T', ' ')})" + "".join(f"\n{n}" for n in notes),
        as_json=as_json,
    )
