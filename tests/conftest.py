"""Shared fixtures: a migrated database per test run (SQLite, or PostgreSQL via TEST_DATABASE_URL)."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.channels.telegram import pacing
from storage.database import create_engine, is_sqlite, session_factory
from storage.migrate import upgrade
from storage.models import Base

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


async def _admin_exec(url: str, sql: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


def _postgres_reachable(url: str) -> bool:
    async def probe() -> bool:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                await conn.execute(text("select 1"))
            return True
        except Exception:
            return False
        finally:
            await engine.dispose()

    return asyncio.run(probe())


@pytest.fixture(scope="session")
def postgres_server_url() -> str | None:
    """A reachable PostgreSQL URL (TEST_DATABASE_URL or the local default), or None."""
    url = os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG
    if is_sqlite(url) or not _postgres_reachable(url):
        return None
    return url


def _private_pg_database(server_url: str) -> Iterator[str]:
    # Each run gets its own database so that parallel runs never truncate each other's rows.
    base = make_url(server_url)
    name = f"{base.database or 'test'}_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin_exec(server_url, f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        asyncio.run(upgrade(url))
        yield url
    finally:
        asyncio.run(_admin_exec(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def migrated_url(tmp_path_factory: pytest.TempPathFactory, postgres_server_url: str | None) -> Iterator[str]:
    """The run's database, migrated once: PostgreSQL when TEST_DATABASE_URL says so, else a SQLite template."""
    wanted = os.environ.get("TEST_DATABASE_URL", "")
    if wanted and not is_sqlite(wanted):
        if postgres_server_url is None:
            pytest.exit(f"TEST_DATABASE_URL is set but PostgreSQL does not answer: {wanted}", returncode=3)
        yield from _private_pg_database(postgres_server_url)
        return
    template = tmp_path_factory.mktemp("db") / "template.db"
    asyncio.run(upgrade(f"sqlite+aiosqlite:///{template}"))
    yield f"sqlite+aiosqlite:///{template}"


async def _truncate_all(engine: AsyncEngine) -> None:
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def db_url(migrated_url: str, tmp_path: Path) -> str:
    """A clean, migrated database for one test."""
    if is_sqlite(migrated_url):
        template = Path(make_url(migrated_url).database or "")
        target = tmp_path / "studio.db"
        shutil.copyfile(template, target)
        return f"sqlite+aiosqlite:///{target}"
    engine = create_engine(migrated_url)

    async def clean() -> None:
        await _truncate_all(engine)
        await engine.dispose()

    asyncio.run(clean())
    return migrated_url


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """An async engine on the test's database."""
    eng = create_engine(db_url)
    yield eng
    await eng.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The session maker the code under test uses."""
    return session_factory(engine)


@pytest.fixture
async def session(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One session in a transaction, rolled back after the test unless the test commits."""
    async with sessions() as s:
        yield s


@pytest.fixture
async def sqlite_url(tmp_path: Path) -> str:
    """A migrated SQLite database of the test's own, whichever database the run uses (for SQLite-only machinery)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'studio.db'}"
    await upgrade(url)
    return url


@pytest.fixture
def postgres_url(postgres_server_url: str | None) -> Iterator[str]:
    """A private migrated PostgreSQL database for tests that need real concurrency; skipped without one."""
    if postgres_server_url is None:
        pytest.skip("PostgreSQL is not reachable")
    yield from _private_pg_database(postgres_server_url)


@pytest.fixture(autouse=True)
def fast_typists(monkeypatch: pytest.MonkeyPatch) -> None:
    """Test users answer a dozen questions a second, nobody else does: Telegram's per-chat pace (about one reply
    a second, tested in test_telegram_pacing.py) would make every Telegram transcript wait a second a reply."""
    monkeypatch.setattr(pacing, "CHAT_BURST", 1000)
