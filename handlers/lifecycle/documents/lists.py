"""The rows of the year's lists: a district's recommendations, the 公示, and the studios named (命名名单)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.roles.reviewing import reviewing_union
from storage.models import Application, ApplicationStage, Decision, ReviewDecision, Role, RoleKind, Studio, Union
from storage.repos import naming, org, persons


@dataclass(frozen=True, slots=True)
class Listed:
    """One studio on a list: who it is, and the dates and words the list prints beside it."""

    studio: str
    enterprise: str
    lead: str
    union: str
    on: date | None = None  # named on, notice start, recommended on
    until: date | None = None  # the notice's end
    stage: ApplicationStage | None = None
    note: str = ""  # the district's opinion
    members: int = 0
    outcomes: int = 0


async def _leads(session: AsyncSession, studio_ids: Sequence[int]) -> dict[int, str]:
    """Each studio's active lead(s), joined with 、, in one query."""
    if not studio_ids:
        return {}
    query = (
        select(Role.studio_id, Role.person_id)
        .where(Role.studio_id.in_(list(studio_ids)), Role.kind == RoleKind.LEAD, Role.active.is_(True))
        .order_by(Role.studio_id, Role.person_id)
    )
    pairs = [(s, p) for s, p in (await session.execute(query)).all() if s is not None]
    names = await persons.names_of(session=session, person_ids={p for _, p in pairs})
    out: dict[int, list[str]] = {}
    for studio_id, person_id in pairs:
        out.setdefault(studio_id, []).append(names.get(person_id, ""))
    return {k: "、".join(v) for k, v in out.items()}


async def _unions(session: AsyncSession, studios: Sequence[Studio]) -> dict[int, str]:
    ids = {s.union_id for s in studios}
    if not ids:
        return {}
    rows = await session.execute(select(Union.id, Union.name).where(Union.id.in_(list(ids))))
    return {union_id: name for union_id, name in rows.all()}


async def named_in_year(session: AsyncSession, year: int) -> list[Listed]:
    """The year's naming list in sequence order; for a year named before lists were kept, its named studios."""
    kept = await naming.naming_list(session, year)
    if kept:
        return [Listed(r.studio_name, r.enterprise, r.lead_name, r.union_name, r.named_on) for r in kept]
    query = (
        select(Studio)
        .where(Studio.named_on >= date(year, 1, 1), Studio.named_on < date(year + 1, 1, 1))
        .order_by(Studio.named_on, Studio.id)
    )
    studios = list(await session.scalars(query))
    leads, unions = await _leads(session, [s.id for s in studios]), await _unions(session, studios)
    return [Listed(s.name, s.enterprise, leads.get(s.id, ""), unions.get(s.union_id, ""), s.named_on) for s in studios]


async def on_notice(session: AsyncSession, year: int) -> list[Listed]:
    """The year's applications put on public notice (running, ended or named since), by notice start then studio."""
    query = (
        select(Application, Studio)
        .join(Studio, Studio.id == Application.studio_id)
        .where(
            Application.year == year,
            Application.notice_starts_on.is_not(None),
            Application.stage.in_([ApplicationStage.PUBLIC_NOTICE, ApplicationStage.NAMED]),
        )
        .order_by(Application.notice_starts_on, Studio.name)
    )
    rows = (await session.execute(query)).all()
    studios = [s for _, s in rows]
    leads, unions = await _leads(session, [s.id for s in studios]), await _unions(session, studios)
    return [
        Listed(
            s.name, s.enterprise, leads.get(s.id, ""), unions.get(s.union_id, ""), a.notice_starts_on, a.notice_ends_on
        )
        for a, s in rows
    ]


async def recommended_by(session: AsyncSession, union_id: int, year: int, *, tz: ZoneInfo) -> list[Listed]:
    """The year's applications this district/industry union recommended, by date of recommendation."""
    query = (
        select(Application, Studio, ReviewDecision)
        .join(Studio, Studio.id == Application.studio_id)
        .join(ReviewDecision, ReviewDecision.application_id == Application.id)
        .where(Application.year == year, ReviewDecision.decision == Decision.RECOMMEND)
        .order_by(ReviewDecision.decided_at, Application.id)
    )
    rows = (await session.execute(query)).all()
    chains = await org.union_chains(session=session, union_ids={s.union_id for _, s, _ in rows})
    mine = [
        (a, s, d)
        for a, s, d in rows
        if (reviewing := reviewing_union(chains.get(s.union_id, []))) and reviewing.id == union_id
    ]
    studios = [s for _, s, _ in mine]
    leads, unions = await _leads(session, [s.id for s in studios]), await _unions(session, studios)
    return [
        Listed(
            s.name,
            s.enterprise,
            leads.get(s.id, ""),
            unions.get(s.union_id, ""),
            d.decided_at.astimezone(tz).date(),
            stage=a.stage,
            note=d.reason or "",
            members=int(a.data.get("members") or 0),
            outcomes=len(a.data.get("outcomes") or []),
        )
        for a, s, d in mine
    ]
