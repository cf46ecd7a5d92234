"""China's working-day calendar and the quiet hours: when a reminder may be pushed."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

# Statutory holidays on fixed dates (全国年节及纪念日放假办法): 元旦, 劳动节, 国庆节.
FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})
log = logging.getLogger(__name__)


@lru_cache(maxsize=4096)
def is_working_day(day: date) -> bool:
    """A working day by the State Council's calendar (holidays, make-up days); estimated where it has no data."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # the package covers only the years already announced
        return _estimated_working_day(day)


def _estimated_working_day(day: date) -> bool:
    # Until the year's calendar is published: weekends, the fixed-date holidays and 清明 (a solar term)
    # are off; the lunar holidays (春节, 端午, 中秋) and make-up days need the published calendar.
    _warn_unannounced(day.year)
    if day.weekday() >= 5 or (day.month, day.day) in FIXED_HOLIDAYS:
        return False
    if day.month == 4:
        terms = chinese_calendar.get_solar_terms(date(day.year, 4, 1), date(day.year, 4, 30))
        return all(not (when == day and name == "清明") for when, name in terms)
    return True


@cache
def _warn_unannounced(year: int) -> None:
    log.warning(
        "chinese_calendar has no holidays for %d yet: reminders skip weekends, 元旦, 劳动节, 国庆节 and 清明 only;"
        " upgrade chinese-calendar once the State Council publishes the year",
        year,
    )


def working_days_after(start: date, end: date) -> int:
    """How many working days lie in (start, end]: the working days waited since `start`."""
    count, day = 0, start + timedelta(days=1)
    while day <= end:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count


def working_days_before(end: date, count: int) -> date:
    """The latest day D such that (D, end] holds `count` working days."""
    day, seen = end, 0
    while seen < count:
        seen += is_working_day(day)
        day -= timedelta(days=1)
    return day


def in_quiet_hours(moment: time, quiet: tuple[time, time]) -> bool:
    """Whether a local time of day falls in the quiet window, which may cross midnight."""
    start, end = quiet
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


@dataclass(frozen=True)
class PushWindow:
    """When reminders may go out: on working days, outside quiet hours, in local time."""

    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    quiet: tuple[time, time] = (time(21, 0), time(8, 0))

    def allows(self, moment: datetime) -> bool:
        """Whether a reminder may be pushed at this moment."""
        local = moment.astimezone(self.tz)
        return is_working_day(local.date()) and not in_quiet_hours(local.time(), self.quiet)

    def next_moment(self, moment: datetime) -> datetime:
        """The first moment at or after `moment` when a reminder may be pushed (UTC)."""
        local = moment.astimezone(self.tz)
        start, end = self.quiet
        for _ in range(3 * 366):
            if not is_working_day(local.date()):
                local = datetime.combine(local.date() + timedelta(days=1), time(0), self.tz)
            elif in_quiet_hours(local.time(), self.quiet):
                day = local.date() + timedelta(days=1) if start > end and local.time() >= start else local.date()
                local = datetime.combine(day, end, self.tz)
            else:
                return local.astimezone(UTC)
        raise ValueError("no working day within three years")  # pragma: no cover - the calendar has weekdays

    def today(self, moment: datetime) -> date:
        """The local date of a moment."""
        return moment.astimezone(self.tz).date()

    def day_start(self, day: date) -> datetime:
        """Local midnight at the start of `day`, in UTC."""
        return datetime.combine(day, time(0), self.tz).astimezone(UTC)
