"""The planner's batch of outbox rows: one statement, rows as outbox.enqueue writes them, existing keys kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.models import OutboxMessage, OutboxStatus
from storage.repos import outbox, outbox_batch
from tests.reminders_support import person
from tests.support.sql import statements


async def test_a_batch_is_one_statement_and_lands_as_single_enqueues_do(
    sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    due = datetime(2027, 3, 1, 1, tzinfo=UTC)
    async with sessions() as s, s.begin():
        people = [await person(s, f"领衔人{n}") for n in range(3)]
        await outbox.enqueue(session=s, key="k:0", person_id=people[0].id, payload={"text": "旧"}, due_at=due)
    payload = {"text": "请登记活动 “创新”\n第二行", "buttons": [[{"label": "登记", "data": "go:1"}]]}
    rows = [
        outbox_batch.new_row(
            key=f"k:{n}", person_id=p.id, payload=payload, kind="reminder", due_at=due, now=due - timedelta(hours=1)
        )
        for n, p in enumerate(people)
    ]
    async with sessions() as s, s.begin():
        with statements(engine) as sent:
            await outbox_batch.enqueue_many(session=s, rows=rows + rows[1:])  # a key twice in one batch, too
        assert len([q for q in sent if "INSERT" in q]) == 1
    async with sessions() as s:
        found = list(await s.scalars(select(OutboxMessage).order_by(OutboxMessage.idempotency_key)))
        stored = (await s.execute(text("SELECT due_at FROM outbox"))).scalars().all()
    assert len(set(stored)) == 1  # stored alike, whoever wrote the row: SQLite compares them as text
    assert [(m.idempotency_key, m.person_id, m.kind) for m in found] == [
        ("k:0", people[0].id, "notice"),  # the existing row is left as it was
        ("k:1", people[1].id, "reminder"),
        ("k:2", people[2].id, "reminder"),
    ]
    assert found[0].payload == {"text": "旧"}
    for m in found[1:]:
        assert m.payload == payload and m.status is OutboxStatus.PENDING and m.attempts == 0 and m.channel is None
        assert m.due_at == due and m.created_at == due - timedelta(hours=1)
