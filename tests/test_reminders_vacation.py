"""休假 / vacation and 委托 / delegate in chat, and what the reminders then do."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core.payloads import pack, unpack
from handlers.core.presses import GoPress, ReviewAction, ReviewPress
from handlers.core.types import reply_from_dict
from handlers.engine.pipeline import Bot
from handlers.reminders import plan
from storage.models import Delegation, EntryStatus, LedgerEntry, LedgerKind, Person, RoleKind
from storage.repos import delegations, org, people, persons
from tests.reminders_support import CONFIG, at, outbox_rows
from tests.support.clock import Clock
from tests.support.fixtures import bot_fixture, clock_fixture, world_fixture  # noqa: F401
from tests.support.transcript import SECRET, Transcript
from tests.support.world import World


async def fresh(sessions: async_sessionmaker[AsyncSession], model: type, pk: int) -> object:
    async with sessions() as s:
        return await s.get(model, pk)


async def deputy(
    sessions: async_sessionmaker[AsyncSession], world: World, kind: RoleKind = RoleKind.REVIEWER
) -> Person:
    """A second reviewer (or an admin) of the district union, bound as user "rev2"."""
    async with sessions() as s, s.begin():
        person = await persons.create_person(session=s, name="孙副审")
        await org.grant_role(session=s, person=person, kind=kind, union=world.district)
        await people.bind_identity(
            session=s, person=person, channel="test", external_id="rev2", chat_id="chat-rev2", now=at(date(2026, 3, 1))
        )
    return person


async def test_a_lead_pauses_and_resumes_reminders(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chat = Transcript(bot, "lead")
    await chat.say("休假")
    chat.expect("您的提醒正常发送", "休假 8月10日")
    await chat.say("休假 3月20日")
    chat.expect("2026-03-20")
    lead = await fresh(sessions, Person, world.lead.id)
    assert isinstance(lead, Person) and lead.reminders_paused_until == date(2026, 3, 20)
    await chat.say("休假")
    chat.expect("暂停到 2026-03-20")
    await chat.say("休假 7天")  # today (10 March) and six more days
    chat.expect("2026-03-16")
    await chat.say("休假 取消")
    chat.expect("提醒恢复")
    lead = await fresh(sessions, Person, world.lead.id)
    assert isinstance(lead, Person) and lead.reminders_paused_until is None
    await chat.say("休假 取消")  # again: there is no pause to end
    chat.expect("您的提醒正常发送")
    chat.expect_not("休假已结束")


async def test_bad_periods_are_explained_and_change_nothing(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chat = Transcript(bot, "lead")
    for text, says in (
        ("休假 下个月吧", "看不懂「下个月吧」"),
        ("休假 2026-03-01", "已经过去"),
        ("休假 2030-01-01", "最长一次暂停一年"),
        ("休假 0天", "看不懂"),
    ):
        await chat.say(text)
        chat.expect(says)
    lead = await fresh(sessions, Person, world.lead.id)
    assert isinstance(lead, Person) and lead.reminders_paused_until is None
    await chat.say("语言 en")
    await chat.say("vacation soon")
    chat.expect('"soon" is not a day')


async def test_a_month_day_already_past_this_year_means_next_year(bot: Bot, world: World, clock: Clock) -> None:
    clock.now = at(date(2026, 12, 28), 10)
    chat = Transcript(bot, "lead")
    await chat.say("休假 1月4日")
    chat.expect("2027-01-04")


async def test_a_reviewer_on_holiday_names_a_stand_in_who_gets_the_reminders_and_may_decide(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    stand_in = await deputy(sessions, world)
    async with sessions() as s, s.begin():
        s.add(
            LedgerEntry(
                studio_id=world.studio.id,
                kind=LedgerKind.ACTIVITY,
                status=EntryStatus.SUBMITTED,
                author_id=world.lead.id,
                occurred_on=date(2026, 3, 2),
                title="技术比武",
                created_at=at(date(2026, 3, 2)),
                status_changed_at=at(date(2026, 3, 2)),
            )
        )
    rev = Transcript(bot, "rev")
    await rev.say("休假 3月20日")
    rev.expect("委托 姓名")
    await rev.say("委托 张工")  # a studio lead cannot decide reviews
    rev.expect("找不到可以代审的「张工」")
    await rev.say("委托 孙副审")  # no date given: the stand-in covers the holiday
    rev.expect("孙副审 从今天到 2026-03-20 代您审核")
    [notice] = [r for r in await outbox_rows(sessions) if r.person_id == stand_in.id]
    assert notice.kind == "notice" and "周审核 请您在 2026-03-20 之前代为审核" in notice.payload["text"]
    assert unpack(SECRET, reply_from_dict(notice.payload).all_buttons()[0].payload) == GoPress("pending")

    async with sessions() as s, s.begin():
        config = CONFIG.__class__(secret_key=SECRET)
        result = await plan(session=s, config=config, now=at(date(2026, 3, 10), 10))
        roles = await delegations.roles_held_for(session=s, delegate_id=stand_in.id, on=date(2026, 3, 12))
    reviews = [p for p in result.new if p.topic == "review"]
    assert [p.person_id for p in reviews] == [stand_in.id] and "代周审核复核" in reviews[0].text
    assert [(r.kind, r.union_id) for r in roles] == [(RoleKind.REVIEWER, world.district.id)]

    await rev.say("委托")
    rev.expect("孙副审 代您审核：2026-03-10 至 2026-03-20")
    await rev.say("委托 取消")
    rev.expect("已收回")
    async with sessions() as s:
        assert await delegations.roles_held_for(session=s, delegate_id=stand_in.id, on=date(2026, 3, 12)) == []
        [row] = (await s.execute(Delegation.__table__.select())).all()
        assert row.revoked_at is not None  # kept, not deleted: the record of who stood in when
    told = [r.payload["text"] for r in await outbox_rows(sessions) if r.person_id == stand_in.id]
    assert any("已收回代审委托" in text for text in told)


async def test_only_reviewers_delegate_and_a_period_is_needed(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await deputy(sessions, world)
    lead = Transcript(bot, "lead")
    await lead.say("委托 孙副审 3月20日")
    lead.expect("只有区县局（产业）工会审核人和市职工技协审核人可以委托他人代审")
    rev = Transcript(bot, "rev")
    await rev.say("委托 孙副审")
    rev.expect("请写代审到哪天")
    await rev.say("委托 周审核 3月20日")
    rev.expect("不能委托给自己")
    async with sessions() as s:
        assert (await s.execute(Delegation.__table__.select())).all() == []


async def test_a_stand_in_may_not_decide_the_entry_of_the_reviewer_they_stand_in_for(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    stand_in = await deputy(sessions, world, RoleKind.ADMIN)  # reviews only as the stand-in
    assert world.reviewer is not None
    async with sessions() as s, s.begin():  # the reviewer also works in a studio they review
        reviewer = await s.get(Person, world.reviewer.id)
        assert reviewer is not None
        await org.grant_role(session=s, person=reviewer, kind=RoleKind.MEMBER, studio=world.studio)
    rev = Transcript(bot, "rev")
    await rev.say("委托 孙副审 3月20日")
    rev.expect("孙副审 从今天到 2026-03-20 代您审核")
    answers = ("记录活动", "今天", "学习", "审核人自己的活动", "跳过", "李明", "2", "学习内容", "跳过", "跳过", "提交")
    for answer in answers:
        await rev.say(answer)
    rev.expect("已提交")
    told = [r.payload["text"] for r in await outbox_rows(sessions) if r.person_id == stand_in.id]
    assert not any("审核人自己的活动" in text for text in told)  # not sent to the stand-in to decide

    async with sessions() as s, s.begin():  # ten days on: reminders about it go to nobody who may not decide it
        result = await plan(session=s, config=CONFIG.__class__(secret_key=SECRET), now=at(date(2026, 3, 20), 10))
    about = [c for c in result.new if c.topic == "review" and "审核人自己的活动" in c.text]
    assert [c.person_id for c in about if c.person_id in (world.reviewer.id, stand_in.id)] == []

    deputy_chat = Transcript(bot, "rev2")
    await deputy_chat.say("待审")
    deputy_chat.expect_not("审核人自己的活动")
    async with sessions() as s:
        [entry] = (await s.execute(LedgerEntry.__table__.select())).all()
    await deputy_chat.send_payload(pack(SECRET, ReviewPress(ReviewAction.APPROVE, entry.id, entry.version)))
    deputy_chat.expect("您所代审的审核人本人提交的")
    async with sessions() as s:
        assert (await s.get(LedgerEntry, entry.id)).status is EntryStatus.SUBMITTED  # type: ignore[union-attr]
    lead = Transcript(bot, "lead")  # the lead's entry the stand-in may decide, and the lead is told for whom
    for answer in ("记录活动", "今天", "学习", "领衔人的活动", "跳过", "李明", "2", "学习内容", "跳过", "跳过", "提交"):
        await lead.say(answer)
    async with sessions() as s:
        mine = (await s.execute(LedgerEntry.__table__.select().where(LedgerEntry.title == "领衔人的活动"))).one()
    await deputy_chat.send_payload(pack(SECRET, ReviewPress(ReviewAction.APPROVE, mine.id, mine.version)))
    deputy_chat.expect("已通过")
    told = [r.payload["text"] for r in await outbox_rows(sessions) if r.person_id == world.lead.id]
    assert any("领衔人的活动" in text and "孙副审（代 周审核）" in text for text in told)


async def test_a_stand_in_replaced_by_another_is_told(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    first = await deputy(sessions, world)
    async with sessions() as s, s.begin():
        second = await persons.create_person(session=s, name="钱副审")
        await org.grant_role(session=s, person=second, kind=RoleKind.REVIEWER, union=world.district)
    rev = Transcript(bot, "rev")
    await rev.say("委托 孙副审 3月20日")
    await rev.say("委托 钱副审 3月20日")
    rev.expect("钱副审 从今天到 2026-03-20 代您审核")
    told = [r.payload["text"] for r in await outbox_rows(sessions) if r.person_id == first.id]
    assert any("已收回代审委托" in text for text in told)  # the first stand-in knows they no longer stand in
    async with sessions() as s:
        held = await delegations.roles_held_for(session=s, delegate_id=first.id, on=date(2026, 3, 12))
    assert held == []
