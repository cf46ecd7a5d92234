"""Who `invite --name` means: an existing person only when --person or --phone says so, never by name alone."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.common import CliError
from bot.cli.org_common import record
from storage.models import Person, Role, RoleKind, Studio, Union
from storage.repos import org


def _describe(person: Person) -> str:
    facts = "，".join(f for f in (person.phone or "", person.enterprise) if f)
    return f"#{person.id}" + (f" {facts}" if facts else "")


async def invitee(
    session: AsyncSession,
    *,
    name: str,
    phone: str | None,
    person_id: int | None,
    enterprise: str,
    actor_id: int | None,
) -> Person:
    """The person to invite: --person ID, the one of that name with --phone, or somebody new (audited)."""
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
        return person
    same = await org.find_people(session=session, name=name)
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
        return same[0]
    person = await org.create_person(session=session, name=name, phone=phone, enterprise=enterprise)
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
