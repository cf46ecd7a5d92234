"""The outbox sender: platform rates, retries with backoff, crash safety, quiet hours and holidays."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import pairwise

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import PushError
from bot.delivery import OutboxSender
from bot.outbox_upkeep import UNREACHABLE_WAIT
from storage.models import ChannelIdentity, OutboxStatus, Person
from storage.repos import outbox, persons
from tests.reminders_support import Clock, RecordingPusher, at, outbox_rows, person

WORKDAY = date(2026, 9, 16)  # a Wednesday


class Crash(BaseException):
    """The process dies (power cut, OOM kill) right after the platform took the message."""


def max_in_window(times: list[datetime], seconds: float) -> int:
    """The most sends that fall in any half-open window [t, t + seconds)."""
    ordered = sorted(times)
    return max(
        (sum(1 for u in ordered if t <= u < t + timedelta(seconds=seconds)) for t in ordered),
        default=0,
    )


async def people(sessions: async_sessionmaker[AsyncSession], n: int, channel: str = "telegram") -> list[Person]:
    async with sessions() as s:
        found = [await person(s, f"成员{i}", channel=channel) for i in range(n)]
        await s.commit()
    return found


async def queue(
    sessions: async_sessionmaker[AsyncSession],
    who: list[Person],
    *,
    kind: str = "reminder",
    due: datetime,
    per_person: int = 1,
    tag: str = "m",
) -> None:
    async with sessions() as s:
        for p in who:
            for i in range(per_person):
                await outbox.enqueue(
                    session=s,
                    key=f"{tag}:{p.id}:{i}",
                    person_id=p.id,
                    payload={"text": f"{tag} {i}"},
                    kind=kind,
                    due_at=due,
                )
        await s.commit()


def sender(sessions: async_sessionmaker[AsyncSession], clock: Clock, *pushers: RecordingPusher) -> OutboxSender:
    return OutboxSender(sessions, {p.name: p for p in pushers}, clock=clock, sleep=clock.sleep)


async def test_telegram_stays_within_30_per_second_and_1_per_chat(sessions: async_sessionmaker[AsyncSession]) -> None:
    crowd = await people(sessions, 120)
    start = at(WORKDAY, 10)
    await queue(sessions, crowd, due=start)
    await queue(sessions, crowd[:1], due=start, per_person=5, tag="busy")
    clock = Clock(start)
    telegram = RecordingPusher("telegram", clock)
    assert await sender(sessions, clock, telegram).run_until_idle() == 125
    times = [s.at for s in telegram.sent]
    assert max_in_window(times, 1.0) <= 30
    busy = sorted(s.at for s in telegram.sent if s.person_id == crowd[0].id)
    assert len(busy) == 6 and all((b - a).total_seconds() >= 1.0 for a, b in pairwise(busy))


async def test_wecom_stays_within_30_per_minute_per_member(sessions: async_sessionmaker[AsyncSession]) -> None:
    member = (await people(sessions, 1, channel="wecom"))[0]
    others = await people(sessions, 3, channel="wecom")
    start = at(WORKDAY, 10)
    await queue(sessions, [member], due=start, per_person=40)
    await queue(sessions, others, due=start, per_person=2, tag="other")
    clock = Clock(start)
    wecom = RecordingPusher("wecom", clock)
    assert await sender(sessions, clock, wecom).run_until_idle() == 46
    mine = [s.at for s in wecom.sent if s.person_id == member.id]
    assert len(mine) == 40 and max_in_window(mine, 60.0) <= 30
    assert [s.text for s in wecom.sent if s.person_id == member.id] == [f"m {i}" for i in range(40)]  # in order


async def test_transient_failure_is_retried_after_backoff_then_sent(sessions: async_sessionmaker[AsyncSession]) -> None:
    lead = (await people(sessions, 1))[0]
    start = at(WORKDAY, 10)
    await queue(sessions, [lead], due=start)
    clock = Clock(start)
    telegram = RecordingPusher("telegram", clock, fail_with=[PushError("connection reset")])
    send = sender(sessions, clock, telegram)
    assert await send.run_once() == 0
    [row] = await outbox_rows(sessions)
    assert row.status is OutboxStatus.PENDING and row.attempts == 1 and row.last_error == "connection reset"
    assert row.due_at == start + timedelta(seconds=30)
    clock.advance(timedelta(seconds=29))
    assert await send.run_once() == 0
    clock.advance(timedelta(seconds=1))
    assert await send.run_once() == 1
    [row] = await outbox_rows(sessions)
    assert row.status is OutboxStatus.SENT and row.attempts == 2 and len(telegram.sent) == 1


async def test_flood_wait_holds_the_channel_and_the_row_for_retry_after(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    first, second = await people(sessions, 2)
    start = at(WORKDAY, 10)
    await queue(sessions, [first], due=start)
    clock = Clock(start)
    telegram = RecordingPusher("telegram", clock, fail_with=[PushError("Too Many Requests", retry_after=7)])
    send = sender(sessions, clock, telegram)
    assert await send.run_once() == 0
    [row] = await outbox_rows(sessions)
    assert row.status is OutboxStatus.PENDING and row.due_at == start + timedelta(seconds=7)
    await queue(sessions, [second], due=start, kind="notice", tag="n")
    assert await send.run_once() == 1
    # the next push waited out the flood control instead of hitting the platform again at once
    assert [(s.person_id, s.at) for s in telegram.sent] == [(second.id, start + timedelta(seconds=7))]
    assert await send.run_until_idle() == 1
    assert {r.status for r in await outbox_rows(sessions)} == {OutboxStatus.SENT}


async def test_permanent_failure_falls_back_to_the_next_channel_or_fails(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    both = (await people(sessions, 1))[0]
    async with sessions() as s:
        s.add(ChannelIdentity(person_id=both.id, channel="wecom", external_id="wang", chat_id="wang"))
        await s.commit()
    alone = (await people(sessions, 1))[0]
    start = at(WORKDAY, 10)
    await queue(sessions, [both, alone], due=start)
    clock = Clock(start)
    blocked = [PushError("bot was blocked by the user", permanent=True)] * 2
    telegram = RecordingPusher("telegram", clock, fail_with=blocked)
    wecom = RecordingPusher("wecom", clock)
    assert await sender(sessions, clock, telegram, wecom).run_until_idle() == 1
    assert [s.person_id for s in wecom.sent] == [both.id]
    rows = {r.person_id: r for r in await outbox_rows(sessions)}
    assert rows[both.id].status is OutboxStatus.SENT
    assert rows[alone.id].status is OutboxStatus.FAILED and "blocked" in (rows[alone.id].last_error or "")


async def test_gives_up_after_max_attempts(sessions: async_sessionmaker[AsyncSession]) -> None:
    lead = (await people(sessions, 1))[0]
    start = at(WORKDAY, 10)
    await queue(sessions, [lead], due=start)
    clock = Clock(start)
    telegram = RecordingPusher("telegram", clock, fail_with=[PushError("timeout")] * 10)
    send = sender(sessions, clock, telegram)
    for _ in range(10):
        await send.run_once()
        clock.advance(timedelta(hours=1))
    [row] = await outbox_rows(sessions)
    assert row.status is OutboxStatus.FAILED and row.attempts == 6 and not telegram.sent


async def test_without_a_leader_a_crash_between_sending_and_recording_is_set_aside(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    lead = (await people(sessions, 1))[0]
    start = at(WORKDAY, 10)
    await queue(sessions, [lead], due=start)
    clock = Clock(start)

    class DiesAfterPush(RecordingPusher):
        async def push(self, *args: object, **kw: object) -> None:
            await super().push(*args, **kw)  # type: ignore[arg-type]
            raise Crash

    dying = DiesAfterPush("telegram", clock)
    with pytest.raises(Crash):
        await sender(sessions, clock, dying).run_once()
    assert len(dying.sent) == 1
    restarted = RecordingPusher("telegram", clock)
    clock.advance(timedelta(minutes=2))
    assert await sender(sessions, clock, restarted).run_until_idle() == 0
    clock.advance(timedelta(minutes=9))
    assert await sender(sessions, clock, restarted).run_until_idle() == 0
    [row] = await outbox_rows(sessions)
    assert row.status is OutboxStatus.NEEDS_LOOK and "check" in (row.last_error or "")
    assert not restarted.sent


async def test_reminders_wait_for_working_hours_but_notices_go_at_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    lead = (await people(sessions, 1))[0]
    friday_night = at(date(2026, 9, 18), 22)
    await queue(sessions, [lead], due=friday_night, tag="reminder")
    await queue(sessions, [lead], due=friday_night, kind="notice", tag="notice")
    clock = Clock(friday_night)
    telegram = RecordingPusher("telegram", clock)
    send = sender(sessions, clock, telegram)
    assert await send.run_until_idle() == 1 and [s.kind for s in telegram.sent] == ["notice"]
    clock.moment = at(date(2026, 9, 19), 10)  # Saturday: not a working day
    assert await send.run_until_idle() == 0
    clock.moment = at(date(2026, 9, 20), 7, 59)  # Sunday, a make-up working day, still quiet
    assert await send.run_until_idle() == 0
    clock.moment = at(date(2026, 9, 20), 8)
    assert await send.run_until_idle() == 1
    assert [(s.kind, s.at) for s in telegram.sent][1] == ("reminder", at(date(2026, 9, 20), 8))


async def test_a_paused_persons_queued_reminder_waits_until_after_the_holiday(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    lead = (await people(sessions, 1))[0]
    async with sessions() as s:
        row = await s.get(Person, lead.id)
        assert row is not None
        row.reminders_paused_until = date(2026, 9, 22)
        await s.commit()
    start = at(WORKDAY, 10)
    await queue(sessions, [lead], due=start, tag="reminder")
    await queue(sessions, [lead], due=start, kind="notice", tag="notice")
    clock = Clock(start)
    telegram = RecordingPusher("telegram", clock)
    assert await sender(sessions, clock, telegram).run_until_idle() == 1
    held = next(r for r in await outbox_rows(sessions) if r.kind == "reminder")
    assert held.status is OutboxStatus.PENDING and held.due_at == at(date(2026, 9, 23), 8)
    clock.moment = at(date(2026, 9, 23), 8)
    assert await sender(sessions, clock, telegram).run_until_idle() == 1


async def test_rows_for_people_without_a_reachable_channel_wait_then_fail_visibly(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as s:
        nobody = await persons.create_person(session=s, name="无渠道")
        await s.commit()
    await queue(sessions, [nobody], due=at(WORKDAY, 10))
    clock = Clock(at(WORKDAY, 10))
    send = sender(sessions, clock, RecordingPusher("telegram", clock))
    assert await send.run_until_idle() == 0
    [row] = await outbox_rows(sessions)
    assert row.status is OutboxStatus.PENDING  # they may still bind
    clock.advance(UNREACHABLE_WAIT + timedelta(minutes=1))
    assert await send.run_until_idle() == 0
    [row] = await outbox_rows(sessions)
    assert row.status is OutboxStatus.FAILED and row.last_error == "no channel reached this person within 14 days"
