"""Apply the Alembic migrations that live in storage/migrations."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from storage.database import create_engine

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK_KEY = 0x5354_4449_4F00  # "STDIO": any fixed number the app uses for nothing else


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config pointing at this package's migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str | None:
    """The newest revision shipped with the code."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def upgrade(url: str, *, sqlite_fast_path: bool = True) -> tuple[str | None, str | None]:
    """Bring the database to the newest revision; return (before, after). Safe to run twice."""
    engine = create_engine(url, sqlite_fast_path=sqlite_fast_path)
    try:
        async with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Two processes running `init` at deploy time take turns instead of racing on CREATE TABLE.
                await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            before = await conn.run_sync(_current)
            await conn.run_sync(_upgrade)
            after = await conn.run_sync(_current)
    finally:
        await engine.dispose()
    return before, after


def _current(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _upgrade(conn: Connection) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")
