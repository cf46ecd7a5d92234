"""Who `invite --name` means: an existing person only when --person or --phone says so, never by name alone."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.common import CliError
from bot.cli.org_common import record
from storage.models import STUDIO_ROLES, Person, Role, RoleKind, Studio, Union, UnionLevel, role_fits_union
from storage.repos import org, persons
from storage.vocabulary import LEVELS, ROLES


def _describe(person: Person) -> str:
    facts = "，".join(f for f in (person.phone or "", person.enterprise) if f)
    return f"#{person.id}" + (f" {facts}" if facts else "")


async def invitee(
    session: AsyncSession,
    *,
    name: str,
    phone: str | None,
    person_id: int | None,
    enterprise: str | None,
    actor_id: int | None,
    default_enterprise: str = "",
) -> Person:
    """The person to invite: --person ID, the one of that name with --phone, or somebody new (audited).

    --enterprise sets the enterprise of an existing person too (an expert's recusal reads it).
    """
    if person_id is not None:
        person = await session.get(Person, person_id)
        if person is None or not person.active:
            raise CliError(f"没有这个人员 / no such person: #{person_id}")
        if person.name != name:
            raise CliError(f"人员 #{person_id} 是 {person.name}，不是 {name} / person #{person_id} is {person.name}")
        if phone and person.phone and person.phone != phone:
            raise CliError(f"人员 #{person_id} 的手机是 {person.phone} / person #{person_id} has another phone")
        if phone and not person.phone:
            person.phone = phone
        await _set_enterprise(session, person, enterprise, actor_id=actor_id)
        return person
    same = await persons.find_people(session=session, name=name)
    if phone:
        same = [p for p in same if p.phone == phone]
        if len(same) > 1:
            ids = "、".join(_describe(p) for p in same)
            raise CliError(
                f"{name}（{phone}）有多条记录 {ids}，请用 --person ID / several records match; add --person ID"
            )
    elif same:
        ids = "；".join(_describe(p) for p in same)
        raise CliError(
            f"已有 {name}（{ids}）：是同一人请加 --person ID，是另一人请加 --phone"
            f" / {name} already exists ({ids}): add --person ID for that person, or --phone for somebody else"
        )
    if same:
        await _set_enterprise(session, same[0], enterprise, actor_id=actor_id)
        return same[0]
    person = await persons.create_person(
        session=session, name=name, phone=phone, enterprise=default_enterprise if enterprise is None else enterprise
    )
    await record(session, actor_id=actor_id, object_type="person", object_id=person.id, to_state="created")
    return person


def holds(roles: list[Role], kind: RoleKind, studio: Studio | None, union: Union | None) -> bool:
    """Whether these active roles already include this one (granting it again changes nothing)."""
    wanted = (kind, studio.id if studio else None, union.id if union else None)
    return any((r.kind, r.studio_id, r.union_id) == wanted for r in roles)


async def record_grant(session: AsyncSession, role: Role, person: Person, *, actor_id: int | None) -> None:
    """The audit row of a role given (or given back) by `invite`."""
    await record(
        session,
        actor_id=actor_id,
        object_type="role",
        object_id=role.id,
        to_state="active",
        studio_id=role.studio_id,
        detail={"kind": role.kind.value, "person_id": person.id, "name": person.name},
    )


async def _set_enterprise(
    session: AsyncSession, person: Person, enterprise: str | None, *, actor_id: int | None
) -> None:
    if enterprise is None or enterprise == person.enterprise:
        return
    before, person.enterprise = person.enterprise, enterprise
    await record(
        session,
        actor_id=actor_id,
        object_type="person",
        object_id=person.id,
        from_state=before,
        to_state=enterprise,
        detail={"field": "enterprise"},
    )


async def placement(
    session: AsyncSession, kind: RoleKind, studio: Studio | None, union: Union | None
) -> tuple[Studio | None, Union | None]:
    """Where the role is held: a studio role on the studio, a union role on a union of a level that fits it.

    `--studio S --role enterprise` means the enterprise union S belongs to.
    """
    if kind in STUDIO_ROLES:
        return studio, None
    if studio is not None and kind is RoleKind.ENTERPRISE:
        chain = await org.union_chain(session=session, union_id=studio.union_id)
        union = next((u for u in chain if u.level is UnionLevel.ENTERPRISE), None)
        if union is None:
            raise CliError(f"{studio.name} 不属于企业工会，请用 --union / {studio.name} is under no enterprise union")
    assert union is not None
    if not role_fits_union(kind, union.level):
        raise CliError(misplaced(kind, union))
    return None, union


def misplaced(kind: RoleKind, union: Union) -> str:
    """Why a union role cannot be held on this union, and which role (or union) is meant instead."""
    if kind is RoleKind.REVIEWER and union.level is UnionLevel.MUNICIPAL:
        return (
            f"{union.name} 是市级工会：市职工技协的审核、公示、命名由 --role association 担任"
            f" / {union.name} is the municipal union: its officer is --role association"
        )
    if kind is RoleKind.ASSOCIATION:
        return (
            "--role association 只能在市级工会（市职工技协）；区县局、产业工会用 --role reviewer"
            " / --role association is held on the municipal union; a district or industry union has --role reviewer"
        )
    levels = "、".join(LEVELS.zh(level) for level in UnionLevel if role_fits_union(kind, level))
    return f"角色 {ROLES.zh(kind)} 只能在{levels}工会 / role {kind.value} is held on a {levels} union, not {union.name}"
