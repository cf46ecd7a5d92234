"""Why a turn failed: the database (ask the platform to deliver it again) or a bug (answer politely)."""

from __future__ import annotations

import hashlib

from sqlalchemy import exc as sa

# A bug in a statement or in the data it was given fails the same way on every retry: not worth one.
_BUGS = (sa.IntegrityError, sa.ProgrammingError, sa.DataError, sa.NotSupportedError)
_UNAVAILABLE = (sa.DBAPIError, sa.DisconnectionError, sa.TimeoutError, ConnectionError)
# SQLSTATEs of a transaction PostgreSQL rolled back for another's sake: a serialization failure, a deadlock
_CONFLICTS = frozenset(("40001", "40P01"))


class TurnNotTaken(Exception):
    """The turn could not be written (the database is down or read-only): nothing of it happened.

    Channels answer it by asking the platform to deliver the event again (HTTP 503, an unconfirmed
    update), never with words that would read as if the event had been handled.
    """

    def __init__(self, cause: BaseException) -> None:
        super().__init__(f"turn not taken: {describe(cause)}")
        self.cause_name = type(cause).__name__


def database_unavailable(error: BaseException) -> bool:
    """Whether this error (or one it came from) says the database could not be reached or written."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _BUGS):
            return False
        if isinstance(current, _UNAVAILABLE):
            return True
        current = current.__cause__ or current.__context__
    return False


def conflicted(error: BaseException) -> bool:
    """Whether PostgreSQL rolled this transaction back for a conflict with another (a deadlock): worth doing again."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if getattr(current, "sqlstate", None) in _CONFLICTS:  # asyncpg's error, and SQLAlchemy's adapter of it
            return True
        current = current.__cause__ or current.__context__
    return False


def describe(error: BaseException) -> str:
    """An error as a log may show it: its class and a digest of its text, never its statement's parameters."""
    digest = hashlib.blake2s(str(error).encode(), digest_size=6).hexdigest()
    return f"{type(error).__name__} #{digest}"
