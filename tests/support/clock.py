"""A clock tests move by hand, so that expiry and lockouts happen without waiting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """Callable like `storage.base.utcnow`; `advance()` moves it on."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move the clock forward by timedelta(**delta)."""
        self.now += timedelta(**delta)
        return self.now
