"""What an application form (申报表) shows, read from the application, its studio, its ledgers and its decisions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    ActivityVersion,
    Application,
    ApplicationStage,
    Decision,
    EntryStatus,
    LedgerEntry,
    LedgerKind,
    Person,
    ReviewDecision,
    RoleKind,
    Studio,
    Union,
)
from storage.repos import people

YEAR = timedelta(days=365)
# the opinion each body gives, by the decision that carries it (the enterprise's is written into the application)
OPINIONS = {"district": Decision.RECOMMEND, "association": Decision.PASS_REVIEW}


@dataclass(frozen=True, slots=True)
class Opinion:
    """An opinion as far as given: who decided, when, and what they wrote (None: not given yet)."""

    by: str
    on: date
    text: str


@dataclass(frozen=True, slots=True)
class FormData:
    """Everything the form prints."""

    application: Application
    studio: Studio
    union: str
    lead: str
    grade: str
    members: list[tuple[str, str]]  # name, grade
    venue: str
    equipment: str
    outcomes: list[str]
    activities_text: str
    since: date
    until: date
    activities_by_kind: list[tuple[str, int]]
    activity_hours: Decimal
    opinions: dict[str, Opinion | None] = field(default_factory=dict)


def _day(moment: datetime | None, tz: ZoneInfo) -> date | None:
    return moment.astimezone(tz).date() if moment else None


async def _activities(session: AsyncSession, studio_id: int, since: date, until: date) -> tuple[Counter[str], Decimal]:
    """The studio's approved activities dated in [since, until]: how many of each kind, and their hours."""
    query = (
        select(ActivityVersion.kind, func.count(), func.coalesce(func.sum(ActivityVersion.hours), 0))
        .join(
            LedgerEntry, (LedgerEntry.id == ActivityVersion.entry_id) & (LedgerEntry.version == ActivityVersion.version)
        )
        .where(
            LedgerEntry.studio_id == studio_id,
            LedgerEntry.kind == LedgerKind.ACTIVITY,
            LedgerEntry.status == EntryStatus.APPROVED,
            LedgerEntry.occurred_on >= since,
            LedgerEntry.occurred_on <= until,
        )
        .group_by(ActivityVersion.kind)
    )
    counts: Counter[str] = Counter()
    hours = Decimal(0)
    for kind, count, total in (await session.execute(query)).all():
        counts[kind] += count
        hours += Decimal(str(total))
    return counts, hours


async def _opinions(session: AsyncSession, app: Application, tz: ZoneInfo) -> dict[str, Opinion | None]:
    query = (
        select(ReviewDecision, Person.name)
        .join(Person, Person.id == ReviewDecision.reviewer_id)
        .where(ReviewDecision.application_id == app.id, ReviewDecision.decision.in_(list(OPINIONS.values())))
    )
    given = {d.decision: (d, name) for d, name in (await session.execute(query)).all()}
    out: dict[str, Opinion | None] = {}
    enterprise = str(app.data.get("enterprise_opinion") or "").strip()
    out["enterprise"] = (
        Opinion("", _day(app.submitted_at, tz) or app.created_at.date(), enterprise) if enterprise else None
    )
    for body, decision in OPINIONS.items():
        found = given.get(decision)
        out[body] = (
            Opinion(found[1], _day(found[0].decided_at, tz) or date.min, found[0].reason or "") if found else None
        )
    return out


async def application_form(session: AsyncSession, application_id: int, *, tz: ZoneInfo) -> FormData | None:
    """The form of a submitted application (a draft has no form yet); None if there is none."""
    app = await session.get(Application, application_id)
    if app is None or app.stage is ApplicationStage.DRAFT:
        return None
    studio = await session.get(Studio, app.studio_id)
    assert studio is not None
    union = await session.get(Union, studio.union_id)
    team = await people.members_of(session=session, studio_id=studio.id)
    lead = next((p for p, kind in team if kind is RoleKind.LEAD), None)
    until = _day(app.submitted_at, tz) or app.created_at.astimezone(tz).date()
    since = until - YEAR + timedelta(days=1)
    counts, hours = await _activities(session, studio.id, since, until)
    return FormData(
        application=app,
        studio=studio,
        union=union.name if union else "",
        lead=str(app.data.get("lead") or (lead.name if lead else "")),
        grade=str(app.data.get("grade") or (lead.grade if lead and lead.grade else "")),
        members=[(p.name, p.grade or "") for p, kind in team if kind is RoleKind.MEMBER],
        venue=str(app.data.get("venue") or studio.venue),
        equipment=str(app.data.get("equipment") or studio.equipment),
        outcomes=[str(o.get("title", "")) for o in app.data.get("outcomes") or []],
        activities_text=str(app.data.get("activities") or ""),
        since=since,
        until=until,
        activities_by_kind=sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])),
        activity_hours=hours,
        opinions=await _opinions(session, app, tz),
    )
