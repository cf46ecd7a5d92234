"""A programme year in the web world: an application on notice with its opinions, and a year of approved activities."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from openpyxl import load_workbook

from storage.models import Application, ApplicationStage, Decision, EntryStatus, LedgerKind, ReviewDecision
from storage.repos import ledgers, org
from tests.reviews_support import ACTIVITY_FIELDS
from tests.web_support import WebWorld

SUBMITTED = datetime(2026, 4, 1, 2, 0, tzinfo=UTC)
OPINION = "同意推荐，成果突出，团队稳定"


async def programme_year(ww: WebWorld) -> tuple[Application, Application]:
    """The world's studio on notice (recommended with an opinion, reviewed); the other district's only submitted."""
    world = ww.world
    assert world.reviewer is not None
    async with ww.sessions() as s, s.begin():
        for day, kind, hours in (
            (date(2025, 6, 1), "技术交流", 2),
            (date(2026, 3, 5), "技术交流", 3),
            (date(2026, 1, 9), "技能培训", 4),
            (date(2024, 1, 1), "技术交流", 9),  # more than a year before the application: not summed
        ):
            entry = await ledgers.create_entry(
                session=s,
                studio_id=world.studio.id,
                kind=LedgerKind.ACTIVITY,
                author_id=world.lead.id,
                fields={**ACTIVITY_FIELDS, "occurred_on": day, "kind": kind, "hours": hours},
                at=SUBMITTED,
            )
            await ledgers.set_status(
                session=s, entry_id=entry.id, expected={EntryStatus.SUBMITTED}, to=EntryStatus.APPROVED, now=SUBMITTED
            )
        data: dict[str, Any] = {
            "lead": "张工",
            "grade": "高级技师",
            "members": 3,
            "venue": "二号车间创新室",
            "equipment": "五轴数控加工中心 2 台",
            "outcomes": [{"id": 1, "title": "刀具快换装置"}],
            "activities": "每月组织一次技术交流，带徒 6 名。",
        }
        ours = Application(
            studio_id=world.studio.id,
            applicant_id=world.lead.id,
            year=2026,
            stage=ApplicationStage.PUBLIC_NOTICE,
            data=data,
            submitted_at=SUBMITTED,
            notice_starts_on=date(2026, 5, 6),
            notice_ends_on=date(2026, 5, 12),
        )
        theirs = Application(
            studio_id=ww.other_studio.id,
            applicant_id=world.lead.id,
            year=2026,
            stage=ApplicationStage.SUBMITTED,
            data={**data, "lead": "徐领衔"},
            submitted_at=SUBMITTED,
        )
        s.add_all([ours, theirs])
        await s.flush()
        for stage, decision, who, reason in (
            (ApplicationStage.SUBMITTED, Decision.RECOMMEND, world.reviewer, OPINION),
            (ApplicationStage.RECOMMENDED, Decision.PASS_REVIEW, ww.association, None),
        ):
            s.add(
                ReviewDecision(
                    application_id=ours.id,
                    stage=stage.value,
                    decision=decision,
                    reviewer_id=who.id,
                    channel="test",
                    reason=reason,
                    decided_at=datetime(2026, 4, 10, 2, 0, tzinfo=UTC),
                )
            )
        # a second studio named on the world studio's day, and one later in the year: the list's order
        district = world.district
        await org.create_studio(session=s, name="浦东焊接创新工作室", union=district, named_on=date(2025, 3, 1))
        await org.create_studio(session=s, name="浦东电工创新工作室", union=district, named_on=date(2025, 1, 1))
    return ours, theirs


def sheet_rows(path: object) -> list[list[object]]:
    """Every row of the first sheet, as values (dates as dates)."""
    book = load_workbook(path, read_only=True)
    rows = [
        [c.value.date() if isinstance(c.value, datetime) else c.value for c in row] for row in book.active.iter_rows()
    ]
    book.close()
    return rows


def docx_text(path: object) -> str:
    """What a reader of a Word file sees: its paragraphs and its tables' cells, a line each."""
    from docx import Document

    doc = Document(str(path))
    lines = [p.text for p in doc.paragraphs]
    lines += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join(lines)


def _plain(value: object) -> object:
    return value.date() if isinstance(value, datetime) else value
