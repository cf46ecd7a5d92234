"""Who is speaking on a channel: identity, person, active roles and open conversation in one statement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapper, class_mapper, make_transient_to_detached

from storage.direct import DirectRead
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
_READ = DirectRead(_SPEAKER)


class _Part(NamedTuple):
    """One entity's columns in the statement's rows: where they sit and the attribute each loads."""

    entity: type[Any]
    mapper: Mapper[Any]
    start: int
    end: int
    keys: tuple[str, ...]


def _layout() -> tuple[_Part, ...]:
    """Per entity, in the statement's column order, its part of a row."""
    columns = list(_SPEAKER.selected_columns)
    parts, start = [], 0
    for entity in (ChannelIdentity, Person, Role, Conversation):
        mapper = class_mapper(entity)
        count = len(mapper.column_attrs)
        keys = tuple(mapper.get_property_by_column(column).key for column in columns[start : start + count])
        parts.append(_Part(entity, mapper, start, start + count, keys))
        start += count
    return tuple(parts)


_LAYOUT = _layout()


@dataclass
class Speaker:
    """A bound channel user as one turn needs them."""

    identity: ChannelIdentity
    person: Person
    roles: list[Role] = field(default_factory=list)
    conversation: Conversation | None = None


async def speaker(*, session: AsyncSession, channel: str, external_id: str) -> Speaker | None:
    """The bound speaker behind a channel user id, or None for a stranger."""
    params = {"channel": channel, "external_id": external_id}
    rows = await _READ.rows(session, params)
    if rows is None:  # not PostgreSQL: the ORM's own query
        found = (await session.execute(_SPEAKER, params)).all()
        if not found:
            return None
        identity, person, _, conversation = found[0]
        return Speaker(identity, person, [row[2] for row in found if row[2] is not None], conversation)
    if not rows:
        return None
    identities, people, roles, conversations = _LAYOUT
    first = rows[0]
    return Speaker(
        _loaded(session, identities, first),
        _loaded(session, people, first),
        [_loaded(session, roles, row) for row in rows if row[roles.start] is not None],
        _loaded(session, conversations, first) if first[conversations.start] is not None else None,
    )


def _loaded(session: AsyncSession, part: _Part, row: Sequence[Any]) -> Any:
    """The session's object for this part of a row, as a query would give it: the one already in the session if any
    (left as it is), else one made from the row and attached as loaded (persistent, nothing to write)."""
    values = dict(zip(part.keys, row[part.start : part.end], strict=True))
    found = session.identity_map.get(part.mapper.identity_key_from_primary_key((values["id"],)))
    if found is not None:
        return found
    made = part.entity()
    # the row's values go in as loaded, not as changes: make_transient_to_detached resets all history "as though
    # the instance were freshly loaded from a query" (its documented contract); setting them through the
    # constructor recorded each one as a change first, at twice the cost (set_committed_value: 1.5 times)
    vars(made).update(values)
    make_transient_to_detached(made)
    session.add(made)
    return made
