"""The yearly application window (第五条): APPLICATION_WINDOW as MM-DD..MM-DD, local dates."""

from __future__ import annotations

from datetime import date, timedelta

from handlers.core.config import HandlerConfig


def _month_day(text: str) -> tuple[int, int]:
    month, _, day = text.strip().partition("-")
    return int(month), int(day)


def bounds(config: HandlerConfig) -> tuple[tuple[int, int], tuple[int, int]]:
    """The first and last (month, day) of the window."""
    first, _, last = config.application_window.partition("..")
    return _month_day(first), _month_day(last)


def is_open(config: HandlerConfig, today: date) -> bool:
    """Whether applications are taken today; a window may run across the new year (11-01..01-31)."""
    return containing(config, today) is not None


def containing(config: HandlerConfig, today: date) -> tuple[date, date] | None:
    """The first and last day of the window that today falls in, or None when applications are closed."""
    (m1, d1), (m2, d2) = bounds(config)
    crosses = (m1, d1) > (m2, d2)
    # a window across the new year that is still open in January opened the year before
    opened = today.year - 1 if crosses and (today.month, today.day) <= (m2, d2) else today.year
    start = _safe_date(opened, m1, d1)
    end = _last_date(opened + 1 if crosses else opened, m2, d2)
    return (start, end) if start <= today <= end else None


def next_opening(config: HandlerConfig, today: date) -> date:
    """The day the window next opens (today if it opens today)."""
    (month, day), _ = bounds(config)
    candidate = _safe_date(today.year, month, day)
    return candidate if candidate >= today else _safe_date(today.year + 1, month, day)


def reopens(config: HandlerConfig, day: date) -> date:
    """The first day of the window after the one `day` falls in (after `day` itself when it falls in none)."""
    span = containing(config, day)
    return next_opening(config, (span[1] if span else day) + timedelta(days=1))


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
