"""The speaker read on PostgreSQL's direct path (storage.direct): the objects the ORM's query gives, the session's own.

Each turn's first statement runs on asyncpg's connection beneath the session instead of through SQLAlchemy's
execution; these tests hold it to what the ORM gave: every attribute as the ORM reads it (timestamps aware, the
conversation's data a dict, role kinds as enums), objects the session writes back, the session's own object where it
already holds one, pending changes seen, and a dead connection failing the turn as any statement does.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from handlers.engine.failures import database_unavailable
from storage.base import utcnow
from storage.models import ChannelIdentity, Conversation, Person, Role, RoleKind
from storage.repos import conversations, org, speakers
from tests.support import World
from tests.support.fixtures import world_fixture  # noqa: F401
from tests.support.sql import statements


@pytest.fixture
def postgres_only(engine: AsyncEngine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the direct path is PostgreSQL's; SQLite runs the ORM's query itself")


def _columns(obj: Any) -> dict[str, Any]:
    return {attr.key: getattr(obj, attr.key) for attr in inspect(type(obj)).column_attrs}


async def _orm_speaker(session: AsyncSession, user: str) -> list[Any]:
    return list((await session.execute(speakers._SPEAKER, {"channel": "test", "external_id": user})).all())


async def test_the_direct_read_gives_what_the_orm_query_gives(
    postgres_only: None, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as s, s.begin():  # a second role and an open conversation with data
        await org.grant_role(session=s, person=world.lead, kind=RoleKind.MEMBER, studio=world.studio)
        await conversations.save(
            session=s, channel="test", user_id="lead", flow="activity", step="title",
            data={"kind": "技术交流", "participants": [1, 2]}, expires_at=utcnow() + timedelta(hours=1),
            now=utcnow(), expected_version=None,
        )  # fmt: skip
    async with sessions() as s:
        found = await speakers.speaker(session=s, channel="test", external_id="lead")
        assert found is not None
        made = [found.identity, found.person, *found.roles, found.conversation]
        # loaded, as the query's objects are: in the session, nothing to write
        assert all(inspect(obj).persistent and not inspect(obj).modified for obj in made)
        assert not s.dirty and not s.new
    async with sessions() as s:
        rows = await _orm_speaker(s, "lead")
    assert found is not None
    identity, person, _, conversation = rows[0]
    assert _columns(found.identity) == _columns(identity)
    assert _columns(found.person) == _columns(person)
    assert [_columns(r) for r in found.roles] == [_columns(row[2]) for row in rows]
    assert [r.kind for r in found.roles] == [RoleKind.LEAD, RoleKind.MEMBER]
    assert all(isinstance(r.kind, RoleKind) for r in found.roles)  # converted as the ORM converts them
    assert found.conversation is not None and _columns(found.conversation) == _columns(conversation)
    assert found.conversation.data == {"kind": "技术交流", "participants": [1, 2]}
    assert found.identity.created_at.utcoffset() == timedelta(0)


async def test_a_stranger_is_nobody_and_a_conversation_less_speaker_has_none(
    postgres_only: None, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as s:
        assert await speakers.speaker(session=s, channel="test", external_id="nobody") is None
        found = await speakers.speaker(session=s, channel="test", external_id="m1")
    assert found is not None and found.conversation is None
    assert [r.kind for r in found.roles] == [RoleKind.MEMBER]


async def test_what_a_turn_changes_on_the_speaker_is_written(
    postgres_only: None, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    later = utcnow() + timedelta(days=1)
    async with sessions() as s, s.begin():
        found = await speakers.speaker(session=s, channel="test", external_id="lead")
        assert found is not None and inspect(found.person).persistent and inspect(found.identity).persistent
        found.identity.last_inbound_at = later
        found.person.locale = "en"
    async with sessions() as s:
        assert await s.scalar(select(ChannelIdentity.last_inbound_at).where(ChannelIdentity.external_id == "lead")) == (
            later
        )
        assert await s.scalar(select(Person.locale).where(Person.id == world.lead.id)) == "en"


async def test_the_sessions_own_objects_and_pending_changes_are_what_the_read_sees(
    postgres_only: None, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as s, s.begin():
        held = await s.get(Person, world.lead.id)
        assert held is not None
        held.name = "张工（改）"  # changed in this session, not yet flushed
        s.add(Role(person_id=world.lead.id, kind=RoleKind.MEMBER, studio_id=world.studio.id))  # pending
        found = await speakers.speaker(session=s, channel="test", external_id="lead")
        assert found is not None
        assert found.person is held and found.person.name == "张工（改）"
        assert [r.kind for r in found.roles] == [RoleKind.LEAD, RoleKind.MEMBER]
        assert all(r in s for r in found.roles)
        again = await speakers.speaker(session=s, channel="test", external_id="lead")
        assert again is not None and again.identity is found.identity and again.roles == found.roles


async def test_the_read_is_counted_as_a_statement(
    postgres_only: None, world: World, engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    with statements(engine) as sent:
        async with sessions() as s:
            await speakers.speaker(session=s, channel="test", external_id="lead")
    assert len(sent) == 1 and "channel_identities" in sent[0]


async def test_a_dead_connection_fails_the_read_as_sqlalchemy_does(
    postgres_only: None, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as s:
        await s.execute(text("select 1"))
        backend = await s.scalar(text("select pg_backend_pid()"))
        async with sessions() as killer, killer.begin():
            await killer.execute(text("select pg_terminate_backend(:pid)"), {"pid": backend})
        with pytest.raises(DBAPIError) as caught:
            await speakers.speaker(session=s, channel="test", external_id="lead")
    assert caught.value.connection_invalidated and database_unavailable(caught.value)
    async with sessions() as s:  # the pool gave the dead connection up: the next read works
        assert await speakers.speaker(session=s, channel="test", external_id="lead") is not None


async def test_conversations_still_read_their_own_rows(
    postgres_only: None, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as s, s.begin():
        await conversations.save(
            session=s, channel="test", user_id="m1", flow="activity", step="date", data={}, expires_at=utcnow(),
            now=utcnow(), expected_version=None,
        )  # fmt: skip
    async with sessions() as s:
        found = await speakers.speaker(session=s, channel="test", external_id="m1")
        loaded = await s.scalar(select(Conversation).where(Conversation.user_id == "m1"))
    assert found is not None and found.conversation is loaded
