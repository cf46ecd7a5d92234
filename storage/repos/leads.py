"""One lead per studio: whom a new lead would displace, and making someone the lead (a replacement audited).

The admin CLI (`invite --role lead [--replace]`) and the bulk import both go through here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Person, Role, RoleKind, Studio
from storage.repos import audit, org

REPLACED = "更换领衔人 / lead replaced"  # the audit reason of both rows a replacement writes


class LeadTaken(Exception):
    """The studio already has a lead, and replacing them was not asked for."""

    def __init__(self, studio: str, leads: Sequence[str]) -> None:
        self.studio, self.leads = studio, tuple(leads)
        names = "、".join(self.leads)
        super().__init__(f"{studio} 已有领衔人 {names} / the studio already has a lead ({names})")


def displaced(*, studio: str, current: Sequence[Person], person_id: int, replace: bool) -> list[Person]:
    """The current leads a new lead would replace; raises LeadTaken if there are any and replace is False."""
    others = [p for p in current if p.id != person_id]
    if others and not replace:
        raise LeadTaken(studio, [p.name for p in others])
    return others


async def assign_lead(
    *,
    session: AsyncSession,
    studio: Studio,
    person: Person,
    replace: bool,
    actor_id: int | None,
    channel: str,
    now: datetime | None = None,
) -> Role:
    """Make the person the studio's lead; with replace, end the current lead's role. Flushes, never commits.

    A replacement writes two audit rows (the old role revoked, the new one active). An old lead's
    unused invite then no longer binds: binding asks whether its role is still held.
    """
    current = await org.leads_of(session=session, studio_id=studio.id)
    old = displaced(studio=studio.name, current=current, person_id=person.id, replace=replace)
    for lead in old:
        role = await org.revoke_role(session=session, person=lead, kind=RoleKind.LEAD, studio=studio)
        if role is not None:
            await _record(session, role, lead, "revoked", person.name, actor_id, channel, now)
    role = await org.grant_role(session=session, person=person, kind=RoleKind.LEAD, studio=studio)
    if old:
        await _record(session, role, person, "active", "、".join(p.name for p in old), actor_id, channel, now)
    return role


async def _record(
    session: AsyncSession,
    role: Role,
    person: Person,
    to_state: str,
    other: str,
    actor_id: int | None,
    channel: str,
    now: datetime | None,
) -> None:
    """One audit row per lead role a replacement moves."""
    await audit.record(
        session=session,
        actor_id=actor_id,
        channel=channel,
        object_type="role",
        object_id=role.id,
        from_state="active" if to_state == "revoked" else None,
        to_state=to_state,
        reason=REPLACED,
        studio_id=role.studio_id,
        detail={
            "kind": role.kind.value,
            "person_id": person.id,
            "name": person.name,
            ("replaced_by" if to_state == "revoked" else "replaces"): other,
        },
        at=now,
    )
