"""PostgreSQL: a turn reads outside a transaction and begins one only at its first statement that needs one.

A conversation step writes one statement (deliveries.record_many: its delivery and its step together, each only with
the other), which PostgreSQL runs atomically by itself; BEGIN and COMMIT around it would be two of its four round
trips. So `read_first` puts a session's connection in AUTOCOMMIT (SQLAlchemy's documented per-transaction isolation)
and plain SELECTs run as they come, as does a write marked ALONE (one that does all or nothing); before the first
statement that is anything else (a write, a locking read, text SQL) the connection goes back to the engine's own
isolation level through the dialect's `set_isolation_level`, so that the driver begins a transaction before that
statement, which the session then commits or rolls back as ever. Under read committed every statement takes its own
snapshot either way: a read before BEGIN sees what it would see after it. The pool restores the connection's
isolation level when it goes back."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

ALONE = {"studio_atomic_alone": True}  # execution options of a write that needs no transaction: it does all or nothing
_READING = "studio_reading_first"  # Connection.info: autocommit until the first statement that is not a plain read
_LOCKS = re.compile(r"\bFOR (?:NO KEY |KEY )?(?:UPDATE|SHARE)\b")


async def read_first(session: AsyncSession) -> None:
    """Run this session's reads in autocommit and begin its transaction at its first other statement.

    Call it first in the session's transaction, before any statement.
    """
    conn = await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    engine = conn.sync_engine
    if not event.contains(engine, "before_cursor_execute", _begin_before_writing):
        event.listen(engine, "before_cursor_execute", _begin_before_writing)
        event.listen(engine, "checkin", _forget)
    conn.info[_READING] = True


def _begin_before_writing(
    conn: Connection, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool
) -> None:
    if not conn.info.get(_READING) or _needs_none(statement, context):
        return
    del conn.info[_READING]
    dbapi_connection = conn.connection.dbapi_connection
    if dbapi_connection is not None and conn.dialect.detect_autocommit_setting(dbapi_connection):
        conn.dialect.set_isolation_level(dbapi_connection, conn.default_isolation_level or "READ COMMITTED")


def _forget(_dbapi_connection: Any, record: Any) -> None:
    record.info.pop(_READING, None)  # a turn that only read leaves the mark: the next checkout starts plain


def _needs_none(statement: str, context: Any) -> bool:
    """A plain read, or a write that stands alone (ALONE): no transaction needed before it."""
    if context is None:
        return False
    if context.execution_options.get("studio_atomic_alone"):
        return True
    compiled = context.compiled
    return compiled is not None and compiled.statement.is_select and _LOCKS.search(statement) is None
