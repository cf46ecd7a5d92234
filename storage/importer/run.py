"""The import as one call: read, check every row, and write only when every row is good."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from storage.importer.apply import ImportReport, apply_plan
from storage.importer.existing import load_existing
from storage.importer.layout import SHEETS
from storage.importer.plan import Plan, plan_studios, plan_unions
from storage.importer.plan_people import plan_people, plan_roles
from storage.importer.reader import Problem, read_template

_ORDER = {layout.name: n for n, layout in enumerate(SHEETS)}


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """Either the problems found (and nothing written) or the report of what was written."""

    problems: list[Problem]
    report: ImportReport | None


async def check_file(*, session: AsyncSession, path: Path, today: date | None = None) -> tuple[Plan, list[Problem]]:
    """Read the file and check every row; reads the database in a few batch queries and writes nothing.

    `today` (the caller's, in its time zone; UTC's when not given) is the latest naming date accepted.
    Raises ImportFileError when the file is not a readable template.
    """
    lines, problems = read_template(path)
    plan = Plan(db=await load_existing(session, lines), today=today or datetime.now(UTC).date())
    plan_unions(plan, lines["unions"], problems)
    plan_studios(plan, lines["studios"], problems)
    plan_people(plan, lines["people"], problems)
    plan_roles(plan, lines["roles"], problems)
    problems.sort(key=lambda p: (_ORDER.get(p.sheet, 99), p.row))
    return plan, problems


async def import_file(*, session: AsyncSession, path: Path, today: date | None = None) -> ImportOutcome:
    """Check every row of the file; if all are good, write them (flushed; the caller commits).

    `today` is the latest naming date accepted (see check_file).
    Raises ImportFileError when the file is not a readable template.
    """
    plan, problems = await check_file(session=session, path=path, today=today)
    if problems:
        return ImportOutcome(problems=problems, report=None)
    return ImportOutcome(problems=[], report=await apply_plan(session, plan))
