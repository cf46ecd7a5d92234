"""The conditions of 第三条, checked before an application is submitted; every unmet one is named."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.i18n import Translator
from handlers.exports.labels import labeler, value_text
from storage.models import LEAD_GRADES, EntryStatus, LedgerEntry, LedgerKind, OutcomeVersion, Person, RoleKind, Studio
from storage.repos import standings

SCHEME = "上海职工(技师)创新项目资助"
# Outcomes the lead may cite: approved, or still with the reviewer; only approved ones satisfy 第三条(3).
CITED = (EntryStatus.APPROVED, EntryStatus.SUBMITTED)
MIN_MEMBERS = 3
CONDITIONS = ("lead", "team", "outcome", "activities", "venue")
# 第三条(1)(2) say 原则上: the association may admit a studio that falls short of them, with a reason
IN_PRINCIPLE = frozenset({"lead", "team"})


@dataclass(frozen=True)
class Outcome:
    """An innovation outcome the studio can show: applied in production and funded by the scheme."""

    entry_id: int
    title: str
    amount: str
    waiting: bool = False  # still with the reviewer: cited, shown as waiting, not yet evidence


@dataclass
class Facts:
    """What the check looks at."""

    lead: Person | None
    members: int
    outcomes: list[Outcome] = field(default_factory=list)
    venue: str = ""
    equipment: str = ""
    activities: int = 0  # approved activities of the last 12 months (第三条(4): 坚持开展群众性科技创新活动)
    activities_needed: int = 0
    admitted: frozenset[str] = frozenset()  # 原则上 conditions the association admitted for this studio


def funded_by_scheme(scheme: str | None) -> bool:
    """Whether a funding scheme is the Shanghai workers' (technicians') innovation project scheme."""
    if not scheme:
        return False
    plain = re.sub(r"\s+", "", scheme).replace("（", "(").replace("）", ")")
    return "创新项目资助" in plain and "职工" in plain


def outcomes_from(rows: Iterable[tuple[LedgerEntry, OutcomeVersion]]) -> list[Outcome]:
    """Of these outcome entries (approved or waiting), those applied in production and funded by the scheme."""
    return [
        Outcome(
            entry.id,
            version.title,
            f"{version.funding_amount.normalize():f}" if version.funding_amount else "",
            waiting=entry.status is not EntryStatus.APPROVED,
        )
        for entry, version in rows
        if version.applied and funded_by_scheme(version.funding_scheme)
    ]


async def qualifying_outcomes(session: AsyncSession, studio_id: int) -> list[Outcome]:
    """The studio's outcomes (approved, or waiting: marked) applied in production and funded by the scheme."""
    found = await standings.outcomes(session=session, studio_ids=[studio_id], statuses=CITED)
    return outcomes_from(found.get(studio_id, []))


async def gather_many(
    session: AsyncSession,
    studios: Collection[Studio],
    leads: Mapping[int, Person],
    *,
    today: date,
    activities_needed: int,
) -> dict[int, Facts]:
    """The facts of these studios (with these leads) as they stand on `today`, by studio id, in four queries;
    venue and equipment are the application's, left blank here."""
    ids = [studio.id for studio in studios]
    members = await standings.members(session=session, studio_ids=ids)
    outcomes = await standings.outcomes(session=session, studio_ids=ids, statuses=CITED)
    since = today - timedelta(days=365)  # 第三条(4): the twelve months up to today
    activities = await standings.approved_activities(session=session, studio_ids=ids, after=since, until=today)
    admitted = await standings.admitted(session=session, studio_ids=ids, year=today.year)
    facts = {}
    for studio_id in ids:
        lead = leads.get(studio_id)
        team = members.get(studio_id, [])
        count = sum(1 for person_id, kind in team if kind is RoleKind.MEMBER and (lead is None or person_id != lead.id))
        facts[studio_id] = Facts(
            lead=lead,
            members=count,
            outcomes=outcomes_from(outcomes.get(studio_id, [])),
            activities=activities.get(studio_id, 0),
            activities_needed=activities_needed,
            admitted=admitted.get(studio_id, frozenset()),
        )
    return facts


async def gather(
    session: AsyncSession,
    studio: Studio,
    lead: Person | None,
    *,
    venue: str,
    equipment: str,
    today: date,
    activities_needed: int,
) -> Facts:
    """The facts of a studio as they stand on `today`."""
    leads = {studio.id: lead} if lead is not None else {}
    facts = await gather_many(session, [studio], leads, today=today, activities_needed=activities_needed)
    return replace(facts[studio.id], venue=venue.strip(), equipment=equipment.strip())


def unmet(facts: Facts, *, chosen: Collection[int] | None = None, venue_known: bool = True) -> list[str]:
    """The conditions not met (and not admitted), in the order of 第三条; `chosen` limits outcomes to those picked."""
    missing = []
    if facts.lead is None or facts.lead.grade not in LEAD_GRADES:
        missing.append("lead")
    if facts.members < MIN_MEMBERS:
        missing.append("team")
    usable = [o for o in facts.outcomes if not o.waiting and (chosen is None or o.entry_id in chosen)]
    if not usable:
        missing.append("outcome")
    if facts.activities < facts.activities_needed:
        missing.append("activities")
    if venue_known and not (facts.venue and facts.equipment):
        missing.append("venue")
    return [key for key in missing if key not in facts.admitted]


def explain(t: Translator, facts: Facts, missing: list[str]) -> str:
    """Every unmet condition, one line each, saying what was found."""
    lines = [t("application.unmet.title", count=len(missing))]
    for n, key in enumerate(missing, start=1):
        if key == "lead":
            grade = facts.lead.grade if facts.lead else None
            shown = value_text(labeler(t.locale), LedgerKind.TRAINING, "promoted_grade", grade) if grade else None
            detail = t("application.unmet.lead", grade=shown or t("common.none"))
        elif key == "team":
            detail = t("application.unmet.team", count=facts.members, needed=MIN_MEMBERS)
        elif key == "outcome":
            detail = t("application.unmet.outcome", scheme=SCHEME, command=t("application.outcome_command"))
            waiting = [o.title for o in facts.outcomes if o.waiting]
            if waiting:
                names = t("application.list_separator").join(t("application.quoted_name", name=n) for n in waiting)
                detail += t("application.unmet.outcome_waiting", names=names)
        elif key == "activities":
            detail = t("application.unmet.activities", count=facts.activities, needed=facts.activities_needed)
        else:
            gaps = [t(f"application.label.{k}") for k in ("venue", "equipment") if not getattr(facts, k)]
            detail = t("application.unmet.venue", missing=t("application.list_separator").join(gaps))
        lines.append(f"{n}. {detail}")
    if IN_PRINCIPLE & set(missing):
        lines.append(t("application.unmet.in_principle"))
    return "\n".join(lines)
