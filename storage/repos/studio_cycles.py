"""A studio's three-year management cycles (第十条): the first opens at its naming, each next one after a verdict."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Cycle, Studio

CYCLE_YEARS = 3


def cycle_end(starts_on: date, years: int = CYCLE_YEARS) -> date:
    """The last day of a cycle that starts on `starts_on` and lasts `years` years (第十条)."""
    try:
        anniversary = starts_on.replace(year=starts_on.year + years)
    except ValueError:  # 29 February
        anniversary = date(starts_on.year + years, 3, 1)
    return anniversary - timedelta(days=1)


async def start_cycle(*, session: AsyncSession, studio: Studio, starts_on: date) -> Cycle:
    """Open the studio's next three-year management cycle."""
    last = await current_cycle(session=session, studio_id=studio.id)
    cycle = Cycle(
        studio_id=studio.id,
        number=(last.number + 1) if last else 1,
        starts_on=starts_on,
        ends_on=cycle_end(starts_on),
    )
    session.add(cycle)
    await session.flush()
    return cycle


async def current_cycle(*, session: AsyncSession, studio_id: int) -> Cycle | None:
    """The studio's newest cycle."""
    return await session.scalar(
        select(Cycle).where(Cycle.studio_id == studio_id).order_by(Cycle.number.desc()).limit(1)
    )


async def first_cycle_start(*, session: AsyncSession, studio_id: int) -> date | None:
    """The day the studio's first cycle began (its naming), or None for a studio never named."""
    return await session.scalar(select(func.min(Cycle.starts_on)).where(Cycle.studio_id == studio_id))
