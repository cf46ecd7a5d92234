"""Synthetic data for bench/reminders.py: studios with three years of ledgers, inserted in bulk.

Only the columns the planner reads are filled (no version rows): the benchmark measures the planner.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import (
    Application,
    ApplicationStage,
    ChannelIdentity,
    Cycle,
    CycleResult,
    Decision,
    EntryStatus,
    LedgerEntry,
    LedgerKind,
    Person,
    ReviewDecision,
    Role,
    RoleKind,
    Studio,
    StudioStatus,
    Union,
    UnionLevel,
)
from storage.repos.studio_cycles import cycle_end

DISTRICTS = 16
STUDIOS_PER_ENTERPRISE = 25
LEDGER_YEARS = 3
EXPERTS = 7
UNNAMED_EVERY = 20  # besides the named ones, one studio in 20 is applying or was not retained


def _moment(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), UTC)


class Builder:
    """Accumulates rows per table, with ids assigned here so that rows can refer to each other."""

    def __init__(self) -> None:
        self.rows: dict[Any, list[dict[str, Any]]] = {}
        self.ids: dict[Any, int] = {}

    def add(self, model: Any, **values: Any) -> int:
        new_id = self.ids.get(model, 0) + 1
        self.ids[model] = new_id
        if "id" in model.__table__.c:
            values["id"] = new_id
        if "created_at" in model.__table__.c:
            values.setdefault("created_at", _moment(date(2021, 1, 1)))
        self.rows.setdefault(model, []).append(values)
        return new_id

    def person(self, name: str, kind: RoleKind, *, studio: int | None = None, union: int | None = None) -> int:
        pid = self.add(Person, name=name, locale="zh_CN" if len(name) % 5 else "en", enterprise="")
        self.add(ChannelIdentity, person_id=pid, channel="telegram", external_id=f"tg{pid}", chat_id=f"c{pid}")
        self.add(Role, person_id=pid, kind=kind, studio_id=studio, union_id=union, active=True)
        return pid


def _ledger(b: Builder, rng: random.Random, studio: int, lead: int, start: date, until: date) -> None:
    quiet_from = until - timedelta(days=rng.randint(35, 120)) if rng.random() < 0.1 else until
    for kind, every in ((LedgerKind.ACTIVITY, 20), (LedgerKind.OUTCOME, 90), (LedgerKind.TRAINING, 60)):
        day = start + timedelta(days=rng.randint(0, every))
        while day < min(until, quiet_from):
            created = _moment(day, rng.randint(8, 20))
            age = (until - day).days
            status = EntryStatus.APPROVED
            if age < 5 or (age < 20 and rng.random() < 0.05):  # most reviews are done within days
                status = EntryStatus.SUBMITTED
            elif age < 90 and rng.random() < 0.05:  # older returned entries have since been fixed
                status = EntryStatus.RETURNED
            changed = created if status is EntryStatus.SUBMITTED else created + timedelta(days=2)
            entry = b.add(
                LedgerEntry,
                studio_id=studio,
                kind=kind,
                status=status,
                version=1,
                author_id=lead,
                occurred_on=day,
                title=f"{kind.value} {day:%Y-%m-%d}",
                created_at=created,
                status_changed_at=changed,
            )
            if status is EntryStatus.APPROVED:
                b.add(
                    ReviewDecision,
                    entry_id=entry,
                    entry_version=1,
                    decision=Decision.APPROVE,
                    reviewer_id=lead,
                    channel="bench",
                    decided_at=changed,
                )
            day += timedelta(days=every + rng.randint(-5, 5))


def _not_named(
    b: Builder, rng: random.Random, count: int, enterprises: list[int], ledger_start: date, at: date
) -> None:
    """Studios keeping ledgers without the title: half applying for it, half not retained after a cycle."""
    for s in range(count):
        union = enterprises[s % len(enterprises)]
        if s % 2 == 0:
            created = at - timedelta(days=rng.randint(60, 700))
            studio = b.add(
                Studio,
                name=f"申报工作室{s:05d}",
                union_id=union,
                status=StudioStatus.APPLYING,
                named_on=None,
                created_at=_moment(created),
            )
            start = created
        else:
            named = date(rng.randint(2021, 2023), 6, 1) + timedelta(days=rng.randint(0, 120))
            studio = b.add(
                Studio,
                name=f"未保留工作室{s:05d}",
                union_id=union,
                status=StudioStatus.NOT_RETAINED,
                named_on=named,
                created_at=_moment(named),
            )
            ends = cycle_end(named)
            b.add(
                Cycle,
                studio_id=studio,
                number=1,
                starts_on=named,
                ends_on=ends,
                result=CycleResult.NOT_RETAINED,
                assessed_at=_moment(ends),
            )
            start = named
        lead = b.person(f"申报领衔人{s}", RoleKind.LEAD, studio=studio)
        _ledger(b, rng, studio, lead, max(start, ledger_start), at)


def generate(studios: int, at: date, seed: int = 7) -> Builder:
    """Unions, officers, named studios with cycles and three years of ledgers up to `at`, and a few not named."""
    rng = random.Random(seed)
    b = Builder()
    association = b.add(Union, name="市职工技协", level=UnionLevel.MUNICIPAL, parent_id=None)
    for n in range(2):
        b.person(f"技协{n}", RoleKind.ASSOCIATION, union=association)
    for n in range(EXPERTS):  # the committee: asked to score each cycle whose figures freeze
        b.person(f"专家{n}", RoleKind.EXPERT, union=association)
    districts = [
        b.add(Union, name=f"区工会{d}", level=UnionLevel.DISTRICT, parent_id=association) for d in range(DISTRICTS)
    ]
    for d in districts:
        for n in range(2):
            b.person(f"审核{d}-{n}", RoleKind.REVIEWER, union=d)
    enterprises = []
    for e in range(max(1, studios // STUDIOS_PER_ENTERPRISE)):
        union = b.add(Union, name=f"企业工会{e}", level=UnionLevel.ENTERPRISE, parent_id=districts[e % DISTRICTS])
        b.person(f"企管{e}", RoleKind.ENTERPRISE, union=union)
        enterprises.append(union)
    ledger_start = at.replace(year=at.year - LEDGER_YEARS)
    for s in range(studios):
        named = date(rng.randint(2021, 2026), 6, 1) + timedelta(days=rng.randint(0, 120))
        named = min(named, at - timedelta(days=30))
        studio = b.add(
            Studio,
            name=f"工作室{s:05d}",
            union_id=enterprises[s % len(enterprises)],
            status=StudioStatus.NAMED,
            named_on=named,
            created_at=_moment(named),
        )
        start, number = named, 1
        while cycle_end(start) < at and rng.random() < 0.95:  # most ended cycles were assessed and renewed
            b.add(
                Cycle,
                studio_id=studio,
                number=number,
                starts_on=start,
                ends_on=cycle_end(start),
                result=CycleResult.RETAINED,
                assessed_at=_moment(cycle_end(start)),
            )
            start, number = cycle_end(start) + timedelta(days=1), number + 1
        b.add(Cycle, studio_id=studio, number=number, starts_on=start, ends_on=cycle_end(start), result=None)
        lead = b.person(f"领衔人{s}", RoleKind.LEAD, studio=studio)
        _ledger(b, rng, studio, lead, max(named, ledger_start), at)
    _not_named(b, random.Random(seed + 1), studios // UNNAMED_EVERY, enterprises, ledger_start, at)
    for a in range(50):
        b.add(
            Application,
            studio_id=1 + a,
            applicant_id=1,
            year=at.year - 1,
            stage=ApplicationStage.PUBLIC_NOTICE,
            notice_starts_on=at - timedelta(days=10 + a),
            notice_ends_on=at - timedelta(days=3 + a),
            data={},
        )
    return b


async def load(engine: AsyncEngine, b: Builder, chunk: int = 20_000) -> int:
    """Insert every row in bulk; return how many."""
    total = 0
    async with engine.begin() as conn:
        for model in (Union, Person, ChannelIdentity, Studio, Role, Cycle, LedgerEntry, ReviewDecision, Application):
            rows = b.rows.get(model, [])
            keys = {k for row in rows for k in row}
            rows = [{k: row.get(k) for k in keys} for row in rows]  # executemany wants one shape
            for i in range(0, len(rows), chunk):
                await conn.execute(model.__table__.insert(), rows[i : i + chunk])
            total += len(rows)
    return total
