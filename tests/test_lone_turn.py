"""A turn alone when PostgreSQL keeps rolling it back for a deadlock: done again, and at last not taken (never an
error message for a turn the platform can deliver again)."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from handlers.core.config import HandlerConfig
from handlers.core.types import Incoming, Turn
from handlers.engine import lone_turn
from handlers.engine.failures import TurnNotTaken


class _Deadlock(Exception):
    sqlstate = "40P01"  # as asyncpg's DeadlockDetectedError carries it


def _deadlock() -> OperationalError:
    """As SQLAlchemy raises the driver's error: wrapped, the driver's as its cause."""
    cause = _Deadlock("deadlock detected")
    error = OperationalError("UPDATE …", {}, cause)
    error.__cause__ = cause
    return error


def _incoming() -> Incoming:
    return Incoming(channel="test", user_id="lead", chat_id="lead", delivery_id="d1", text="你好")


async def _nobody(_incoming: Incoming) -> Turn | None:
    return None


async def test_a_deadlocked_turn_is_done_again() -> None:
    tries: list[int] = []

    async def attempt(_incoming: Incoming) -> Turn:
        tries.append(1)
        if len(tries) == 1:
            raise _deadlock()
        return Turn()

    turn = await lone_turn.alone(_incoming(), attempt=attempt, taken_elsewhere=_nobody, config=HandlerConfig())
    assert turn == Turn() and len(tries) == 2


async def test_a_turn_deadlocked_every_time_is_not_taken_rather_than_answered_with_an_error() -> None:
    tries: list[int] = []

    async def attempt(_incoming: Incoming) -> Turn:
        tries.append(1)
        raise _deadlock()

    with pytest.raises(TurnNotTaken):
        await lone_turn.alone(_incoming(), attempt=attempt, taken_elsewhere=_nobody, config=HandlerConfig())
    assert len(tries) == lone_turn.ATTEMPTS
