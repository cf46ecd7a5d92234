"""What the public pages publish: the notices now running and the studios named in a year — nothing more.

Only what a 公示 itself states (studio, enterprise, lead, union, the notice period): no phone numbers, no ledgers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ApplicationStage, Studio, StudioStatus, Union
from storage.repos import applications, naming, org


@dataclass(frozen=True)
class Published:
    """One studio as a public page shows it."""

    studio: str
    enterprise: str
    leads: list[str]
    union: str
    starts: date | None = None
    ends: date | None = None
    sequence: int | None = None  # its number on the year's naming list


async def _published(session: AsyncSession, studio: Studio, starts: date | None, ends: date | None) -> Published:
    union = await session.get(Union, studio.union_id)
    leads = [p.name for p in await org.leads_of(session=session, studio_id=studio.id)]
    return Published(studio.name, studio.enterprise, leads, union.name if union else "", starts, ends)


async def running_notices(session: AsyncSession, *, today: date) -> list[Published]:
    """The public notices running today, those ending soonest first."""
    rows = await applications.in_stages(session=session, stages={ApplicationStage.PUBLIC_NOTICE})
    running = [
        (a, s)
        for a, s in rows
        if a.notice_ends_on is not None
        and today <= a.notice_ends_on
        and (a.notice_starts_on is None or a.notice_starts_on <= today)
    ]
    running.sort(key=lambda pair: (pair[0].notice_ends_on or today, pair[1].name))
    return [await _published(session, s, a.notice_starts_on, a.notice_ends_on) for a, s in running]


async def named_in(session: AsyncSession, *, year: int) -> list[Published]:
    """The year's naming list in sequence order, then studios named that year outside it (set up with a naming
    date, before the list was kept) that still hold the title, by day and name."""
    listed = await naming.naming_list(session, year)
    rows = [
        Published(
            r.studio_name,
            r.enterprise,
            [r.lead_name] if r.lead_name else [],
            r.union_name,
            r.named_on,
            None,
            r.sequence,
        )
        for r in listed
    ]
    on_list = {r.studio_id for r in listed}
    query = (
        select(Studio)
        .where(
            Studio.named_on >= date(year, 1, 1),
            Studio.named_on < date(year + 1, 1, 1),
            Studio.status == StudioStatus.NAMED,
        )
        .order_by(Studio.named_on, Studio.name)
    )
    named = await session.scalars(query)
    return rows + [await _published(session, s, s.named_on, None) for s in named if s.id not in on_list]
