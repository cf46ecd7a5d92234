"""Leader election: only one process plans and sends reminders; another takes over when it dies."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker
from sqlalchemy.pool import NullPool

from storage.base import utcnow
from storage.database import create_engine
from storage.repos import leases

log = logging.getLogger(__name__)
# Arbitrary but fixed: every process of this bot asks PostgreSQL for the same advisory lock.
REMINDER_LOCK_KEY = 7_372_001
LEASE_NAME = "reminders"
# renewed every LEADER_SECONDS (bot/scheduler/jobs.py): a dead holder is replaced within about 20 s,
# while three missed renewals in a row (a busy database) are needed before a live one loses it
LEASE_TTL = timedelta(seconds=15)


def holder_id() -> str:
    """This process, unique even when a restarted container reuses a pid."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Leadership(Protocol):
    """Who runs the reminder planner and sender."""

    async def acquire(self) -> bool:
        """Become or stay the leader; True if this process leads now."""
        ...

    async def release(self) -> None:
        """Step down."""
        ...


class AdvisoryLockLeader:
    """PostgreSQL: a session advisory lock held on a dedicated connection; it dies with the process."""

    def __init__(self, url: str, *, key: int = REMINDER_LOCK_KEY) -> None:
        # its own engine without a pool: closing the connection really ends the session and its lock
        self.engine = create_engine(url, poolclass=NullPool)
        self.key = key
        self._conn: AsyncConnection | None = None

    @property
    def held(self) -> bool:
        """Whether this process believes it holds the lock."""
        return self._conn is not None

    async def acquire(self) -> bool:
        """Check the held connection is alive, or try to take the lock."""
        if self._conn is not None:
            try:
                await self._conn.execute(text("select 1"))
                return True
            except (DBAPIError, OSError):
                log.warning("lost the reminder leader connection; stepping down")
                await self._drop()
        try:
            conn = await self.engine.connect()
        except (DBAPIError, OSError) as exc:
            log.warning("cannot reach the database to elect a reminder leader: %s", exc)
            return False
        try:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            got = bool(await conn.scalar(text("select pg_try_advisory_lock(:key)"), {"key": self.key}))
        except (DBAPIError, OSError) as exc:
            log.warning("cannot ask for the reminder leader lock: %s", exc)
            await conn.invalidate()
            return False
        if got:
            self._conn = conn
            log.info("this process now runs the reminders (advisory lock %s)", self.key)
        else:
            await conn.close()
        return got

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.close()
            except (DBAPIError, OSError):
                await conn.invalidate()

    async def release(self) -> None:
        """Unlock and close the dedicated connection."""
        if self._conn is not None:
            # if this fails the connection is going anyway, and the lock with it
            with contextlib.suppress(DBAPIError, OSError):
                await self._conn.execute(text("select pg_advisory_unlock(:key)"), {"key": self.key})
        await self._drop()
        await self.engine.dispose()


class LeaseLeader:
    """SQLite (or any database): a row in `leases`, renewed on every tick, taken over once it lapses."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        ttl: timedelta = LEASE_TTL,
        clock: Callable[[], datetime] = utcnow,
        holder: str | None = None,
    ) -> None:
        self.sessions = sessions
        self.ttl = ttl
        self.clock = clock
        self.holder = holder or holder_id()
        self.held = False

    async def acquire(self) -> bool:
        """Take or renew the lease."""
        try:
            async with self.sessions() as session, session.begin():
                got = await leases.take(
                    session=session, name=LEASE_NAME, holder=self.holder, now=self.clock(), ttl=self.ttl
                )
        except (IntegrityError, OperationalError) as exc:  # another process inserted it first, or the db is busy
            log.info("reminder lease not taken: %s", exc.__class__.__name__)
            got = False
        if got and not self.held:
            log.info("this process now runs the reminders (lease held by %s)", self.holder)
        self.held = got
        return got

    async def release(self) -> None:
        """Give the lease up so another process need not wait for it to lapse."""
        if self.held:
            async with self.sessions() as session, session.begin():
                await leases.give_up(session=session, name=LEASE_NAME, holder=self.holder)
        self.held = False
