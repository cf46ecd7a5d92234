"""The yearly application window (第五条): the association's dates for a year, else APPLICATION_WINDOW (MM-DD..MM-DD).

A year the association has not set keeps the deploy-time default, so a deployment works before anybody sets
one, and setting a year changes only that year.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.config import HandlerConfig
from storage.repos import audit
from storage.repos import windows as repo

MAX_DAYS = 365


@dataclass(frozen=True)
class Windows:
    """Every year's window: those set, and the default for the rest."""

    default: str
    set_years: Mapping[int, tuple[date, date]] = field(default_factory=dict)

    def of_year(self, year: int) -> tuple[date, date]:
        """The first and last day of the window of the batch of `year`."""
        if year in self.set_years:
            return self.set_years[year]
        (m1, d1), (m2, d2) = _bounds(self.default)
        crosses = (m1, d1) > (m2, d2)
        return _safe_date(year, m1, d1), _last_date(year + 1 if crosses else year, m2, d2)

    def containing(self, today: date) -> tuple[date, date] | None:
        """The window today falls in (a window across the new year belongs to the year it opened), or None."""
        for year in (today.year, today.year - 1):
            start, end = self.of_year(year)
            if start <= today <= end:
                return start, end
        return None

    def next_window(self, today: date) -> tuple[date, date]:
        """The next window to open (today's, if it opens today)."""
        for year in range(today.year, today.year + 3):
            start, end = self.of_year(year)
            if start >= today:
                return start, end
        return self.of_year(today.year + 3)

    def reopens(self, day: date) -> date:
        """The first day of the window after the one `day` falls in (after `day` itself when it falls in none)."""
        span = self.containing(day)
        return self.next_window((span[1] if span else day) + timedelta(days=1))[0]


async def load(session: AsyncSession, config: HandlerConfig) -> Windows:
    """The windows in force: the association's, over the configured default."""
    return Windows(config.application_window, await repo.all_windows(session=session))


def problem(year: int, opens_on: date, closes_on: date) -> str | None:
    """The message key of what is wrong with a window for `year`, or None."""
    if opens_on.year != year:
        return "batch.window.error.year"
    if closes_on < opens_on:
        return "batch.window.error.order"
    return "batch.window.error.long" if (closes_on - opens_on).days >= MAX_DAYS else None


async def set_year(
    session: AsyncSession,
    *,
    year: int,
    opens_on: date,
    closes_on: date,
    actor_id: int | None,
    channel: str,
    now: datetime,
) -> str | None:
    """Set a year's window with its audit row (from and to); the message key of what is wrong, else None."""
    wrong = problem(year, opens_on, closes_on)
    if wrong is not None:
        return wrong
    before = await repo.set_window(
        session=session, year=year, opens_on=opens_on, closes_on=closes_on, set_by_id=actor_id, now=now
    )
    detail: dict[str, object] = {"opens_on": opens_on.isoformat(), "closes_on": closes_on.isoformat()}
    if before is not None:
        detail |= {"was_opens_on": before[0].isoformat(), "was_closes_on": before[1].isoformat()}
    await audit.record(
        session=session,
        actor_id=actor_id,
        channel=channel,
        object_type="window",
        object_id=year,
        from_state="updated" if before else None,
        to_state="updated" if before else "created",
        detail=detail,
        at=now,
    )
    return None


def defaults(config: HandlerConfig) -> Windows:
    """The configured default alone (for readers that have no database at hand)."""
    return Windows(config.application_window)


def is_open(config: HandlerConfig, today: date) -> bool:
    """Whether the default window takes applications today."""
    return defaults(config).containing(today) is not None


def containing(config: HandlerConfig, today: date) -> tuple[date, date] | None:
    """The default window that today falls in, or None."""
    return defaults(config).containing(today)


def next_opening(config: HandlerConfig, today: date) -> date:
    """The day the default window next opens (today if it opens today)."""
    return defaults(config).next_window(today)[0]


def reopens(config: HandlerConfig, day: date) -> date:
    """The first day of the default window after the one `day` falls in."""
    return defaults(config).reopens(day)


def _bounds(text: str) -> tuple[tuple[int, int], tuple[int, int]]:
    first, _, last = text.partition("..")
    return _month_day(first), _month_day(last)


def _month_day(text: str) -> tuple[int, int]:
    month, _, day = text.strip().partition("-")
    return int(month), int(day)


def _safe_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:  # 02-29 in a common year
        return date(year, 3, 1)


def _last_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:  # a window ending on 02-29 ends on 02-28 in a common year
        return date(year, 2, 28)
