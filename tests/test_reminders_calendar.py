"""When a reminder may go out: China's working days (holidays, make-up days), quiet hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from handlers.reminders.calendar import (
    PushWindow,
    _warn_unannounced,
    in_quiet_hours,
    is_working_day,
    working_days_after,
)
from tests.reminders_support import SHANGHAI, at

WINDOW = PushWindow(SHANGHAI, (time(21, 0), time(8, 0)))


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 10, 1), False),  # National Day, a Thursday
        (date(2026, 10, 7), False),  # still the Golden Week, a Wednesday
        (date(2026, 10, 10), True),  # make-up working Saturday
        (date(2026, 2, 14), True),  # make-up Saturday before the Spring Festival
        (date(2026, 2, 17), False),  # Spring Festival, a Tuesday
        (date(2026, 9, 16), True),  # an ordinary Wednesday
        (date(2026, 9, 19), False),  # an ordinary Saturday
    ],
)
def test_official_calendar_decides_working_days(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_years_the_package_does_not_cover_keep_weekends_and_the_fixed_holidays(
    caplog: pytest.LogCaptureFixture,
) -> None:
    is_working_day.cache_clear()
    _warn_unannounced.cache_clear()  # the warning is logged once per year and process
    # 2027 is not announced yet: no reminder on New Year's Day, Labour Day, National Day or 清明
    assert not is_working_day(date(2027, 1, 1))  # a Friday
    assert is_working_day(date(2027, 5, 3))  # a Monday after 5-1 and 5-2
    assert not is_working_day(date(2027, 10, 1))  # a Friday
    assert not is_working_day(date(2035, 10, 2))  # a Tuesday
    assert not is_working_day(date(2027, 4, 5))  # 清明, a Monday
    assert is_working_day(date(2027, 4, 6))  # an ordinary Tuesday
    assert not is_working_day(date(2035, 10, 6))  # a Saturday
    assert "no holidays for 2027 yet" in caplog.text and "no holidays for 2035 yet" in caplog.text


def test_quiet_hours_cross_midnight() -> None:
    quiet = (time(21, 0), time(8, 0))
    assert in_quiet_hours(time(21, 0), quiet) and in_quiet_hours(time(3, 0), quiet)
    assert in_quiet_hours(time(7, 59), quiet)
    assert not in_quiet_hours(time(8, 0), quiet) and not in_quiet_hours(time(20, 59), quiet)
    assert in_quiet_hours(time(12, 30), (time(12, 0), time(13, 0)))
    assert not in_quiet_hours(time(3, 0), (time(0, 0), time(0, 0)))


def test_a_reminder_planned_at_night_goes_out_at_eight_next_working_morning() -> None:
    assert WINDOW.next_moment(at(date(2026, 9, 16), 22, 30)) == at(date(2026, 9, 17), 8)
    assert WINDOW.next_moment(at(date(2026, 9, 17), 6, 0)) == at(date(2026, 9, 17), 8)
    assert WINDOW.next_moment(at(date(2026, 9, 17), 10, 0)) == at(date(2026, 9, 17), 10)


def test_a_reminder_planned_before_golden_week_waits_for_the_week_to_end() -> None:
    # Wednesday 30 September, 21:30: quiet; then 1–7 October are holidays, the 8th a Thursday
    assert WINDOW.next_moment(at(date(2026, 9, 30), 21, 30)) == at(date(2026, 10, 8), 8)
    assert not WINDOW.allows(at(date(2026, 10, 3), 10))
    assert WINDOW.allows(at(date(2026, 10, 10), 10))  # make-up Saturday


def test_times_are_stored_in_utc() -> None:
    moment = WINDOW.next_moment(datetime(2026, 9, 17, 0, 0, tzinfo=UTC))  # 08:00 in Shanghai
    assert moment.tzinfo is UTC and moment == datetime(2026, 9, 17, 0, 0, tzinfo=UTC)


def test_working_days_waited_skip_holidays() -> None:
    # submitted Friday 25 September (a holiday eve): 28, 29, 30 Sep, then 8, 9, 10 (Sat, make-up) Oct
    assert working_days_after(date(2026, 9, 25), date(2026, 9, 30)) == 3
    assert working_days_after(date(2026, 9, 25), date(2026, 10, 7)) == 3
    assert working_days_after(date(2026, 9, 25), date(2026, 10, 10)) == 6
