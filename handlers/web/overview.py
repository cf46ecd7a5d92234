"""The overview page's data: the studios in scope with their state, sorted and filtered, and two charts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from handlers.engine.context import Context
from handlers.web.scope import overview_scope
from storage.models import EntryStatus, StudioStatus
from storage.repos import web_figures

SORTS = ("name", "union", "status", "cycle_end", "idle", "waiting")
MONTHS = 12
PAGE = 100  # studios a page lists; the filters narrow the rest


@dataclass(frozen=True)
class StudioRow:
    """One studio as the overview lists it."""

    id: int
    name: str
    union: str
    enterprise: str
    status: StudioStatus
    cycle_end: date | None
    last_activity: date | None
    idle_days: int | None
    waiting: int


@dataclass(frozen=True)
class Query:
    """What the overview was asked for (query parameters, already checked)."""

    sort: str = "name"
    descending: bool = False
    status: StudioStatus | None = None
    text: str = ""
    page: int = 1

    @classmethod
    def parse(cls, params: dict[str, str]) -> Query:
        """The query from request parameters; unknown values fall back to the defaults."""
        sort = params.get("sort", "name")
        status = params.get("status", "")
        page = params.get("page", "")
        return cls(
            sort=sort if sort in SORTS else "name",
            descending=params.get("dir") == "desc",
            status=StudioStatus(status) if status in {s.value for s in StudioStatus} else None,
            text=params.get("q", "").strip()[:100],
            page=int(page) if page.isdigit() and 0 < len(page) < 7 and int(page) > 0 else 1,
        )


@dataclass(frozen=True)
class Overview:
    """The rows of the page shown, how many studios are in scope and match, and the charts' figures."""

    rows: list[StudioRow]
    in_scope: int
    matched: int
    first: int  # the position of the first row shown, from 1
    page: int
    pages: int
    months: list[tuple[date, int]]  # first day of a month, activities in it
    statuses: list[tuple[EntryStatus, int]]


def month_starts(today: date, count: int = MONTHS) -> list[date]:
    """The first days of the last `count` months, oldest first, this month last."""
    year, month = today.year, today.month
    out = []
    for _ in range(count):
        out.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


async def overview(ctx: Context, query: Query) -> Overview:
    """One page of the studios this person may see, filtered and sorted by the database, and the year's charts."""
    scope = await overview_scope(ctx)
    in_scope, matched = await web_figures.counts(session=ctx.session, scope=scope, wanted=_filter(query, 0))
    pages = max(1, -(-matched // PAGE))
    page = min(query.page, pages)
    wanted = _filter(query, (page - 1) * PAGE)
    found = await web_figures.studio_rows(session=ctx.session, scope=scope, wanted=wanted)
    rows = [
        StudioRow(
            id=r.id,
            name=r.name,
            union=r.union,
            enterprise=r.enterprise,
            status=StudioStatus(r.status),
            cycle_end=r.cycle_end,
            last_activity=r.last_activity,
            idle_days=(ctx.today - r.last_activity).days if r.last_activity is not None else None,
            waiting=int(r.waiting),
        )
        for r in found
    ]
    starts = month_starts(ctx.today)
    per_month = await web_figures.month_counts(session=ctx.session, scope=scope, starts=starts, until=ctx.today)
    counts = await web_figures.status_counts(session=ctx.session, scope=scope)
    return Overview(
        rows=rows,
        in_scope=in_scope,
        matched=matched,
        first=wanted.offset + 1,
        page=page,
        pages=pages,
        months=list(zip(starts, per_month, strict=True)),
        statuses=[(s, counts.get(s, 0)) for s in EntryStatus],
    )


def _filter(query: Query, offset: int) -> web_figures.Filter:
    return web_figures.Filter(query.status, query.text, query.sort, query.descending, PAGE, offset)
