"""Who is speaking on a channel: identity, person, active roles and open conversation in one statement."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChannelIdentity, Conversation, Person, Role

# Built once: every inbound event runs it, and building the statement costs more than running it.
_SPEAKER = (
    select(ChannelIdentity, Person, Role, Conversation)
    .join(Person, Person.id == ChannelIdentity.person_id)
    .outerjoin(Role, and_(Role.person_id == Person.id, Role.active.is_(True)))
    .outerjoin(
        Conversation,
        and_(Conversation.channel == ChannelIdentity.channel, Conversation.user_id == ChannelIdentity.external_id),
    )
    .where(ChannelIdentity.channel == bindparam("channel"), ChannelIdentity.external_id == bindparam("external_id"))
    .order_by(Role.id)
)


@dataclass
class Speaker:
    """A bound channel user as one turn needs them."""

    identity: ChannelIdentity
    person: Person
    roles: list[Role] = field(default_factory=list)
    conversation: Conversation | None = None


async def speaker(*, session: AsyncSession, channel: str, external_id: str) -> Speaker | None:
    """The bound speaker behind a channel user id, or None for a stranger."""
    rows = (await session.execute(_SPEAKER, {"channel": channel, "external_id": external_id})).all()
    if not rows:
        return None
    identity, person, _, conversation = rows[0]
    return Speaker(identity, person, [row[2] for row in rows if row[2] is not None], conversation)
