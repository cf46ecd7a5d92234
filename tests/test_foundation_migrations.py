"""Migrations: from an empty database to head, twice, down and up again, and equal to the models."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import make_url

from storage.base import utcnow
from storage.database import create_engine, is_sqlite, session_factory
from storage.migrate import alembic_config, head_revision, upgrade
from storage.models import Base, UnionLevel
from storage.repos import org
from tests.conftest import _admin_exec


@pytest.fixture
def empty_url(tmp_path: Path, postgres_server_url: str | None) -> Iterator[str]:
    """A database with no tables at all: PostgreSQL when TEST_DATABASE_URL names it, else a new SQLite file."""
    wanted = os.environ.get("TEST_DATABASE_URL", "")
    if not wanted or is_sqlite(wanted):
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    assert postgres_server_url is not None
    name = f"empty_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin_exec(postgres_server_url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin_exec(postgres_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _sync(url: str, fn: Any) -> Any:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            return await conn.run_sync(fn)
    finally:
        await engine.dispose()


def _tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names()) - {"alembic_version"}


def _diff(conn: Connection) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata))


def _step(target: str, direction: str) -> Any:
    from alembic import command

    def run(conn: Connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        getattr(command, direction)(cfg, target)

    return run


def test_there_is_exactly_one_head() -> None:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, f"several Alembic heads, merge them: {heads}"
    assert head_revision() == heads[0]


async def test_upgrade_from_empty_creates_every_table_and_matches_the_models(empty_url: str) -> None:
    assert await _sync(empty_url, _tables) == set()
    before, after = await upgrade(empty_url)
    assert (before, after) == (None, head_revision())
    assert await _sync(empty_url, _tables) == set(Base.metadata.tables)
    # The models and the migrations describe the same schema: a model change needs a migration.
    assert await _sync(empty_url, _diff) == []


async def test_upgrade_twice_is_a_no_op_and_keeps_the_data(empty_url: str) -> None:
    await upgrade(empty_url)
    engine = create_engine(empty_url)
    try:
        async with session_factory(engine)() as session:
            await org.create_union(session=session, name="上海市职工技术协会", level=UnionLevel.MUNICIPAL)
            await session.commit()
        assert await upgrade(empty_url) == (head_revision(), head_revision())
        async with session_factory(engine)() as session:
            assert await org.get_union(session=session, name="上海市职工技术协会") is not None
    finally:
        await engine.dispose()


async def test_every_revision_goes_down_and_up_again(empty_url: str) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    await upgrade(empty_url)
    for _ in revisions:
        await _sync(empty_url, _step("-1", "downgrade"))
    assert await _sync(empty_url, _tables) == set()
    for _ in revisions:
        await _sync(empty_url, _step("+1", "upgrade"))
    assert await _sync(empty_url, _diff) == []


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'studio.db'}"
    await upgrade(url)
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    finally:
        await engine.dispose()


async def test_concurrent_inits_on_postgres_take_turns(postgres_server_url: str | None) -> None:
    if postgres_server_url is None:
        pytest.skip("PostgreSQL is not reachable")
    name = f"empty_{uuid.uuid4().hex[:10]}"
    await _admin_exec(postgres_server_url, f'CREATE DATABASE "{name}"')
    try:
        url = make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
        results = await asyncio.gather(*(upgrade(url) for _ in range(3)))
        befores = [before for before, _ in results]
        assert befores.count(None) == 1 and befores.count(head_revision()) == 2  # exactly one did the work
        assert {after for _, after in results} == {head_revision()}
    finally:
        await _admin_exec(postgres_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_telegram_push_targets_in_groups_go_back_to_private_chats(empty_url: str) -> None:
    await _sync(empty_url, _step("0001_initial", "upgrade"))
    engine = create_engine(empty_url)
    try:
        # the tables as revision 0001 made them: plain SQL, since today's models have columns added later
        async with engine.begin() as conn:
            for person_id, name in ((1, "王建国"), (2, "陈审核")):
                await conn.execute(
                    text(
                        "INSERT INTO people (id, name, enterprise, locale, created_at)"
                        " VALUES (:id, :name, '', 'zh_CN', :at)"
                    ),
                    {"id": person_id, "name": name, "at": utcnow()},
                )
            for person_id, channel, user, chat in (
                (1, "telegram", "7001", "-1001234567890"),  # moved to a supergroup by a /ledger there
                (2, "telegram", "7002", "7002"),
                (2, "wechat", "o-openid-1", ""),  # other channels keep what they have
            ):
                await conn.execute(
                    text(
                        "INSERT INTO channel_identities (person_id, channel, external_id, chat_id, created_at)"
                        " VALUES (:p, :c, :u, :chat, :at)"
                    ),
                    {"p": person_id, "c": channel, "u": user, "chat": chat, "at": utcnow()},
                )
        await upgrade(empty_url)
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT external_id, chat_id FROM channel_identities"))).all()
    finally:
        await engine.dispose()
    assert sorted(map(tuple, rows)) == [("7001", "7001"), ("7002", "7002"), ("o-openid-1", "")]


PERSON_0001 = "INSERT INTO people (id, name, enterprise, locale, created_at) VALUES (:i, :n, '', 'zh_CN', :at)"
ROLE_0001 = "INSERT INTO roles (person_id, kind, union_id, active, created_at) VALUES (:p, :k, :u, 1=1, :at)"


async def test_the_municipal_reviewer_becomes_the_association_and_an_enterprise_admin_its_contact(
    empty_url: str,
) -> None:
    await _sync(empty_url, _step("0005_turnsafe", "upgrade"))
    engine = create_engine(empty_url)
    unions: tuple[tuple[int, str, str, int | None], ...] = (
        (1, "上海市职工技术协会", "municipal", None),
        (2, "浦东新区总工会", "district", 1),
        (3, "上海电气集团工会", "enterprise", 2),
    )
    # (person, kind, union): what each person held before 0006
    held = ((1, "reviewer", 1), (2, "reviewer", 2), (3, "admin", 3), (4, "admin", 2), (5, "expert", 1))

    async def kinds() -> list[tuple[int, str]]:
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT person_id, kind FROM roles ORDER BY person_id"))).all()
        return [(int(p), str(k)) for p, k in rows]

    try:
        async with engine.begin() as conn:
            for uid, name, level, parent in unions:
                await conn.execute(
                    text("INSERT INTO unions (id, name, level, parent_id, created_at) VALUES (:i, :n, :l, :p, :at)"),
                    {"i": uid, "n": name, "l": level, "p": parent, "at": utcnow()},
                )
            for pid, kind, uid in held:
                await conn.execute(
                    text(PERSON_0001),
                    {"i": pid, "n": f"人{pid}", "at": utcnow()},
                )
                await conn.execute(
                    text(ROLE_0001),
                    {"p": pid, "k": kind, "u": uid, "at": utcnow()},
                )
        await _sync(empty_url, _step("0006_roles", "upgrade"))
        assert await kinds() == [(1, "association"), (2, "reviewer"), (3, "enterprise"), (4, "admin"), (5, "expert")]
        await _sync(empty_url, _step("0005_turnsafe", "downgrade"))
        assert await kinds() == [(p, k) for p, k, _ in held]
    finally:
        await engine.dispose()
