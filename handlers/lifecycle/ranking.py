"""The year's applications side by side for the association (第九条): stage, 第三条, 推荐意见, expert average, 择优.

Chat (年度申报) and the web console read the same rows. Ranked: those the experts scored, by their average
(highest first, the earlier submission first on a tie), then the rest by how far they have come.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from handlers.core.i18n import Translator, catalogue
from handlers.engine.context import Context
from handlers.lifecycle import eligibility
from handlers.lifecycle.cards import stage as stage_name
from handlers.roles.reviewing import reviewing_union
from storage.models import Application, ApplicationStage, Studio
from storage.repos import applications, org, standings, year_applications

S = ApplicationStage
PROGRESS = (S.PUBLIC_NOTICE, S.EVALUATED, S.REVIEWED, S.RECOMMENDED, S.SUBMITTED, S.NAMED, S.RETURNED, S.REJECTED)


@dataclass(frozen=True)
class Row:
    """One application of the year as the association compares it."""

    app: Application
    studio: Studio
    union: str  # the union that recommends it (推荐单位)
    unmet: tuple[str, ...]  # 第三条 conditions not met as the studio stands today
    opinion: str
    average: Decimal | None
    scores: int
    objections: int  # still open
    nameable: bool  # 公示 over, no objection open: may be named now
    rank: int | None = None


async def year_rows(ctx: Context, year: int) -> list[Row]:
    """The year's applications, ranked, in a fixed number of statements (第三条 read for all studios at once)."""
    found = await year_applications.of_year(session=ctx.session, year=year)
    ids = [app.id for app, _ in found]
    totals = await year_applications.totals(session=ctx.session, application_ids=ids)
    opinions = await year_applications.opinions(session=ctx.session, application_ids=ids)
    waiting: dict[int, int] = {}
    for objection in await applications.open_objections(session=ctx.session, application_ids=ids):
        waiting[objection.application_id] = waiting.get(objection.application_id, 0) + 1
    chains = await org.union_chains(session=ctx.session, union_ids={s.union_id for _, s in found})
    studios = {studio.id: studio for _, studio in found}
    leads = await standings.first_leads(session=ctx.session, studio_ids=studios)
    needed = ctx.config.application_min_activities
    facts = await eligibility.gather_many(
        ctx.session, studios.values(), leads, today=ctx.today, activities_needed=needed
    )
    rows = []
    for app, studio in found:
        union = reviewing_union(chains.get(studio.union_id, []))
        marks = totals.get(app.id, [])
        average = (sum(marks, Decimal(0)) / len(marks)).quantize(Decimal("0.1")) if marks else None
        rows.append(
            Row(
                app=app,
                studio=studio,
                union=union.name if union else "",
                unmet=_unmet(app, facts[studio.id]),
                opinion=opinions.get(app.id, ""),
                average=average,
                scores=len(marks),
                objections=waiting.get(app.id, 0),
                nameable=_nameable(app, ctx.today, waiting.get(app.id, 0)),
            )
        )
    return ranked(rows)


def ranked(rows: list[Row]) -> list[Row]:
    """Scored rows by average, numbered 1…n; then the unscored by stage."""
    scored = sorted((r for r in rows if r.average is not None), key=lambda r: (-(r.average or 0), r.app.id))
    rest = sorted((r for r in rows if r.average is None), key=lambda r: (PROGRESS.index(r.app.stage), r.app.id))
    numbered = [replace(r, rank=n) for n, r in enumerate(scored, start=1)]
    return numbered + rest


def _nameable(app: Application, today: date, objections: int) -> bool:
    ended = app.notice_ends_on is not None and app.notice_ends_on < today
    return app.stage is S.PUBLIC_NOTICE and ended and not objections


def _unmet(app: Application, facts: eligibility.Facts) -> tuple[str, ...]:
    """第三条 as the studio stands today, with the venue, equipment and outcomes the application gave."""
    data = app.data
    given = replace(
        facts, venue=str(data.get("venue") or "").strip(), equipment=str(data.get("equipment") or "").strip()
    )
    chosen = {int(o["id"]) for o in data.get("outcomes") or [] if isinstance(o, dict) and "id" in o}
    return tuple(eligibility.unmet(given, chosen=chosen))


def eligibility_text(t: Translator, row: Row) -> str:
    """符合 / 不符合：…, as the association reads the 第三条 column."""
    if not row.unmet:
        return t("batch.year.eligible")
    known = catalogue(t.locale)
    # a condition this table has no short name for (added to 第三条's check later) reads as its own id
    names = t("application.list_separator").join(
        t(f"batch.year.unmet.{key}") if f"batch.year.unmet.{key}" in known else key for key in row.unmet
    )
    return t("batch.year.unmet", items=names)


def line(t: Translator, row: Row) -> str:
    """One row as a chat line."""
    average = t("batch.year.average", average=row.average, count=row.scores) if row.average is not None else "-"
    return t(
        "batch.year.line",
        rank=f"{row.rank}." if row.rank is not None else "·",
        number=row.app.id,
        studio=row.studio.name,
        union=row.union or "-",
        stage=stage_name(t, row.app.stage),
        eligibility=eligibility_text(t, row),
        average=average,
        opinion=row.opinion or "-",
    )
