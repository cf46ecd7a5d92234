"""PostgreSQL's pool: a busy connection goes out unpinged, an idle one is pinged and replaced when the server cut it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from storage import pg_pool
from storage.database import create_engine


async def _pid(engine: object) -> int:
    async with engine.connect() as conn:  # type: ignore[attr-defined]
        return int((await conn.execute(text("select pg_backend_pid()"))).scalar_one())


async def test_a_connection_back_from_a_turn_moments_ago_is_not_pinged(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    pings: list[object] = []
    dialect = engine.sync_engine.dialect
    original = dialect.do_ping

    def counting(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        return original(dbapi_connection)

    dialect.do_ping = counting  # type: ignore[method-assign]
    try:
        first = await _pid(engine)
        assert await _pid(engine) == first  # the same pooled connection, taken again at once
        assert pings == []
    finally:
        await engine.dispose()


async def test_an_idle_connection_the_server_ended_is_replaced_at_checkout(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine(postgres_url)
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        gone = await _pid(engine)
        async with admin.connect() as conn:  # a server restart, or a firewall ending an idle connection
            await conn.execute(text("select pg_terminate_backend(:pid)"), {"pid": gone})
        monkeypatch.setattr(pg_pool, "IDLE_PING_SECONDS", 0.0)  # it has sat long enough to be pinged
        assert await _pid(engine) != gone
    finally:
        await engine.dispose()
        await admin.dispose()


async def test_the_pool_has_the_size_asked_and_no_overflow(postgres_url: str) -> None:
    engine = create_engine(postgres_url, pool_size=3)
    try:
        assert engine.pool.size() == 3  # type: ignore[attr-defined]
        assert pg_pool.pool_options(3) == {"pool_size": 3, "max_overflow": 0, "pool_pre_ping": False}
    finally:
        await engine.dispose()


async def test_connections_run_without_jit_unless_the_caller_says_otherwise(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    mine = create_engine(postgres_url, connect_args={"server_settings": {"jit": "on", "application_name": "x"}})
    try:
        for built, expected in ((engine, "off"), (mine, "on")):
            async with built.connect() as conn:
                assert (await conn.execute(text("show jit"))).scalar_one() == expected
    finally:
        await engine.dispose()
        await mine.dispose()
