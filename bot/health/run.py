"""Run every check in order: the settings, the platforms (when asked), the database, the data."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.health.config import check_settings
from bot.health.online import check_online
from bot.health.texts import line
from bot.settings import Settings
from handlers.health.data import Limits, check_data
from handlers.health.findings import Finding, stall
from handlers.lifecycle import expert_rubric
from storage import health as repo
from storage.base import utcnow
from storage.migrate import head_revision

log = logging.getLogger("studio_bot.doctor")
SERVE_SAYS = frozenset({"wechat.plaintext"})  # serve warns of it itself, at more length


@dataclass
class Report:
    """What the checks found, and which platforms answered."""

    findings: list[Finding] = field(default_factory=list)
    answered: list[str] = field(default_factory=list)

    @property
    def stalls(self) -> bool:
        """Whether something would stall: `doctor` then exits 1."""
        return any(f.stalls for f in self.findings)


async def diagnose(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], *, online: bool = False, now: datetime | None = None
) -> Report:
    """Every finding; the data is read only when the database is at the newest migration."""
    moment = now or utcnow()
    report = Report(check_settings(settings, today=moment.astimezone(settings.tz).date()))
    if online:
        found, report.answered = await check_online(settings)
        report.findings += found
    try:
        needed = expert_rubric.load(settings.expert_rubric_file).experts_needed
    except expert_rubric.RubricError as exc:
        report.findings.append(stall("rubric.unusable", "EXPERT_RUBRIC_FILE", reason=str(exc)))
        needed = 0
    try:
        async with sessions() as session:
            current = await repo.current_revision(session=session)
            head = head_revision()
            if current != head:
                report.findings.append(stall("database.behind", "DATABASE_URL", current=current or "—", head=head))
                return report
            limits = Limits(moment, settings.tz, settings.reminder_review_working_days, needed)
            report.findings += await check_data(session, limits)
    except (SQLAlchemyError, OSError) as exc:  # the class only: a driver's message may carry the URL
        report.findings.append(stall("database.unreachable", "DATABASE_URL", reason=type(exc).__name__))
    return report


def log_report(report: Report) -> None:
    """Serve's start-up: a WARNING per finding, without the names of people (and once only what serve says)."""
    for finding in report.findings:
        if finding.code not in SERVE_SAYS:
            log.warning("doctor: %s", line(finding, with_people=False))
    if not report.findings:
        log.info("doctor: nothing would stall")
