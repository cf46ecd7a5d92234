"""A studio with ledgers in every state, shared by the export and assessment tests (figures computed by hand)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.exports.labels import labeler
from storage.exports.studio import sheet_name
from storage.models import EntryStatus, LedgerEntry, LedgerKind, Person, RoleKind, Studio, Union, UnionLevel
from storage.repos import ledgers, org, persons

NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)
NAMED_ON = date(2025, 6, 1)  # cycle 2025-06-01 .. 2028-05-31


@dataclass
class World:
    """The rows a test may want to look at."""

    union: Union
    studio: Studio
    lead: Person
    entries: dict[str, LedgerEntry]


def activity(day: date, kind: str, hours: str, title: str | None = None, **extra: Any) -> dict[str, Any]:
    """Fields of an activity version."""
    return {
        "occurred_on": day,
        "kind": kind,
        "title": title or f"{kind} {day.isoformat()}",
        "place": "二号车间",
        "participants": ["王建国", "李娟", "赵磊"],
        "hours": Decimal(hours),
        "content": "分析刀具磨损数据",
        "results": "形成改进方案一份",
        **extra,
    }


def outcome(day: date, category: str, **extra: Any) -> dict[str, Any]:
    """Fields of an outcome version."""
    return {"title": f"{category}成果", "category": category, "team": ["王建国", "李娟"], "recorded_on": day, **extra}


def training(day: date, kind: str, trainees: list[str], hours: str, **extra: Any) -> dict[str, Any]:
    """Fields of a training version."""
    return {
        "held_on": day,
        "kind": kind,
        "mentor": "王建国",
        "trainees": trainees,
        "hours": Decimal(hours),
        "topic": f"{kind} {day.isoformat()}",
        **extra,
    }


async def add(
    session: AsyncSession,
    world_studio: Studio,
    author: Person,
    kind: LedgerKind,
    fields: dict[str, Any],
    status: EntryStatus,
) -> LedgerEntry:
    """Create an entry and move it to `status`."""
    entry = await ledgers.create_entry(
        session=session, studio_id=world_studio.id, kind=kind, author_id=author.id, fields=fields
    )
    if status is not EntryStatus.SUBMITTED:
        await ledgers.set_status(
            session=session, entry_id=entry.id, expected={EntryStatus.SUBMITTED}, to=status, now=NOW
        )
    return entry


async def build_world(session: AsyncSession, *, studio_name: str = "王建国技师创新工作室") -> World:
    """A named studio with a lead, three members and ledgers in every state; committed."""
    union = await org.get_union(session=session, name="浦东新区总工会") or await org.create_union(
        session=session, name="浦东新区总工会", level=UnionLevel.DISTRICT
    )
    studio = await org.create_studio(session=session, name=studio_name, union=union, named_on=NAMED_ON)
    lead = await persons.create_person(session=session, name="王建国", grade="高级技师")
    await org.grant_role(session=session, person=lead, kind=RoleKind.LEAD, studio=studio)
    for name in ("李娟", "赵磊", "孙强"):
        member = await persons.create_person(session=session, name=name, grade="技师")
        await org.grant_role(session=session, person=member, kind=RoleKind.MEMBER, studio=studio)
    A, O, T = LedgerKind.ACTIVITY, LedgerKind.OUTCOME, LedgerKind.TRAINING  # noqa: E741
    ok, wait, back, no = EntryStatus.APPROVED, EntryStatus.SUBMITTED, EntryStatus.RETURNED, EntryStatus.REJECTED
    e: dict[str, LedgerEntry] = {}
    e["a1"] = await add(session, studio, lead, A, activity(date(2025, 6, 10), "技术交流", "2.5"), ok)
    e["a2"] = await add(session, studio, lead, A, activity(date(2025, 6, 20), "学习", "2"), ok)
    e["a3"] = await add(session, studio, lead, A, activity(date(2025, 7, 5), "技术交流", "3", title="=SUM(A1:A9)"), ok)
    e["a4"] = await add(session, studio, lead, A, activity(date(2026, 1, 15), "攻关", "4"), ok)
    e["a5"] = await add(session, studio, lead, A, activity(date(2026, 1, 20), "技术交流", "1.5"), wait)
    e["a6"] = await add(session, studio, lead, A, activity(date(2026, 2, 1), "学习", "2"), back)
    e["a7"] = await add(session, studio, lead, A, activity(date(2025, 5, 31), "学习", "1"), ok)  # before the cycle
    e["a8"] = await add(session, studio, lead, A, activity(date(2026, 3, 1), "技术练兵", "2"), no)
    # Edited once: version 2 (技术创新, 5 h) is the one approved and counted.
    e["a9"] = await add(session, studio, lead, A, activity(date(2026, 4, 1), "学习", "1"), wait)
    await ledgers.edit_entry(
        session=session, entry=e["a9"], editor_id=lead.id, fields={"kind": "技术创新", "hours": Decimal(5)}
    )
    await ledgers.set_status(session=session, entry_id=e["a9"].id, expected={wait}, to=ok, now=NOW)
    e["o1"] = await add(
        session,
        studio,
        lead,
        O,
        outcome(
            date(2025, 9, 1),
            "小革新",
            applied=True,
            applied_since=date(2025, 10, 1),
            funding_amount=Decimal("30000"),
            funding_scheme="上海职工(技师)创新项目资助",
            patent_kind="实用新型",
            patent_number="ZL202520123456.7",
            patent_status="授权",
            benefit_wan=Decimal("12.5"),
        ),
        ok,
    )
    e["o2"] = await add(session, studio, lead, O, outcome(date(2026, 2, 1), "合理化建议", benefit_wan=Decimal(3)), ok)
    e["o3"] = await add(
        session,
        studio,
        lead,
        O,
        outcome(date(2026, 5, 1), "小发明", applied=True, funding_amount=Decimal("20000"), patent_kind="发明"),
        ok,
    )
    e["o4"] = await add(session, studio, lead, O, outcome(date(2026, 6, 1), "小革新"), wait)
    e["t1"] = await add(
        session,
        studio,
        lead,
        T,
        training(date(2025, 10, 10), "mentoring", ["小张", "小李"], "8", promoted_grade="技师", promoted_count=1),
        ok,
    )
    e["t2"] = await add(
        session,
        studio,
        lead,
        T,
        training(date(2026, 3, 10), "mentoring", ["小张", "小王"], "6", promoted_grade="技师", promoted_count=1),
        ok,
    )
    e["t3"] = await add(
        session, studio, lead, T, training(date(2026, 4, 10), "training", ["甲", "乙", "丙"], "3.5"), ok
    )
    await session.commit()
    return World(union=union, studio=studio, lead=lead, entries=e)


def counts_of(**counts: int) -> dict[LedgerKind, int]:
    """The rows an export should count per ledger: those named, and none in every other ledger."""
    return {kind: counts.get(kind.value, 0) for kind in LedgerKind}


def sheet_names(locale: str = "zh_CN") -> list[str]:
    """Every ledger's sheet name in a language, in LedgerKind order (the order of the workbook and the files)."""
    label = labeler(locale)
    return [sheet_name(kind, label) for kind in LedgerKind]
