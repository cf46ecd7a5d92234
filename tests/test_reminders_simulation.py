"""A whole three-year cycle, day by day on a controlled clock: each reminder once, in working hours only."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import OutboxSender
from bot.scheduler import LeaseLeader, ReminderService
from handlers.reminders.calendar import in_quiet_hours, is_working_day
from storage.models import Application, ApplicationStage, EntryStatus, OutboxStatus, Person, StudioStatus
from storage.repos import org
from tests.reminders_support import (
    CONFIG,
    SHANGHAI,
    Clock,
    RecordingPusher,
    World,
    add_entry,
    at,
    build_world,
    outbox_rows,
)

NAMED = date(2024, 3, 10)  # the cycle ends 2027-03-09; chinese-calendar covers 2024–2026, 2027 falls back
END = date(2027, 3, 20)
PLAN_HOURS = (3, 10, 22)  # the planner runs at night, by day, and late evening on different days
SEND_HOURS = ((10, 30), (22, 30))  # the sender by day, and again at night after a late plan


def activity_days() -> set[date]:
    """Every 10 days, with a gap in early 2025 and none after June 2026 (idle reminders)."""
    days = {NAMED + timedelta(days=10 * k) for k in range(30)}  # up to 2024-12-25
    days |= {date(2025, 4, 15) + timedelta(days=10 * k) for k in range(45)}  # up to 2026-06-29
    return days


def expected(w: World, other_studio: int, application: int, entries: dict[str, int]) -> set[str]:
    s, lead, rv, off = w.studio.id, w.lead.id, w.reviewer.id, w.officer.id
    keys = {f"cycle:{s}:1:T-{d}:{lead}" for d in (180, 90, 30, 7)}
    keys |= {f"cycle:u{w.district.id}:2027-03-09:T-{d}:{rv}" for d in (180, 90, 30, 7)}
    keys.add(f"overdue:u{w.association.id}:2027-03-09:{off}")
    keys |= {f"assess:u{w.association.id}:2027-03-09:T-{d}:{off}" for d in (60, 30)}  # 考核验收 ahead
    idle_months = ["2025-01", "2025-02", "2025-03"] + [f"2026-{m:02d}" for m in range(7, 13)] + ["2027-01", "2027-02"]
    keys |= {f"idle:{s}:{m}:{lead}" for m in idle_months}
    keys |= {f"review:{entries['submitted']}:v1:{rv}", f"escalate:{entries['submitted']}:v1:{off}"}
    keys.add(f"returned:{entries['returned']}:v1:{lead}")
    keys.add(f"notice:{application}:{off}")
    # the lead's studio is named: the application window is announced to the union officers only
    keys |= {f"window:{y}:{p}" for y in (2024, 2025, 2026, 2027) for p in (rv, off)}
    months = []
    month = date(2024, 2, 1)
    while month < date(2027, 3, 1):
        months.append(f"{month:%Y-%m}")
        month = (month + timedelta(days=32)).replace(day=1)
    keys |= {f"digest:{w.district.id}:{m}:{rv}" for m in months}
    keys |= {f"digest:{w.association.id}:{m}:{off}" for m in months}
    return keys


@pytest.mark.timeout(600)
async def test_three_years_day_by_day_send_each_reminder_once_in_working_hours(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as s:
        w = await build_world(s, named_on=NAMED, created=at(NAMED))
        other = await org.create_studio(session=s, name="陈工匠工作室", union=w.district)
        other.status = StudioStatus.APPLYING
        application = Application(
            studio_id=other.id,
            applicant_id=w.lead.id,
            year=2026,
            stage=ApplicationStage.PUBLIC_NOTICE,
            notice_starts_on=date(2026, 6, 1),
            notice_ends_on=date(2026, 6, 7),
        )
        s.add(application)
        await s.commit()
    clock = Clock(at(NAMED, 0))
    telegram = RecordingPusher("telegram", clock)
    service = ReminderService(
        sessions=sessions,
        config=CONFIG,
        sender=OutboxSender(sessions, {"telegram": telegram}, clock=clock, sleep=clock.sleep),
        leader=LeaseLeader(sessions, clock=clock),
        clock=clock,
    )
    activities, entries = activity_days(), {}
    day = NAMED
    while day <= END:
        async with sessions() as s:
            if day in activities:
                await add_entry(s, w, created=at(day, 9))
            if day == date(2025, 2, 20):  # 休假 until 1 March: the February idle reminder waits for it
                lead = await s.get(Person, w.lead.id)
                assert lead is not None
                lead.reminders_paused_until = date(2025, 3, 1)
            if day == date(2025, 6, 2):
                entries["submitted"] = (await add_entry(s, w, created=at(day, 9), status=EntryStatus.SUBMITTED)).id
            if day == date(2025, 9, 3):
                returned = await add_entry(
                    s, w, created=at(day, 9), status=EntryStatus.RETURNED, changed=at(day, 11), title="退回的成果"
                )
                entries["returned"] = returned.id
            await s.commit()
        plan_hour = PLAN_HOURS[day.toordinal() % 3]
        moments = sorted([(plan_hour, 0, "plan"), *((h, m, "send") for h, m in SEND_HOURS)])
        for hour, minute, what in moments:
            clock.moment = at(day, hour, minute)
            await (service.tick_plan() if what == "plan" else service.tick_send())
        day += timedelta(days=1)

    sent = Counter(row.idempotency_key for row in await outbox_rows(sessions) if row.status is OutboxStatus.SENT)
    rows = await outbox_rows(sessions)
    assert {r.status for r in rows} == {OutboxStatus.SENT}
    assert len(telegram.sent) == len(rows) and max(sent.values()) == 1
    assert set(sent) == expected(w, other.id, application.id, entries)
    for push in telegram.sent:
        local = push.at.astimezone(SHANGHAI)
        assert is_working_day(local.date()) and not in_quiet_hours(local.time(), CONFIG.quiet_window), local
    by_key = {r.idempotency_key: r.sent_at for r in rows}
    t7 = by_key[f"cycle:{w.studio.id}:1:T-7:{w.lead.id}"]
    assert t7 is not None and date(2027, 3, 2) <= t7.astimezone(SHANGHAI).date() <= date(2027, 3, 9)
    idle_feb = by_key[f"idle:{w.studio.id}:2025-02:{w.lead.id}"]
    assert idle_feb is not None and idle_feb.astimezone(SHANGHAI).date() == date(2025, 3, 3)  # Mon after the pause


async def test_a_restart_after_missed_ticks_catches_up_without_duplicates(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as s:
        w = await build_world(s, named_on=NAMED, created=at(NAMED))
        await add_entry(s, w, created=at(date(2026, 9, 1), 9))
        await s.commit()
    clock = Clock(at(date(2026, 9, 1), 10))
    telegram = RecordingPusher("telegram", clock)

    def process() -> ReminderService:
        """A fresh process: new sender, new leader identity."""
        sender = OutboxSender(sessions, {"telegram": telegram}, clock=clock, sleep=clock.sleep)
        return ReminderService(
            sessions=sessions, config=CONFIG, sender=sender, leader=LeaseLeader(sessions, clock=clock), clock=clock
        )

    first = process()
    for day in (date(2026, 9, 7), date(2026, 9, 8), date(2026, 9, 9)):
        clock.moment = at(day, 10)
        await first.tick_plan()
        await first.tick_send()
    # the process dies without giving up its lease; the T-180 day (10 September) passes unseen
    clock.moment = at(date(2026, 9, 21), 10)
    second = process()
    await second.tick_plan()
    await second.tick_send()
    await second.tick_plan()
    await second.tick_send()
    keys = Counter(k for k in (r.idempotency_key for r in await outbox_rows(sessions)) if k.startswith("cycle:"))
    assert keys == {
        f"cycle:{w.studio.id}:1:T-180:{w.lead.id}": 1,
        f"cycle:u{w.district.id}:2027-03-09:T-180:{w.reviewer.id}": 1,
    }
    texts = Counter(p.text for p in telegram.sent)
    assert max(texts.values()) == 1 and any(
        f"还有 {(date(2027, 3, 9) - date(2026, 9, 21)).days} 天" in t for t in texts
    )
