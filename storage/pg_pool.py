"""PostgreSQL's connection pool: sized for one event loop, and a connection pinged only after it sat idle.

SQLAlchemy's `pool_pre_ping` pings at every checkout, and on asyncpg a ping is three round trips (BEGIN, `;`,
ROLLBACK): more than the rest of a conversation step's writes. A connection that went back to the pool moments ago
is as alive as a ping would say, so only one idle for longer than IDLE_PING_SECONDS is pinged: the case pre-ping
exists for (a server restarted or a connection cut while nobody used it). A dead one is replaced through the
pool's documented path (a `checkout` listener raising DisconnectionError); a connection that dies under a turn
fails that turn as any database error does (handlers.engine.failures: not taken, delivered again).
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine

IDLE_PING_SECONDS = 5.0
_RETURNED = "studio_returned_at"  # the pool entry's info key: when the connection last went back to the pool


def pool_options(pool_size: int) -> dict[str, Any]:
    """create_async_engine's pool arguments: a fixed pool, turns queueing for a connection rather than opening more.

    One event loop runs one statement at a time; connections beyond the turns that can usefully wait on the
    server at once only add server processes (each PostgreSQL connection is one), so the pool does not overflow.
    """
    return {"pool_size": pool_size, "max_overflow": 0, "pool_pre_ping": False}


def ping_when_idle(engine: AsyncEngine) -> None:
    """Ping a pooled connection at checkout only if it sat in the pool longer than IDLE_PING_SECONDS."""
    dialect = engine.sync_engine.dialect

    @event.listens_for(engine.sync_engine, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED)
        if returned is None or time.monotonic() - returned <= IDLE_PING_SECONDS:
            return  # new, or back in the pool moments ago
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("pooled connection did not answer its ping") from exc

    @event.listens_for(engine.sync_engine, "checkin")
    def _checkin(dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED] = time.monotonic()
