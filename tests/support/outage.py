"""A database that cannot be written, as during an outage or with a read-only file, and then back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import create_engine, is_sqlite


def _read_only(dbapi_connection: Any, _record: Any) -> None:
    # what SQLite answers on a file it may not write: "attempt to write a readonly database"
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()


async def _alter(url: str, sql: str) -> None:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text("SET default_transaction_read_only = off"))
            await conn.execute(text(sql))
    finally:
        await admin.dispose()


@asynccontextmanager
async def unwritable(engine: AsyncEngine) -> AsyncIterator[None]:
    """While inside, every new connection of this engine may read but not write (the pool is emptied)."""
    url = engine.url.render_as_string(hide_password=False)
    if is_sqlite(url):
        event.listen(engine.sync_engine, "connect", _read_only)
    else:
        await _alter(url, f'ALTER DATABASE "{engine.url.database}" SET default_transaction_read_only = on')
    await engine.dispose()
    try:
        yield
    finally:
        if is_sqlite(url):
            event.remove(engine.sync_engine, "connect", _read_only)
        else:
            await _alter(url, f'ALTER DATABASE "{engine.url.database}" RESET default_transaction_read_only')
        await engine.dispose()
