"""A conversation's step written: the version-checked UPDATE of one conversation, or of many in one statement."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, Update, bindparam, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation

# Built once: every step of every conversation runs it. On the table, not the entity, and run on the
# session's connection: the ORM's UPDATE path synchronises loaded objects, which is not wanted here and
# costs more than the statement itself (bench/README.md).
_TABLE = cast(Table, Conversation.__table__)
ADVANCE = (
    update(_TABLE)
    .where(
        _TABLE.c.channel == bindparam("of_channel"),
        _TABLE.c.user_id == bindparam("of_user"),
        _TABLE.c.version == bindparam("expected"),
    )
    .values(
        {
            _TABLE.c.flow: bindparam("new_flow"),
            _TABLE.c.step: bindparam("new_step"),
            _TABLE.c.data: bindparam("new_data", type_=_TABLE.c.data.type),
            _TABLE.c.version: bindparam("next_version"),
            _TABLE.c.expires_at: bindparam("new_expiry", type_=_TABLE.c.expires_at.type),
            _TABLE.c.updated_at: bindparam("now", type_=_TABLE.c.updated_at.type),
        }
    )
)


class StaleConversation(Exception):
    """Another turn changed the conversation since it was read; the caller retries."""


async def advance(*, session: AsyncSession, params: dict[str, Any]) -> None:
    """Run one version-checked conversation UPDATE; StaleConversation if another turn moved it first."""
    result = await (await session.connection()).execute(ADVANCE, params)
    if getattr(result, "rowcount", 0) != 1:
        raise StaleConversation(f"{params['of_channel']}:{params['of_user']}")


_COLUMNS = (
    "of_channel",
    "of_user",
    "expected",
    "next_version",
    "new_flow",
    "new_step",
    "new_data",
    "new_expiry",
    "now",
)
_OF = ("channel", "user_id", "version", "version", "flow", "step", "data", "expires_at", "updated_at")
_TYPES = {name: _TABLE.c[of].type for name, of in zip(_COLUMNS, _OF, strict=True)}
_MANY: dict[int, Update] = {}  # by number of conversations: built once each, as ADVANCE is


def advancing(count: int) -> Update:
    """One UPDATE of `count` conversations (parameters from advancing_params), each version-checked; the ids it
    moved come back."""
    if (statement := _MANY.get(count)) is None:
        # a UNION ALL of one-row SELECTs rather than VALUES: SQLAlchemy caches its compiled form (not VALUES' data)
        rows = [
            select(*(bindparam(f"k{i}_{name}", type_=_TYPES[name]).label(name) for name in _COLUMNS))
            for i in range(count)
        ]
        kept = (union_all(*rows) if count > 1 else rows[0]).cte("kept")
        statement = _MANY[count] = (
            update(_TABLE)
            .where(
                _TABLE.c.channel == kept.c.of_channel,
                _TABLE.c.user_id == kept.c.of_user,
                _TABLE.c.version == kept.c.expected,
            )
            .values(
                {
                    _TABLE.c.flow: kept.c.new_flow,
                    _TABLE.c.step: kept.c.new_step,
                    _TABLE.c.data: kept.c.new_data,
                    _TABLE.c.version: kept.c.next_version,
                    _TABLE.c.expires_at: kept.c.new_expiry,
                    _TABLE.c.updated_at: kept.c.now,
                }
            )
            .returning(_TABLE.c.id)
        )
    return statement


def advancing_params(params: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The parameters of `advancing(len(params))` for these kept UPDATEs."""
    return {f"k{i}_{name}": value for i, one in enumerate(params) for name, value in one.items()}


async def advance_many(*, session: AsyncSession, params: Sequence[dict[str, Any]]) -> None:
    """Run these conversations' version-checked UPDATEs as one statement; StaleConversation if any had moved."""
    if len(params) <= 1:
        for one in params:
            await advance(session=session, params=one)
        return
    moved = (await (await session.connection()).execute(advancing(len(params)), advancing_params(params))).all()
    if len(moved) != len(params):
        raise StaleConversation(f"{len(params) - len(moved)} of {len(params)} conversations")
