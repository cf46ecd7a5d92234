"""The reminder policy: who is reminded of what, when, in which language, with which button — once."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core.config import HandlerConfig
from handlers.core.payloads import unpack
from handlers.core.presses import GoPress, ReviewAction, ReviewPress
from handlers.core.types import reply_from_dict
from handlers.reminders import PlanResult, plan
from storage.models import (
    Application,
    ApplicationStage,
    CycleResult,
    Decision,
    Delegation,
    EntryStatus,
    LedgerKind,
    ReviewDecision,
    RoleKind,
    Studio,
    StudioStatus,
    UnionLevel,
)
from storage.repos import org, persons, studio_cycles
from tests.reminders_support import CONFIG, World, add_entry, at, build_world, outbox_rows, person

NAMED = date(2024, 3, 10)  # the cycle ends on 2027-03-09


async def run(
    sessions: async_sessionmaker[AsyncSession], day: date, hour: int = 10, config: HandlerConfig = CONFIG
) -> PlanResult:
    async with sessions() as session, session.begin():
        return await plan(session=session, config=config, now=at(day, hour))


async def applying(sessions: async_sessionmaker[AsyncSession]) -> World:
    """The world with its studio not named yet: its lead may apply, so the window reminder reaches them."""
    w = await world(sessions)
    async with sessions() as s, s.begin():
        await s.execute(update(Studio).values(status=StudioStatus.PROSPECTIVE, named_on=None))
    return w


def keys(result: PlanResult) -> set[str]:
    return {p.key for p in result.new}


async def world(sessions: async_sessionmaker[AsyncSession], **kw: object) -> World:
    async with sessions() as session:
        return await build_world(session, named_on=NAMED, created=at(NAMED), **kw)


async def test_cycle_end_reminds_lead_and_reviewer_at_each_threshold_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    w = await world(sessions)
    async with sessions() as s:  # an activity yesterday: the studio is not idle
        await add_entry(s, w, created=at(date(2026, 9, 9)))
        await s.commit()
    assert await run(sessions, date(2026, 9, 9)) is not None  # 181 days left: nothing about the cycle yet
    first = await run(sessions, date(2026, 9, 10))
    assert {p.key for p in first.new if p.topic == "cycle"} == {
        f"cycle:{w.studio.id}:1:T-180:{w.lead.id}",
        f"cycle:u{w.district.id}:2027-03-09:T-180:{w.reviewer.id}",
    }
    assert not [p for p in (await run(sessions, date(2026, 9, 11))).new if p.topic == "cycle"]
    later = await run(sessions, date(2026, 12, 10))  # 89 days left
    assert {p.key for p in later.new if p.topic == "cycle"} == {
        f"cycle:{w.studio.id}:1:T-90:{w.lead.id}",
        f"cycle:u{w.district.id}:2027-03-09:T-90:{w.reviewer.id}",
    }
    rows = {r.idempotency_key: r for r in await outbox_rows(sessions)}
    lead_reply = reply_from_dict(rows[f"cycle:{w.studio.id}:1:T-180:{w.lead.id}"].payload)
    assert "王师傅工作室" in lead_reply.text and "2027-03-09" in lead_reply.text and "180 天" in lead_reply.text
    pressed = [unpack(CONFIG.secret_key, b.payload) for b in lead_reply.all_buttons()]
    assert pressed == [GoPress("activity"), GoPress("ledger")]
    assert [b.label for b in lead_reply.all_buttons()] == ["记录活动", "我的台账"]
    assert rows[f"cycle:{w.studio.id}:1:T-180:{w.lead.id}"].kind == "reminder"


async def test_overdue_assessment_goes_to_the_association_in_its_language_until_recorded(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    w = await world(sessions)
    result = await run(sessions, date(2027, 3, 10))
    overdue = [p for p in result.new if p.topic == "overdue"]
    assert [p.person_id for p in overdue] == [w.officer.id]
    assert overdue[0].text.startswith("[Assessment overdue]") and "王师傅工作室" in overdue[0].text
    async with sessions() as s:
        cycle = await studio_cycles.current_cycle(session=s, studio_id=w.studio.id)
        assert cycle is not None
        cycle.result = CycleResult.RETAINED
        await s.commit()
    assert not [p for p in (await run(sessions, date(2027, 3, 11))).new if p.topic == "overdue"]


async def test_idle_studio_reminds_lead_at_most_once_a_month(sessions: async_sessionmaker[AsyncSession]) -> None:
    w = await world(sessions)
    async with sessions() as s:
        await add_entry(s, w, created=at(date(2026, 5, 4)))
        await s.commit()
    assert not [p for p in (await run(sessions, date(2026, 6, 2))).new if p.topic == "idle"]  # 29 days
    first = [p for p in (await run(sessions, date(2026, 6, 3))).new if p.topic == "idle"]
    assert [(p.key, p.person_id) for p in first] == [(f"idle:{w.studio.id}:2026-06:{w.lead.id}", w.lead.id)]
    assert "30 天" in first[0].text and "2026-05-04" in first[0].text
    for day in (date(2026, 6, 4), date(2026, 6, 30), date(2026, 7, 2)):
        assert not [p for p in (await run(sessions, day)).new if p.topic == "idle"]
    assert [p.key for p in (await run(sessions, date(2026, 7, 3))).new if p.topic == "idle"] == [
        f"idle:{w.studio.id}:2026-07:{w.lead.id}"
    ]


async def test_returned_entry_not_fixed_in_seven_days_reminds_the_lead(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    w = await world(sessions)
    async with sessions() as s:
        await add_entry(s, w, created=at(date(2026, 6, 1)))
        await add_entry(
            s,
            w,
            created=at(date(2026, 6, 1)),
            status=EntryStatus.RETURNED,
            title="小改革",
            changed=at(date(2026, 6, 3)),
        )
        await s.commit()
    assert not [p for p in (await run(sessions, date(2026, 6, 9))).new if p.topic == "returned"]
    due = [p for p in (await run(sessions, date(2026, 6, 10), 11)).new if p.topic == "returned"]
    assert [p.person_id for p in due] == [w.lead.id] and "小改革" in due[0].text


async def test_review_waits_three_working_days_then_seven_escalates_one_level_up(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    w = await world(sessions)
    async with sessions() as s:
        await add_entry(s, w, created=at(date(2026, 9, 9)))
        entry = await add_entry(s, w, created=at(date(2026, 9, 14)), status=EntryStatus.SUBMITTED, title="数控改造")
        await s.commit()
    # submitted Monday 14 September: Tue, Wed, Thu are three working days; Friday is more than three
    assert not [p for p in (await run(sessions, date(2026, 9, 17))).new if p.topic in ("review", "escalate")]
    due = [p for p in (await run(sessions, date(2026, 9, 18))).new if p.topic in ("review", "escalate")]
    assert [(p.topic, p.person_id) for p in due] == [("review", w.reviewer.id)]
    # Sunday 20 September is a make-up working day: the 7th working day is Tue 22, the 8th Wed 23
    assert not [p for p in (await run(sessions, date(2026, 9, 22))).new if p.topic == "escalate"]
    up = [p for p in (await run(sessions, date(2026, 9, 23))).new if p.topic == "escalate"]
    assert [p.person_id for p in up] == [w.officer.id] and "浦东新区总工会" in up[0].text
    row = next(r for r in await outbox_rows(sessions) if r.idempotency_key.startswith("review:"))
    button = reply_from_dict(row.payload).all_buttons()[0]
    assert unpack(CONFIG.secret_key, button.payload) == ReviewPress(ReviewAction.OPEN, entry.id)


async def test_a_reviewers_delegate_receives_the_review_reminders(sessions: async_sessionmaker[AsyncSession]) -> None:
    w = await world(sessions)
    async with sessions() as s:
        deputy = await person(s, "赵代审")
        await org.grant_role(session=s, person=deputy, kind=RoleKind.REVIEWER, union=w.district)
        s.add(
            Delegation(
                reviewer_id=w.reviewer.id, delegate_id=deputy.id, starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 30)
            )
        )
        await add_entry(s, w, created=at(date(2026, 9, 9)))
        await add_entry(s, w, created=at(date(2026, 9, 14)), status=EntryStatus.SUBMITTED)
        await s.commit()
    due = [p for p in (await run(sessions, date(2026, 9, 18))).new if p.topic == "review"]
    # the delegate gets the reminder meant for the absent reviewer, and the deputy its own as a reviewer
    assert sorted(p.person_id for p in due) == [deputy.id]
    assert "代李审核复核" in due[0].text


async def test_paused_person_is_reminded_after_the_holiday_if_still_relevant(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    w = await world(sessions)
    async with sessions() as s:
        lead = await s.get(type(w.lead), w.lead.id)
        assert lead is not None
        lead.reminders_paused_until = date(2026, 12, 12)
        await add_entry(s, w, created=at(date(2026, 12, 1)))
        await s.commit()
    during = await run(sessions, date(2026, 12, 10))
    assert f"cycle:{w.studio.id}:1:T-90:{w.lead.id}" not in keys(during) and during.paused >= 1
    assert f"cycle:u{w.district.id}:2027-03-09:T-90:{w.reviewer.id}" in keys(during)
    after = await run(sessions, date(2026, 12, 14))
    assert f"cycle:{w.studio.id}:1:T-90:{w.lead.id}" in keys(after)


async def test_public_notice_end_goes_to_the_association_naming_the_studio(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    w = await world(sessions)
    async with sessions() as s:
        applicant = await org.create_studio(session=s, name="陈工匠工作室", union=w.district)
        applicant.status = StudioStatus.APPLYING
        s.add(
            Application(
                studio_id=applicant.id,
                applicant_id=w.lead.id,
                year=2026,
                stage=ApplicationStage.PUBLIC_NOTICE,
                notice_starts_on=date(2026, 6, 1),
                notice_ends_on=date(2026, 6, 7),
            )
        )
        await s.commit()
    assert not [p for p in (await run(sessions, date(2026, 6, 7))).new if p.topic == "notice"]
    due = [p for p in (await run(sessions, date(2026, 6, 8))).new if p.topic == "notice"]
    assert [p.person_id for p in due] == [w.officer.id] and "陈工匠工作室" in due[0].text


async def test_application_window_reaches_every_bound_lead_and_officer_once_a_year(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    w = await applying(sessions)
    async with sessions() as s:
        unbound = await persons.create_person(session=s, name="未绑定")
        other = await org.create_studio(session=s, name="未绑定工作室", union=w.district)
        await org.grant_role(session=s, person=unbound, kind=RoleKind.LEAD, studio=other)
        await s.commit()
    assert not [p for p in (await run(sessions, date(2026, 2, 28))).new if p.topic == "window"]
    due = [p for p in (await run(sessions, date(2026, 3, 2))).new if p.topic == "window"]
    assert sorted(p.person_id for p in due) == sorted([w.lead.id, w.reviewer.id, w.officer.id])
    assert not [p for p in (await run(sessions, date(2026, 4, 1))).new if p.topic == "window"]
    assert len([p for p in (await run(sessions, date(2027, 3, 1))).new if p.topic == "window"]) == 3


async def test_a_window_across_the_new_year_is_announced_once_with_its_real_dates(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    w = await applying(sessions)
    config = replace(CONFIG, application_window="11-01..01-31")

    async def windows(day: date) -> list[str]:
        return sorted(p.text for p in (await run(sessions, day, config=config)).new if p.topic == "window")

    assert await windows(date(2026, 10, 31)) == []
    texts = await windows(date(2026, 12, 15))
    assert len(texts) == 3 and all("2026-11-01" in t and "2027-01-31" in t for t in texts)
    assert any("2026 年" in t for t in texts)
    assert {r.idempotency_key for r in await outbox_rows(sessions) if r.idempotency_key.startswith("window:")} == {
        f"window:2026:{pid}" for pid in (w.lead.id, w.reviewer.id, w.officer.id)
    }
    assert await windows(date(2027, 1, 10)) == []  # the same window, across the new year
    assert await windows(date(2027, 2, 1)) == []
    assert len(await windows(date(2027, 11, 2))) == 3


async def test_a_window_first_planned_in_january_belongs_to_the_year_it_opened(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    w = await applying(sessions)
    config = replace(CONFIG, application_window="11-01..01-31")
    due = [p for p in (await run(sessions, date(2027, 1, 10), config=config)).new if p.topic == "window"]
    assert {p.key for p in due} == {f"window:2026:{pid}" for pid in (w.lead.id, w.reviewer.id, w.officer.id)}
    lead = next(p for p in due if p.person_id == w.lead.id)
    assert "2026 年度" in lead.text and "2026-11-01" in lead.text and "2027-01-31" in lead.text


async def test_a_window_bounded_by_29_february_works_in_a_common_year(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await applying(sessions)
    opens = replace(CONFIG, application_window="02-29..04-30")
    assert not [p for p in (await run(sessions, date(2026, 2, 28), config=opens)).new if p.topic == "window"]
    due = [p for p in (await run(sessions, date(2026, 3, 2), config=opens)).new if p.topic == "window"]
    assert len(due) == 3 and all("2026-03-01" in p.text and "2026-04-30" in p.text for p in due)
    closes = replace(CONFIG, application_window="01-15..02-29")
    due = [p for p in (await run(sessions, date(2027, 2, 26), config=closes)).new if p.topic == "window"]
    assert len(due) == 3 and all("2027-01-15" in p.text and "2027-02-28" in p.text for p in due)


async def test_monthly_digest_counts_entries_approvals_and_names_the_silent(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    w = await world(sessions)
    async with sessions() as s:
        await org.create_studio(session=s, name="沉默工作室", union=w.district, named_on=NAMED)
        for day in (3, 10, 20):
            entry = await add_entry(s, w, created=at(date(2026, 5, day)))
        await add_entry(s, w, created=at(date(2026, 4, 28)))
        for version, day in ((1, 21), (2, 26)):  # approved, edited, approved again: one entry approved
            s.add(
                ReviewDecision(
                    entry_id=entry.id,
                    entry_version=version,
                    decision=Decision.APPROVE,
                    reviewer_id=w.reviewer.id,
                    channel="test",
                    decided_at=at(date(2026, 5, day)),
                )
            )
        await s.commit()
    due = {p.person_id: p for p in (await run(sessions, date(2026, 6, 1))).new if p.topic == "digest"}
    assert set(due) == {w.reviewer.id, w.officer.id}
    assert (
        "2026-05" in due[w.reviewer.id].text and "2 个工作室新记录台账 3 条，复核通过 1 条" in due[w.reviewer.id].text
    )
    assert "沉默工作室" in due[w.reviewer.id].text and "王师傅工作室" not in due[w.reviewer.id].text.split("\n")[1]
    assert due[w.officer.id].text.startswith("[Monthly digest]")
    assert not [p for p in (await run(sessions, date(2026, 6, 2))).new if p.topic == "digest"]


async def test_dry_run_writes_nothing(sessions: async_sessionmaker[AsyncSession]) -> None:
    await world(sessions)
    async with sessions() as s, s.begin():
        preview = await plan(session=s, config=CONFIG, now=at(date(2027, 3, 10)), dry_run=True)
    assert preview.new and not await outbox_rows(sessions)


async def studio_not_named(
    sessions: async_sessionmaker[AsyncSession], w: World, name: str, status: StudioStatus, lead_name: str
) -> World:
    """Another studio of the world's district, not named, with a lead of its own; committed."""
    async with sessions() as s:
        studio = await org.create_studio(session=s, name=name, union=w.district)
        studio.status = status
        lead = await person(s, lead_name)
        await org.grant_role(session=s, person=lead, kind=RoleKind.LEAD, studio=studio)
        await s.commit()
    return World(w.association, w.district, studio, lead, w.reviewer, w.officer)


async def test_entries_of_studios_not_named_are_reviewed_escalated_and_fixed_like_any(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    w = await world(sessions)
    applying = await studio_not_named(sessions, w, "新星技师创新工作室", StudioStatus.APPLYING, "新星领衔人")
    dropped = await studio_not_named(sessions, w, "旧名工作室", StudioStatus.NOT_RETAINED, "旧名领衔人")
    async with sessions() as s:
        await add_entry(s, w, created=at(date(2026, 9, 9)))
        submitted = await add_entry(
            s, applying, created=at(date(2026, 9, 14)), status=EntryStatus.SUBMITTED, title="刀具改进"
        )
        fix = await add_entry(
            s,
            dropped,
            created=at(date(2026, 9, 1)),
            status=EntryStatus.RETURNED,
            title="带徒记录",
            kind=LedgerKind.TRAINING,
            changed=at(date(2026, 9, 11), 9),
        )
        await s.commit()
    # as with a named studio: a week to fix; reviews wait three working days, then more than seven escalate
    early = await run(sessions, date(2026, 9, 17))
    assert not [p for p in early.new if p.topic in ("review", "escalate", "returned")]
    first = await run(sessions, date(2026, 9, 18))
    due = [(p.topic, p.key, p.person_id) for p in first.new if p.topic in ("review", "escalate", "returned")]
    assert sorted(due) == [
        ("returned", f"returned:{fix.id}:v1:{dropped.lead.id}", dropped.lead.id),
        ("review", f"review:{submitted.id}:v1:{w.reviewer.id}", w.reviewer.id),
    ]
    texts = {p.topic: p.text for p in first.new}
    assert "新星技师创新工作室" in texts["review"] and "刀具改进" in texts["review"]
    assert "旧名工作室" in texts["returned"] and "带徒记录" in texts["returned"]
    up = [p for p in (await run(sessions, date(2026, 9, 23))).new if p.topic == "escalate"]
    assert [(p.key, p.person_id) for p in up] == [(f"escalate:{submitted.id}:v1:{w.officer.id}", w.officer.id)]
    assert "新星技师创新工作室" in up[0].text and "浦东新区总工会" in up[0].text
    # a studio that is not named has no cycle to keep and no ledger it must keep up
    later = await run(sessions, date(2027, 3, 10))
    theirs = {str(applying.studio.id), str(dropped.studio.id)}
    assert not [p for p in later.new if p.topic in ("cycle", "idle") and p.key.split(":")[1] in theirs]
    assert not [p for p in later.new if p.person_id in (applying.lead.id, dropped.lead.id) and p.topic != "window"]
    assert all("新星" not in p.text and "旧名" not in p.text for p in later.new if p.topic in ("cycle", "overdue"))


async def test_monthly_digest_counts_the_entries_of_studios_not_named(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    w = await world(sessions)
    applying = await studio_not_named(sessions, w, "新星技师创新工作室", StudioStatus.APPLYING, "新星领衔人")
    await studio_not_named(sessions, w, "未起步工作室", StudioStatus.PROSPECTIVE, "未起步领衔人")
    async with sessions() as s:
        west = await org.create_union(session=s, name="金山区总工会", level=UnionLevel.DISTRICT, parent=w.association)
        east = await org.create_union(session=s, name="崇明区总工会", level=UnionLevel.DISTRICT, parent=w.association)
        west_reviewer, east_reviewer = await person(s, "金审核"), await person(s, "崇审核")
        await org.grant_role(session=s, person=west_reviewer, kind=RoleKind.REVIEWER, union=west)
        await org.grant_role(session=s, person=east_reviewer, kind=RoleKind.REVIEWER, union=east)
        await s.commit()
    west_studio = await studio_not_named(
        sessions, replace(w, district=west), "金山申报工作室", StudioStatus.APPLYING, "金山领衔人"
    )
    east_studio = await studio_not_named(
        sessions, replace(w, district=east), "崇明申报工作室", StudioStatus.APPLYING, "崇明领衔人"
    )
    async with sessions() as s:
        await add_entry(s, w, created=at(date(2026, 5, 6)))
        approved = await add_entry(s, applying, created=at(date(2026, 5, 11)))
        await add_entry(s, applying, created=at(date(2026, 5, 12)), status=EntryStatus.SUBMITTED)
        s.add(
            ReviewDecision(
                entry_id=approved.id,
                entry_version=1,
                decision=Decision.APPROVE,
                reviewer_id=w.reviewer.id,
                channel="test",
                decided_at=at(date(2026, 5, 13)),
            )
        )
        # 金山: only a studio applying, with an entry logged last month and still waiting
        await add_entry(s, west_studio, created=at(date(2026, 5, 20)), status=EntryStatus.SUBMITTED)
        # 崇明: only a studio applying, whose waiting entry came this month: nothing to sum up for May
        await add_entry(s, east_studio, created=at(date(2026, 6, 1), 8), status=EntryStatus.SUBMITTED)
        await s.commit()
    due = {p.person_id: p for p in (await run(sessions, date(2026, 6, 1))).new if p.topic == "digest"}
    assert set(due) == {w.reviewer.id, w.officer.id, west_reviewer.id}
    district = due[w.reviewer.id].text
    assert "所属 2 个工作室新记录台账 3 条，复核通过 1 条" in district and "每个工作室本月都有记录" in district
    assert "its 3 studios logged 4 new entries; 1 were approved" in due[w.officer.id].text
    assert "所属 1 个工作室新记录台账 1 条，复核通过 0 条" in due[west_reviewer.id].text
    assert not [p for p in (await run(sessions, date(2026, 6, 2))).new if p.topic == "digest"]
