"""The checked shapes of settings' values (bot/settings.py declares which setting has which): a database URL of a
supported driver, a known time zone, quiet hours, the application window, days before a cycle ends."""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

SUPPORTED_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
QUIET = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–~]\s*(\d{1,2}):(\d{2})$")


def _known_database(value: str) -> str:
    try:
        url = make_url(value)
    except ArgumentError:
        raise ValueError(f"DATABASE_URL is not a database URL: {value!r}") from None
    if url.drivername not in SUPPORTED_DRIVERS:
        raise ValueError(f"DATABASE_URL must use one of {', '.join(SUPPORTED_DRIVERS)}, not {url.drivername}")
    return value


def _known_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"TIMEZONE is not a known time zone: {value!r}") from None
    return value


def _quiet_hours_shape(value: str) -> str:
    match = QUIET.match(value.strip())
    if not match or int(match[1]) > 23 or int(match[3]) > 23 or int(match[2]) > 59 or int(match[4]) > 59:
        raise ValueError(f"QUIET_HOURS must look like 21:00-08:00, not {value!r}")
    return value.strip()


def _window_shape(value: str) -> str:
    if not re.match(r"^\d{2}-\d{2}\.\.\d{2}-\d{2}$", value.strip()):
        raise ValueError(f"APPLICATION_WINDOW must look like 03-01..04-30, not {value!r}")
    return value.strip()


def days_before(name: str, example: str) -> AfterValidator:
    """The check of a comma-separated list of whole days before a cycle ends (`name` and `example` for the error)."""

    def check(value: str) -> str:
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if not parts or not all(p.isdigit() and 0 < int(p) <= 3 * 366 for p in parts):
            raise ValueError(f"{name} must be whole days before a cycle ends, like {example}, not {value!r}")
        return value

    return AfterValidator(check)


DatabaseUrl = Annotated[str, AfterValidator(_known_database)]
TimeZoneName = Annotated[str, AfterValidator(_known_timezone)]
QuietHours = Annotated[str, AfterValidator(_quiet_hours_shape)]
WindowDates = Annotated[str, AfterValidator(_window_shape)]
