"""The application window of each year, as the association set it (第五条: selection is yearly)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import Application, ApplicationStage, ApplicationWindow, Role, RoleKind, Studio, StudioStatus
from storage.repos.applications import OPEN_STAGES


async def set_window(
    *, session: AsyncSession, year: int, opens_on: date, closes_on: date, set_by_id: int | None, now: datetime
) -> tuple[date, date] | None:
    """Set a year's window (replacing any); the bounds it had before, if it had any."""
    row = await session.get(ApplicationWindow, year)
    before = (row.opens_on, row.closes_on) if row is not None else None
    if row is None:
        row = ApplicationWindow(year=year, opens_on=opens_on, closes_on=closes_on)
        session.add(row)
    row.opens_on, row.closes_on, row.set_by_id, row.set_at = opens_on, closes_on, set_by_id, now
    await session.flush()
    return before


async def all_windows(*, session: AsyncSession) -> dict[int, tuple[date, date]]:
    """Every year's window that was set, by year (one query)."""
    rows = await session.execute(
        select(ApplicationWindow.year, ApplicationWindow.opens_on, ApplicationWindow.closes_on)
    )
    return {year: (opens, closes) for year, opens, closes in rows.all()}


async def leads_who_may_apply(*, session: AsyncSession, since: datetime) -> set[int]:
    """Leads of an active studio that may apply in the window opened at `since`: not named, no application
    under way, none turned down in this window (one query)."""
    app = aliased(Application)
    under_way = exists().where(app.studio_id == Studio.id, app.stage.in_(list(OPEN_STAGES)))
    turned_down = exists().where(
        app.studio_id == Studio.id, app.stage == ApplicationStage.REJECTED, app.submitted_at >= since
    )
    query = (
        select(Role.person_id)
        .join(Studio, Studio.id == Role.studio_id)
        .where(
            Role.kind == RoleKind.LEAD,
            Role.active.is_(True),
            Studio.active.is_(True),
            Studio.status != StudioStatus.NAMED,
            ~under_way,
            ~turned_down,
        )
    )
    return set(await session.scalars(query))
