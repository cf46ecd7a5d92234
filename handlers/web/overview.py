"""The overview page's data: the studios in scope with their state, sorted and filtered, and two charts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from handlers.engine.context import Context
from handlers.web.scope import visible_studios
from storage.models import EntryStatus, StudioStatus
from storage.repos import web_figures

SORTS = ("name", "union", "status", "cycle_end", "idle", "waiting")
MONTHS = 12


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

    @classmethod
    def parse(cls, params: dict[str, str]) -> Query:
        """The query from request parameters; unknown values fall back to the defaults."""
        sort = params.get("sort", "name")
        status = params.get("status", "")
        return cls(
            sort=sort if sort in SORTS else "name",
            descending=params.get("dir") == "desc",
            status=StudioStatus(status) if status in {s.value for s in StudioStatus} else None,
            text=params.get("q", "").strip()[:100],
        )


@dataclass(frozen=True)
class Overview:
    """The rows shown, how many studios are in scope, and the charts' figures."""

    rows: list[StudioRow]
    in_scope: int
    months: list[tuple[date, int]]  # first day of a month, activities in it
    statuses: list[tuple[EntryStatus, int]]


def _key(sort: str, row: StudioRow) -> tuple[object, ...]:
    # rows without a value sort after those with one, whichever the direction
    value = {
        "name": row.name,
        "union": row.union,
        "status": row.status.value,
        "cycle_end": row.cycle_end,
        "idle": row.idle_days,
        "waiting": row.waiting,
    }[sort]
    return (value is None, value if value is not None else 0, row.name)


def month_starts(today: date, count: int = MONTHS) -> list[date]:
    """The first days of the last `count` months, oldest first, this month last."""
    year, month = today.year, today.month
    out = []
    for _ in range(count):
        out.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


async def overview(ctx: Context, query: Query) -> Overview:
    """The studios this person may see, as asked, and their activity per month over the last year."""
    studios = await visible_studios(ctx)
    ids = [s.id for s, _ in studios]
    waiting = await web_figures.waiting_counts(session=ctx.session, studio_ids=ids)
    last = await web_figures.last_activities(session=ctx.session, studio_ids=ids)
    ends = await web_figures.cycle_ends(session=ctx.session, studio_ids=ids)
    rows = [
        StudioRow(
            id=s.id,
            name=s.name,
            union=u.name,
            enterprise=s.enterprise,
            status=s.status,
            cycle_end=ends.get(s.id),
            last_activity=last.get(s.id),
            idle_days=(ctx.today - last[s.id]).days if s.id in last else None,
            waiting=waiting.get(s.id, 0),
        )
        for s, u in studios
    ]
    if query.status is not None:
        rows = [r for r in rows if r.status is query.status]
    if query.text:
        needle = query.text.lower()
        rows = [r for r in rows if needle in f"{r.name} {r.union} {r.enterprise}".lower()]
    with_value = [r for r in rows if _key(query.sort, r)[0] is False]
    without = [r for r in rows if _key(query.sort, r)[0] is True]
    with_value.sort(key=lambda r: _key(query.sort, r), reverse=query.descending)
    without.sort(key=lambda r: r.name)
    starts = month_starts(ctx.today)
    dates = await web_figures.activity_dates(session=ctx.session, studio_ids=ids, since=starts[0], until=ctx.today)
    per_month = Counter(date(d.year, d.month, 1) for d in dates)
    counts = await web_figures.status_counts(session=ctx.session, studio_ids=ids)
    return Overview(
        rows=with_value + without,
        in_scope=len(studios),
        months=[(m, per_month.get(m, 0)) for m in starts],
        statuses=[(s, counts.get(s, 0)) for s in EntryStatus],
    )
