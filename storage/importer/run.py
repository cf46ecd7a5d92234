"""The import as one call: read, check every row, and write only when every row is good."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from storage.importer.apply import ImportReport, apply_plan
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


async def import_file(*, session: AsyncSession, path: Path) -> ImportOutcome:
    """Check every row of the file; if all are good, write them (flushed; the caller commits).

    Raises ImportFileError when the file is not a readable template.
    """
    lines, problems = read_template(path)
    plan = Plan()
    await plan_unions(session, plan, lines["unions"], problems)
    await plan_studios(session, plan, lines["studios"], problems)
    await plan_people(session, plan, lines["people"], problems)
    await plan_roles(session, plan, lines["roles"], problems)
    if problems:
        problems.sort(key=lambda p: (_ORDER.get(p.sheet, 99), p.row))
        return ImportOutcome(problems=problems, report=None)
    return ImportOutcome(problems=[], report=await apply_plan(session, plan))
