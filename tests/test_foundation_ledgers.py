"""The versioned ledger repository and the audit trail."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.base import utcnow
from storage.database import create_engine, session_factory
from storage.ledger_specs import SPECS
from storage.models import (
    EntryStatus,
    LedgerEntry,
    LedgerKind,
    Person,
    Studio,
    UnionLevel,
)
from storage.repos import audit, ledger_versions, ledgers, org, persons

ACTIVITY: dict[str, Any] = {
    "occurred_on": date(2026, 3, 5),
    "kind": "技术交流",
    "title": "数控车床刀具寿命攻关讨论",
    "place": "二号车间",
    "participants": ["王建国", "李娟", "赵磊"],
    "hours": Decimal("2.5"),
    "content": "分析刀具磨损数据",
    "results": "形成改进方案一份",
}
OUTCOME: dict[str, Any] = {
    "title": "焊接夹具快换装置",
    "category": "小革新",
    "team": ["王建国", "李娟"],
    "recorded_on": date(2026, 2, 1),
    "applied": True,
    "applied_since": date(2025, 11, 1),
    "funding_amount": Decimal("30000.00"),
    "funding_scheme": "上海职工(技师)创新项目资助",
    "patent_kind": "实用新型",
    "patent_number": "ZL202520123456.7",
    "patent_status": "授权",
    "benefit_wan": Decimal("12.50"),
}
TRAINING: dict[str, Any] = {
    "held_on": date(2026, 1, 15),
    "kind": "mentoring",
    "mentor": "王建国",
    "trainees": ["小张"],
    "hours": Decimal("8"),
    "topic": "高师带徒：数控编程",
    "promoted_grade": "技师",
    "promoted_count": 1,
}


async def _studio_and_lead(session: AsyncSession) -> tuple[Studio, Person]:
    union = await org.create_union(session=session, name="浦东新区总工会", level=UnionLevel.DISTRICT)
    studio = await org.create_studio(
        session=session, name="王建国技师创新工作室", union=union, named_on=date(2025, 6, 1)
    )
    lead = await persons.create_person(session=session, name="王建国", grade="高级技师")
    return studio, lead


SAMPLES = {LedgerKind.ACTIVITY: ACTIVITY, LedgerKind.OUTCOME: OUTCOME, LedgerKind.TRAINING: TRAINING}


@pytest.mark.parametrize("kind", list(LedgerKind))
async def test_create_writes_entry_and_version_one(session: AsyncSession, kind: LedgerKind) -> None:
    fields, spec = SAMPLES[kind], SPECS[kind]  # a new ledger: add its sample fields above
    studio, lead = await _studio_and_lead(session)
    entry = await ledgers.create_entry(
        session=session, studio_id=studio.id, kind=kind, author_id=lead.id, fields=fields
    )
    await session.commit()
    assert entry.status is EntryStatus.SUBMITTED and entry.version == 1 and entry.kind is kind
    row = await ledger_versions.current_version(session=session, entry=entry)
    assert isinstance(row, spec.model)
    assert ledger_versions.version_fields(row) | fields == ledger_versions.version_fields(row)
    assert (entry.title, entry.occurred_on) == (fields[spec.title_field], fields[spec.date_field])


async def test_edit_keeps_the_old_version_and_resubmits(session: AsyncSession) -> None:
    studio, lead = await _studio_and_lead(session)
    entry = await ledgers.create_entry(
        session=session, studio_id=studio.id, kind=LedgerKind.ACTIVITY, author_id=lead.id, fields=ACTIVITY
    )
    assert await ledgers.set_status(
        session=session, entry_id=entry.id, expected={EntryStatus.SUBMITTED}, to=EntryStatus.RETURNED, now=utcnow()
    )
    await session.commit()
    assert entry.status is EntryStatus.RETURNED

    edited = await ledgers.edit_entry(session=session, entry=entry, editor_id=lead.id, fields={"hours": Decimal("3")})
    await session.commit()

    assert edited.version == 2 and edited.status is EntryStatus.SUBMITTED
    versions = await ledger_versions.versions_of(session=session, entry=edited)
    assert [v.version for v in versions] == [1, 2]
    first, second = (ledger_versions.version_fields(v) for v in versions)
    counted = {"participant_count": 3}  # no head count given: as many as the names listed
    assert first == ACTIVITY | {"hours": Decimal("2.5")} | counted
    assert second == ACTIVITY | {"hours": Decimal("3.0")} | counted
    current = await ledger_versions.current_version(session=session, entry=edited)
    assert current.version == 2


async def test_edit_of_the_title_moves_the_entry_mirror(session: AsyncSession) -> None:
    studio, lead = await _studio_and_lead(session)
    entry = await ledgers.create_entry(
        session=session, studio_id=studio.id, kind=LedgerKind.TRAINING, author_id=lead.id, fields=TRAINING
    )
    await ledgers.edit_entry(
        session=session,
        entry=entry,
        editor_id=lead.id,
        fields={"topic": "技能培训：焊接", "held_on": date(2026, 1, 20)},
    )
    await session.commit()
    assert (entry.title, entry.occurred_on) == ("技能培训：焊接", date(2026, 1, 20))


async def test_bad_fields_are_refused_and_nothing_is_written(session: AsyncSession) -> None:
    studio, lead = await _studio_and_lead(session)
    await session.commit()
    with pytest.raises(ledgers.LedgerFieldError, match="unknown"):
        await ledgers.create_entry(
            session=session,
            studio_id=studio.id,
            kind=LedgerKind.ACTIVITY,
            author_id=lead.id,
            fields=ACTIVITY | {"colour": "red"},
        )
    missing = {k: v for k, v in ACTIVITY.items() if k != "hours"}
    with pytest.raises(ledgers.LedgerFieldError, match="hours"):
        await ledgers.create_entry(
            session=session, studio_id=studio.id, kind=LedgerKind.ACTIVITY, author_id=lead.id, fields=missing
        )
    assert await session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


async def test_a_stale_edit_is_refused(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as s:
        studio, lead = await _studio_and_lead(s)
        entry = await ledgers.create_entry(
            session=s, studio_id=studio.id, kind=LedgerKind.ACTIVITY, author_id=lead.id, fields=ACTIVITY
        )
        await s.commit()
    # Two people opened the entry at version 1; the first edit wins, the second is told it is stale.
    async with sessions() as b:
        entry_b = await ledgers.get_entry(session=b, entry_id=entry.id)
        await b.commit()
    async with sessions() as a:
        entry_a = await ledgers.get_entry(session=a, entry_id=entry.id)
        assert entry_a is not None
        await ledgers.edit_entry(session=a, entry=entry_a, editor_id=lead.id, fields={"place": "A"})
        await a.commit()
    async with sessions() as b:
        assert entry_b is not None
        b.add(entry_b)
        with pytest.raises(ledgers.StaleEntry):
            await ledgers.edit_entry(session=b, entry=entry_b, editor_id=lead.id, fields={"place": "B"})
        await b.rollback()
    async with sessions() as s:
        fresh = await ledgers.get_entry(session=s, entry_id=entry.id)
        assert fresh is not None
        versions = await ledger_versions.versions_of(session=s, entry=fresh)
        assert [ledger_versions.version_fields(v)["place"] for v in versions] == ["二号车间", "A"]


async def test_set_status_only_from_expected_and_version(session: AsyncSession) -> None:
    studio, lead = await _studio_and_lead(session)
    entry = await ledgers.create_entry(
        session=session, studio_id=studio.id, kind=LedgerKind.OUTCOME, author_id=lead.id, fields=OUTCOME
    )
    now = utcnow()
    # A decision about version 1 never lands on version 2.
    await ledgers.edit_entry(session=session, entry=entry, editor_id=lead.id, fields={"awards": "市级二等奖"})
    assert not await ledgers.set_status(
        session=session,
        entry_id=entry.id,
        expected={EntryStatus.SUBMITTED},
        to=EntryStatus.APPROVED,
        now=now,
        version=1,
    )
    assert await ledgers.set_status(
        session=session,
        entry_id=entry.id,
        expected={EntryStatus.SUBMITTED},
        to=EntryStatus.APPROVED,
        now=now,
        version=2,
    )
    assert not await ledgers.set_status(
        session=session, entry_id=entry.id, expected={EntryStatus.SUBMITTED}, to=EntryStatus.REJECTED, now=now
    )
    await session.commit()
    assert entry.status is EntryStatus.APPROVED


async def test_recent_entries_newest_first_and_filtered(session: AsyncSession) -> None:
    studio, lead = await _studio_and_lead(session)
    made = []
    for i in range(4):
        made.append(
            await ledgers.create_entry(
                session=session,
                studio_id=studio.id,
                kind=LedgerKind.ACTIVITY,
                author_id=lead.id,
                fields=ACTIVITY | {"title": f"活动{i}"},
            )
        )
    await ledgers.create_entry(
        session=session, studio_id=studio.id, kind=LedgerKind.TRAINING, author_id=lead.id, fields=TRAINING
    )
    recent = await ledgers.recent_entries(session=session, studio_ids=[studio.id], limit=3, kind=LedgerKind.ACTIVITY)
    assert [e.title for e in recent] == ["活动3", "活动2", "活动1"]
    everything = await ledgers.recent_entries(session=session, studio_ids=[studio.id], limit=10)
    assert len(everything) == 5 and everything[0].kind is LedgerKind.TRAINING


async def test_audit_trail_in_order(session: AsyncSession) -> None:
    studio, lead = await _studio_and_lead(session)
    entry = await ledgers.create_entry(
        session=session, studio_id=studio.id, kind=LedgerKind.ACTIVITY, author_id=lead.id, fields=ACTIVITY
    )
    await audit.record(
        session=session,
        actor_id=lead.id,
        channel="wechat",
        object_type="entry",
        object_id=entry.id,
        to_state=EntryStatus.SUBMITTED,
        version=1,
        studio_id=studio.id,
    )
    await audit.record(
        session=session,
        actor_id=lead.id,
        channel="telegram",
        object_type="entry",
        object_id=entry.id,
        from_state=EntryStatus.SUBMITTED,
        to_state=EntryStatus.RETURNED,
        version=1,
        reason="缺少照片",
        studio_id=studio.id,
        detail={"note": "请补充现场照片"},
    )
    await session.commit()
    rows = await audit.trail(session=session, studio_id=studio.id)
    assert [(r.from_state, r.to_state, r.channel) for r in rows] == [
        (None, "submitted", "wechat"),
        ("submitted", "returned", "telegram"),
    ]
    assert rows[1].reason == "缺少照片" and rows[1].detail == {"note": "请补充现场照片"}
    assert rows[0].at.tzinfo is not None
    assert await audit.trail(session=session, studio_id=studio.id + 1) == []


async def test_two_concurrent_deciders_one_wins_on_postgres(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    sessions = session_factory(engine)
    try:
        async with sessions() as s:
            studio, lead = await _studio_and_lead(s)
            entry = await ledgers.create_entry(
                session=s, studio_id=studio.id, kind=LedgerKind.ACTIVITY, author_id=lead.id, fields=ACTIVITY
            )
            await s.commit()

        async def decide(to: EntryStatus, gate: asyncio.Event) -> bool:
            async with sessions() as s:
                await s.execute(select(1))  # both transactions are open before either updates
                await gate.wait()
                won = await ledgers.set_status(
                    session=s, entry_id=entry.id, expected={EntryStatus.SUBMITTED}, to=to, now=utcnow()
                )
                await asyncio.sleep(0.05)  # hold the row lock so that the other really waits on it
                await s.commit()
                return won

        for _ in range(5):
            async with sessions() as s:
                await ledgers.set_status(
                    session=s,
                    entry_id=entry.id,
                    expected=set(EntryStatus),
                    to=EntryStatus.SUBMITTED,
                    now=utcnow(),
                )
                await s.commit()
            gate = asyncio.Event()
            tasks = [
                asyncio.create_task(decide(EntryStatus.APPROVED, gate)),
                asyncio.create_task(decide(EntryStatus.REJECTED, gate)),
            ]
            await asyncio.sleep(0.05)
            gate.set()
            results = await asyncio.gather(*tasks)
            assert sorted(results) == [False, True]
            async with sessions() as s:
                final = await ledgers.get_entry(session=s, entry_id=entry.id)
                assert final is not None
                assert final.status is (EntryStatus.APPROVED if results[0] else EntryStatus.REJECTED)
    finally:
        await engine.dispose()
