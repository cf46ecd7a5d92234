"""Dates as people write them: 2026-03-05, 3月5日, 十二月五日, 12.5, 今天, 前天, 上周五, 上个月5号, 去年12月5日."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from handlers.core.parsing.numbers import normalise, parse_int

_N = r"([0-9]{1,2}|[一二两三四五六七八九十]{1,3})"
_YEAR = r"([0-9]{4}|[〇零一二三四五六七八九]{4})"
_RELATIVE = {"今天": 0, "今日": 0, "today": 0, "昨天": 1, "昨日": 1, "yesterday": 1, "前天": 2, "大前天": 3}
_RELATIVE |= {"明天": -1, "明日": -1, "tomorrow": -1, "后天": -2, "大后天": -3}
_WEEKDAYS = {**{c: i for i, c in enumerate("一二三四五六")}, "日": 6, "天": 6, **{str(i + 1): i for i in range(7)}}
_WEEK = re.compile(r"^(上上|上|这|本|下下|下)?个?(?:周|星期|礼拜)([一二三四五六日天1-7])$")
_MONTH_OF = re.compile(rf"^(上上|上|这|本|下下|下)个?月(?:的)?(?:{_N}[日号]?)?$")
_YEAR_OF = re.compile(r"^(前年|去年|今年|明年)的?(.+)$")
_AHEAD = re.compile(r"^(?:下下?个?(?:周|星期|礼拜)|明年|next(?:week|month|year))$")  # a time ahead, no day in it
_FULL = re.compile(rf"^{_YEAR}[-/.年]{_N}[-/.月]{_N}[日号]?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH_DAY = re.compile(rf"^{_N}[-/.月]{_N}[日号]?$")
_SHIFT = {"上上": 2, "上": 1, "这": 0, "本": 0, "下": -1, "下下": -2, None: 0}
_SHIFT |= {"前年": 2, "去年": 1, "今年": 0, "明年": -1}


@dataclass(frozen=True)
class DateReading:
    """What a typed date says: the day, whether it named its year, or why it is no day at all."""

    value: date | None
    year_given: bool = True  # False: a month and day, the year taken from today
    problem: str | None = None  # message key of why it is not a date (2月30日, 上个月 without a day)
    values: dict[str, int] = field(default_factory=dict)  # the message's placeholders


def read_date(text: str, *, today: date) -> DateReading:
    """Read a typed date relative to `today`; value None when it is not one (problem says why, if known)."""
    value = re.sub(r"\s+", "", normalise(text))
    if value in _RELATIVE:
        return DateReading(today - timedelta(days=_RELATIVE[value]))
    if _AHEAD.match(value):
        return DateReading(None, problem="flows.error.ahead")
    if week := _WEEK.match(value):
        return DateReading(_weekday(today, week[1], _WEEKDAYS[week[2]]))
    if month_of := _MONTH_OF.match(value):
        year, month = divmod(today.year * 12 + today.month - 1 - _SHIFT[month_of[1]], 12)
        if month_of[2] is None:
            ahead = _SHIFT[month_of[1]] < 0
            return DateReading(None, problem="flows.error.ahead" if ahead else "flows.error.which_day")
        return _build(year, month + 1, parse_int(month_of[2]))
    if year_of := _YEAR_OF.match(value):
        reading = read_date(year_of[2], today=today)
        if reading.year_given or reading.value is None:
            return DateReading(None, problem=reading.problem, values=reading.values)
        return _build(today.year - _SHIFT[year_of[1]], reading.value.month, reading.value.day)
    for pattern in (_FULL, _COMPACT):
        if full := pattern.match(value):
            return _build(*(parse_int(part) for part in full.groups()))
    if month_day := _MONTH_DAY.match(value):
        reading = _build(today.year, parse_int(month_day[1]), parse_int(month_day[2]))
        return DateReading(reading.value, False, reading.problem, reading.values)
    return DateReading(None)


def parse_date(text: str, *, today: date) -> date | None:
    """A date as people write it (see read_date), or None."""
    return read_date(text, today=today).value


def _weekday(today: date, shift: str | None, weekday: int) -> date:
    if shift is None:  # "周五" alone: the last Friday, today included
        return today - timedelta(days=(today.weekday() - weekday) % 7)
    monday = today - timedelta(days=today.weekday())
    return monday - timedelta(weeks=_SHIFT[shift]) + timedelta(days=weekday)


def _build(year: int | None, month: int | None, day: int | None) -> DateReading:
    if year is None or month is None or day is None:
        return DateReading(None)
    try:
        return DateReading(date(year, month, day))
    except ValueError:
        if 1 <= month <= 12 and 1 <= day <= 31 and 1 <= year <= 9999:
            return DateReading(None, problem="flows.error.no_such_day", values={"month": month, "day": day})
        return DateReading(None)
