"""What handlers need to know of the settings, as a plain value (handlers never import bot/)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class HandlerConfig:
    """The policy knobs handlers read; bot/ builds it from Settings with `from_object`."""

    secret_key: bytes = b"development-only-secret"
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    default_locale: str = "zh_CN"
    public_base_url: str = ""
    media_dir: Path = Path("./data/media")
    export_dir: Path = Path("./data/exports")
    conversation_ttl_minutes: int = 60 * 24
    bind_max_failures: int = 5
    bind_failure_window_minutes: int = 10
    bind_lockout_minutes: int = 30
    bind_global_max_failures: int = 50
    invite_ttl_days: int = 14
    application_window: str = "03-01..04-30"
    public_notice_days: int = 7
    expert_rubric_file: Path | None = None
    assessment_rubric_file: Path | None = None
    quiet_window: tuple[time, time] = (time(21, 0), time(8, 0))
    cycle_reminder_days: tuple[int, ...] = (180, 90, 30, 7)
    reminder_idle_days: int = 30
    reminder_returned_days: int = 7
    reminder_review_working_days: int = 3
    reminder_escalate_working_days: int = 7
    download_link_ttl_minutes: int = 60
    web_link_ttl_minutes: int = 10
    web_session_idle_hours: int = 8
    # issue 17: 第三条(4) asks this many approved activities in the last 12 months; the association is told
    # this many days before a cycle ends (考核验收)
    application_min_activities: int = 6
    assessment_notice_days: tuple[int, ...] = (60, 30)
    web_session_max_days: int = 7
    full_day_hours: float = 8  # what 一天 / 全天 means when people give hours in days (两天: twice that)
    half_day_hours: float = 4  # what 半天 means
    # a turn's replies not confirmed sent this long after it committed were lost (a process died): the
    # person's next message brings them first; above the 15 s a sent reply's record is retried (owed.py)
    reply_owed_after_seconds: float = 30

    @classmethod
    def from_object(cls, source: Any, **overrides: Any) -> HandlerConfig:
        """Copy every field this class has from an object with the same attribute names."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            if hasattr(source, f.name):
                values[f.name] = getattr(source, f.name)
        secret = getattr(source, "secret_key", None)
        if secret is not None and hasattr(secret, "get_secret_value"):
            values["secret_key"] = secret.get_secret_value().encode()
        for name in ("cycle_reminder_days", "assessment_notice_days"):
            if isinstance(values.get(name), list):
                values[name] = tuple(values[name])
        values.update(overrides)
        return cls(**values)
