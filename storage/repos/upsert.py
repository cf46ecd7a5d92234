"""INSERT … ON CONFLICT for the session's database: SQLite and PostgreSQL each have their own construct."""

from __future__ import annotations

from typing import Any

from sqlalchemy import FromClause
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

INSERTS: dict[str, Any] = {"sqlite": sqlite_insert, "postgresql": pg_insert}


def dialect_of(session: AsyncSession) -> str:
    """The name of the database the session talks to ("sqlite" or "postgresql")."""
    return session.bind.dialect.name if session.bind else "sqlite"


def insert_ignoring(table: FromClause, *unique: str) -> dict[str, Any]:
    """Per database, a prebuilt INSERT into table that does nothing when `unique` already holds the row.

    Built once and run with a dict of values: building costs more than running. On the table, not the
    mapped class: an ORM insert run with parameters is a bulk insert, which has no rowcount.
    """
    return {name: insert(table).on_conflict_do_nothing(index_elements=list(unique)) for name, insert in INSERTS.items()}


def insert_for(session: AsyncSession) -> Any:
    """The dialect's insert(), whose statements know on_conflict_do_nothing / on_conflict_do_update."""
    return INSERTS[dialect_of(session)]
