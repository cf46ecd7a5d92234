"""The audit trail: one row per change of state, appended and never changed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import utcnow
from storage.models import AuditLog


async def record(
    *,
    session: AsyncSession,
    actor_id: int | None,
    channel: str,
    object_type: str,
    object_id: int,
    to_state: str,
    from_state: str | None = None,
    version: int | None = None,
    reason: str | None = None,
    studio_id: int | None = None,
    detail: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditLog:
    """Append who (actor, channel) moved what (object, version) from which state to which, and why."""
    row = AuditLog(
        at=at or utcnow(),
        actor_id=actor_id,
        channel=channel,
        studio_id=studio_id,
        object_type=object_type,
        object_id=object_id,
        version=version,
        from_state=str(from_state) if from_state is not None else None,
        to_state=str(to_state),
        reason=reason,
        detail=dict(detail or {}),
    )
    session.add(row)
    await session.flush()
    return row


async def trail(
    *,
    session: AsyncSession,
    studio_id: int | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    limit: int | None = None,
) -> list[AuditLog]:
    """The audit rows of a studio (and/or one object), oldest first."""
    query = select(AuditLog)
    if studio_id is not None:
        query = query.where(AuditLog.studio_id == studio_id)
    if object_type is not None:
        query = query.where(AuditLog.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditLog.object_id == object_id)
    query = query.order_by(AuditLog.at, AuditLog.id)
    if limit is not None:
        query = query.limit(limit)
    return list(await session.scalars(query))
