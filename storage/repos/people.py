"""Channel identities, studio and union memberships, and failed binding attempts."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import bindparam, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import BindAttempt, ChannelIdentity, Person, Role, RoleKind, Studio


async def identity(*, session: AsyncSession, channel: str, external_id: str) -> ChannelIdentity | None:
    """The identity of this channel user, if bound."""
    return await session.scalar(
        select(ChannelIdentity).where(ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id)
    )


async def owners(*, session: AsyncSession, accounts: Collection[tuple[str, str]]) -> dict[tuple[str, str], Person]:
    """The person behind each (channel, external id) that is bound, in one query."""
    if not accounts:
        return {}
    query = (
        select(ChannelIdentity.channel, ChannelIdentity.external_id, Person)
        .join(Person, Person.id == ChannelIdentity.person_id)
        .where(tuple_(ChannelIdentity.channel, ChannelIdentity.external_id).in_(list(accounts)))
    )
    return {(channel, external): person for channel, external, person in (await session.execute(query)).all()}


async def bind_identity(
    *, session: AsyncSession, person: Person, channel: str, external_id: str, chat_id: str, now: datetime
) -> ChannelIdentity:
    """Link a channel user to a person."""
    row = ChannelIdentity(
        person_id=person.id, channel=channel, external_id=external_id, chat_id=chat_id, last_inbound_at=now
    )
    session.add(row)
    await session.flush()
    return row


# A lead's or member's place in an active studio (not a union role, not a revoked one, not a merged person).
_IN_STUDIO = (
    Role.active.is_(True),
    Role.kind.in_([RoleKind.LEAD, RoleKind.MEMBER]),
    Studio.active.is_(True),
    Person.active.is_(True),
)
# Built once: every flow starts by asking which studio it is for.
_STUDIOS_OF = (
    select(Studio, Role.kind)
    .join(Role, Role.studio_id == Studio.id)
    .join(Person, Person.id == Role.person_id)
    .where(Role.person_id == bindparam("person_id"), *_IN_STUDIO)
    .order_by(Role.kind, Studio.id)
)
_MEMBERS = (
    select(Person, Role.kind)
    .join(Role, Role.person_id == Person.id)
    .join(Studio, Studio.id == Role.studio_id)
    .where(Role.studio_id == bindparam("studio_id"), *_IN_STUDIO)
    .order_by(Role.kind, Person.id)
)
# Built once: the participants question lists these on every step of a conversation that shows it.
_MEMBER_NAMES = _MEMBERS.with_only_columns(Person.name)
# org.leads_of's rows and _MEMBERS's in one read: each active lead or member, with whether _MEMBERS counts them.
_ROSTER = (
    select(Person, Role.kind, Studio.active & Person.active)
    .join(Role, Role.person_id == Person.id)
    .join(Studio, Studio.id == Role.studio_id)
    .where(
        Role.studio_id == bindparam("studio_id"),
        Role.active.is_(True),
        Role.kind.in_([RoleKind.LEAD, RoleKind.MEMBER]),
    )
    .order_by(Role.kind, Person.id)
)


async def studios_of(*, session: AsyncSession, person_id: int) -> list[tuple[Studio, RoleKind]]:
    """The studios a person leads or belongs to, with the role, leads first."""
    return [(studio, kind) for studio, kind in (await session.execute(_STUDIOS_OF, {"person_id": person_id})).all()]


async def members_of(*, session: AsyncSession, studio_id: int) -> list[tuple[Person, RoleKind]]:
    """The lead and members of a studio, lead first."""
    return [(person, kind) for person, kind in (await session.execute(_MEMBERS, {"studio_id": studio_id})).all()]


async def roster(*, session: AsyncSession, studio_id: int) -> list[tuple[Person, RoleKind, bool]]:
    """A studio's active roles of lead and member, lead first: the person, the role, and whether members_of lists
    them (an active person of an active studio); the leads are org.leads_of's."""
    rows = await session.execute(_ROSTER, {"studio_id": studio_id})
    return [(person, kind, bool(listed)) for person, kind, listed in rows.all()]


async def member_names(*, session: AsyncSession, studio_id: int) -> list[str]:
    """The names of a studio's lead and members, lead first, as members_of orders them."""
    return list(await session.scalars(_MEMBER_NAMES, {"studio_id": studio_id}))


async def record_bind_failure(*, session: AsyncSession, channel: str, user_id: str, now: datetime) -> None:
    """Count one failed binding attempt."""
    session.add(BindAttempt(channel=channel, user_id=user_id, at=now))
    await session.flush()


async def bind_failure_times(
    *, session: AsyncSession, since: datetime, channel: str | None = None, user_id: str | None = None
) -> list[datetime]:
    """When this channel user (or, without one, anybody) failed to bind since `since`, oldest first."""
    query = select(BindAttempt.at).where(BindAttempt.at >= since).order_by(BindAttempt.at)
    if channel is not None and user_id is not None:
        query = query.where(BindAttempt.channel == channel, BindAttempt.user_id == user_id)
    return list(await session.scalars(query))
