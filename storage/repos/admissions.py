"""第三条's 原则上 conditions the association admitted for a studio, one row per studio, condition and year."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConditionAdmission


async def admitted(*, session: AsyncSession, studio_id: int, year: int) -> frozenset[str]:
    """The conditions admitted for this studio's application of `year`."""
    rows = await session.scalars(
        select(ConditionAdmission.condition).where(
            ConditionAdmission.studio_id == studio_id, ConditionAdmission.year == year
        )
    )
    return frozenset(rows)


async def admit(
    *, session: AsyncSession, studio_id: int, condition: str, year: int, reason: str, by_id: int | None, now: datetime
) -> ConditionAdmission | None:
    """Record an admission; None when this condition was already admitted for the studio that year."""
    if condition in await admitted(session=session, studio_id=studio_id, year=year):
        return None
    row = ConditionAdmission(
        studio_id=studio_id, condition=condition, year=year, reason=reason, admitted_by_id=by_id, created_at=now
    )
    session.add(row)
    await session.flush()
    return row
