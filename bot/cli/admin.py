"""An administrator's first commands: `init` (create or upgrade the database), `invite` (a role, its binding code)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import typer
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.common import CliError, JsonOption, app, cli_name, database_problem, emit, fail, run, run_in_session
from bot.cli.invitee import holds, invitee, placement, record_grant
from bot.cli.org_common import ByOption, find_studio, find_union, operator, word
from bot.settings import Settings, load_settings
from storage.migrate import upgrade
from storage.models import STUDIO_ROLES, UNION_ROLES, Person, RoleKind, UnionLevel
from storage.names import PERSON_NAME_MAX
from storage.repos import invites, leads, org
from storage.vocabulary import GRADE_WORDS, ROLES

CHANNEL = "cli"  # the audit trail's channel for changes made with this command
ADMIN_IS_NOT_ASSOCIATION = (
    "注意：系统管理员只管理人员和角色，不作审核、公示、命名等决定；市职工技协审核人请用 --role association"
    " / note: a system admin manages people and roles and decides nothing; the association is --role association"
)


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
