"""Who is speaking on a channel: identity, person, active roles and open conversation in one statement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import class_mapper, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

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
Model = TypeVar("Model")


def _layout() -> list[tuple[type[Any], int, int, tuple[str, ...]]]:
    """Per entity, in the statement's column order: where its columns sit in a row and the attribute each loads."""
    columns = list(_SPEAKER.selected_columns)
    layout, start = [], 0
    for entity in (ChannelIdentity, Person, Role, Conversation):
        mapper = class_mapper(entity)
        count = len(mapper.column_attrs)
        keys = tuple(mapper.get_property_by_column(column).key for column in columns[start : start + count])
        layout.append((entity, start, start + count, keys))
        start += count
    return layout


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
    (_, i0, i1, identity_keys), (_, p0, p1, person_keys), (_, r0, r1, role_keys), (_, c0, c1, conv_keys) = _LAYOUT
    first = rows[0]
    return Speaker(
        _loaded(session, ChannelIdentity, first[i0:i1], identity_keys),
        _loaded(session, Person, first[p0:p1], person_keys),
        [_loaded(session, Role, row[r0:r1], role_keys) for row in rows if row[r0] is not None],
        _loaded(session, Conversation, first[c0:c1], conv_keys) if first[c0] is not None else None,
    )


def _loaded(session: AsyncSession, entity: type[Model], values: Sequence[Any], keys: tuple[str, ...]) -> Model:
    """The session's object for this row, as a query would give it: the one already in the session if any
    (left as it is), else one made from the row and attached as loaded (persistent, nothing to write)."""
    found = session.identity_map.get(identity_key(entity, values[keys.index("id")]))
    if found is not None:
        return found
    made = entity(**dict(zip(keys, values, strict=True)))
    make_transient_to_detached(made)
    session.add(made)
    return made
