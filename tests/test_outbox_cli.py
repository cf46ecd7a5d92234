"""`studio-bot outbox list|requeue`: an operator finds what a crash set aside and sends it again."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.delivery import OutboxSender
from storage.base import utcnow
from storage.models import AuditLog, OutboxStatus
from storage.repos import outbox
from tests.reminders_support import Clock, RecordingPusher, at, outbox_rows, person
from tests.test_reminders_cli import cli as cli  # the same CLI runner and database helper
from tests.test_reminders_cli import in_db

WORKDAY = date(2026, 9, 16)


class Crash(BaseException):
    """The process dies right after the platform took the message."""


class DiesAfterPush(RecordingPusher):
    async def push(self, *args: Any, **kw: Any) -> None:
        await super().push(*args, **kw)
        raise Crash


def crash_mid_send(db_url: str, clock: Clock) -> int:
    """A sender without a leader dies between push and record; ten minutes on, the row needs a look."""

    async def go(sessions: Any) -> int:
        async with sessions() as s:
            lead = await person(s, "王师傅")
            await outbox.enqueue(session=s, key="cycle:1", person_id=lead.id, payload={"text": "周期"}, due_at=clock())
            await s.commit()
        with pytest.raises(Crash):
            await OutboxSender(sessions, {"telegram": DiesAfterPush("telegram", clock)}, clock=clock).run_once()
        clock.advance(timedelta(minutes=11))
        await OutboxSender(sessions, {"telegram": RecordingPusher("telegram", clock)}, clock=clock).run_once()
        [row] = await outbox_rows(sessions)
        assert row.status is OutboxStatus.NEEDS_LOOK
        return row.id

    return int(in_db(db_url, go))


def test_an_operator_lists_what_needs_a_look_and_requeues_it(cli: Any, db_url: str) -> None:
    clock = Clock(at(WORKDAY, 10))
    row_id = crash_mid_send(db_url, clock)
    listed = cli("outbox", "list", "--status", "needs_look", "--json")
    assert listed.exit_code == 0, listed.output
    [shown] = json.loads(listed.stdout)["rows"]
    assert (shown["id"], shown["key"], shown["status"]) == (row_id, "cycle:1", "needs_look")
    assert "check whether it arrived" in shown["last_error"]

    again = cli("outbox", "requeue", "--all", "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["requeued"] == [row_id]
    assert "requeued: 0" in cli("outbox", "requeue", str(row_id)).stdout  # pending now: nothing to do

    async def deliver(sessions: Any) -> tuple[int, list[str]]:
        pusher = RecordingPusher("telegram", clock)
        await OutboxSender(sessions, {"telegram": pusher}, clock=lambda: utcnow() + timedelta(seconds=1)).run_once()
        async with sessions() as s:
            trail = await s.scalars(select(AuditLog).where(AuditLog.object_type == "outbox"))
            return len(pusher.sent), [f"{a.object_id}:{a.from_state}>{a.to_state}:{a.channel}" for a in trail]

    sent, trail = in_db(db_url, deliver)
    assert sent == 1 and trail == [f"{row_id}:needs_look>pending:cli"]
    shown_trail = cli("audit")
    assert shown_trail.exit_code == 0, shown_trail.output


def test_requeue_wants_ids_or_all_and_a_known_status(cli: Any, db_url: str) -> None:
    assert cli("outbox", "requeue").exit_code == 2
    assert cli("outbox", "requeue", "--all", "--status", "sent").exit_code == 2
    bad = cli("outbox", "list", "--status", "lost", "--json")
    assert bad.exit_code == 2 and "unknown status" in bad.stdout
