"""Engines and sessions: one async engine per process, one session per update or job."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage import pg_pool, sqlite_inline

SQLITE_BUSY_TIMEOUT_MS = 10_000
POOL_SIZE = 10  # PostgreSQL connections per process (the DATABASE_POOL_SIZE setting)
PREPARED_STATEMENTS = 500  # per PostgreSQL connection, kept prepared (see create_engine)
FAST_PATH = "studio_sqlite_fast_path"  # the engine's execution option that carries the switch
# PostgreSQL's JIT compiles a query whose planned cost passes jit_above_cost (the planner's reads over thousands of
# studios do), at tens of milliseconds a query for work that runs in less (bench/README.md, pg_statement.py)
SERVER_SETTINGS = {"jit": "off"}


def is_sqlite(url: str) -> bool:
    """Whether the URL names a SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver must not open transactions itself: we emit BEGIN IMMEDIATE so that two writers
    # queue instead of failing with "database is locked" on lock upgrade. Who waits for a taken lock:
    # on the fast path sqlite_inline, on the event loop (SQLite's busy timeout is 0 there); on the
    # plain path SQLite itself, in aiosqlite's thread (busy timeout SQLITE_BUSY_TIMEOUT_MS).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql(sqlite_inline.BEGIN)


def create_engine(url: str, *, sqlite_fast_path: bool = True, pool_size: int = POOL_SIZE, **kwargs: Any) -> AsyncEngine:
    """Create the async engine; SQLite gets WAL, BEGIN IMMEDIATE, a busy timeout, foreign keys, and the fast path.

    sqlite_fast_path (the SQLITE_FAST_PATH setting) is the one switch of SQLite's throughput machinery:
    on, sqlite3 runs on the event loop (storage.sqlite_inline), the bot commits waiting turns together
    (handlers.engine.group_commit) and channel refs are written behind (bot.channels.wxbase.refs); off,
    aiosqlite's own connection, one transaction per turn, refs written in the request. The engine
    carries the choice (`is_sqlite_fast_path`), so whatever is built on it follows. PostgreSQL gets a pool of
    pool_size connections, pinged only after they sat idle (storage.pg_pool).
    """
    # a failed statement's message would carry its parameters (openids, what people typed) into the logs
    kwargs.setdefault("hide_parameters", True)
    if not is_sqlite(url):
        if make_url(url).get_driver_name() == "asyncpg":
            # SQLAlchemy's per-connection cache of asyncpg prepared statements (100 by default): the turns of a batch
            # are written by one statement per batch size (storage.repos.deliveries), tens of shapes beside the rest
            connect_args = {"prepared_statement_cache_size": PREPARED_STATEMENTS, **kwargs.get("connect_args", {})}
            # sent once, in the connection's start-up packet: nothing per statement
            connect_args["server_settings"] = {**SERVER_SETTINGS, **connect_args.get("server_settings", {})}
            kwargs["connect_args"] = connect_args
        if "poolclass" in kwargs:  # a pool without a size (NullPool): ping at every checkout
            kwargs.setdefault("pool_pre_ping", True)
        else:
            kwargs = {**pg_pool.pool_options(pool_size), **kwargs}
        engine = create_async_engine(url, **kwargs)
        if not kwargs["pool_pre_ping"]:
            pg_pool.ping_when_idle(engine)
        return engine
    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    if sqlite_fast_path:
        args, options = create_async_engine(url).dialect.create_connect_args(parsed)
        kwargs.setdefault(
            "async_creator",
            sqlite_inline.creator(args[0], uri=bool(options.get("uri")), busy_timeout_ms=SQLITE_BUSY_TIMEOUT_MS),
        )
    else:
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, **kwargs.get("connect_args", {})}
    kwargs["execution_options"] = {**kwargs.get("execution_options", {}), FAST_PATH: sqlite_fast_path}
    engine = create_async_engine(url, **kwargs)
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return engine


def is_sqlite_fast_path(bind: AsyncEngine | async_sessionmaker[AsyncSession] | None) -> bool:
    """Whether an engine (or a session maker's engine) is SQLite on the fast path; see create_engine."""
    engine = _engine_of(bind)
    if engine is None or engine.dialect.name != "sqlite":
        return False
    return bool(engine.get_execution_options().get(FAST_PATH, False))


def groups_turns(bind: AsyncEngine | async_sessionmaker[AsyncSession] | None) -> bool:
    """Whether turns waiting for the database share a transaction (handlers.engine.group_commit) by default.

    SQLite on its fast path (one writer: turns queue anyway) and PostgreSQL (a step's session, BEGIN and COMMIT
    cost as much as its work: shared by a batch, a step takes a fifth less CPU, bench/README.md).
    """
    return _is_postgresql(bind) or is_sqlite_fast_path(bind)


def concurrent_writers(bind: AsyncEngine | async_sessionmaker[AsyncSession] | None) -> int:
    """How many batches of grouped turns may be in flight at once (handlers.engine.group_commit).

    SQLite takes one writer. PostgreSQL takes concurrent ones: with two, one batch's round trips and COMMIT overlap
    the next one's Python work (bench/README.md); more would only split the turns that wait into smaller batches.
    """
    return 2 if _is_postgresql(bind) else 1


def _is_postgresql(bind: AsyncEngine | async_sessionmaker[AsyncSession] | None) -> bool:
    engine = _engine_of(bind)
    return engine is not None and engine.dialect.name == "postgresql"


def _engine_of(bind: AsyncEngine | async_sessionmaker[AsyncSession] | None) -> AsyncEngine | None:
    engine = bind.kw.get("bind") if isinstance(bind, async_sessionmaker) else bind
    return engine if isinstance(engine, AsyncEngine) else None


# One round trip: PostgreSQL itself says whether the transaction has written anything (an xid is assigned at its
# first row written or locked), so no write the client cannot see (a Core statement, an autoflush) slips through.
_RELAX_IF_UNWRITTEN = text(
    "SELECT set_config('synchronous_commit', 'off', true) WHERE pg_current_xact_id_if_assigned() IS NULL"
)


async def relax_commit_if_unwritten(session: AsyncSession) -> bool:
    """On PostgreSQL, commit this transaction without waiting for its WAL flush if it has written nothing yet.

    For a transaction whose only write is still to come and whose loss on a server crash loses nothing a user
    submitted (a read-only turn's delivery row: its rerun answers the same); see docs/architecture.md. The setting
    is SET LOCAL: it ends with the transaction. False (and nothing changed) on SQLite or once anything was written.
    """
    bind = session.get_bind()
    if bind.dialect.name != "postgresql" or session.new or session.dirty or session.deleted:
        return False
    return (await session.execute(_RELAX_IF_UNWRITTEN)).first() is not None


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """A session maker whose objects stay readable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)
