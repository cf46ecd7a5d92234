"""Multi-party transcripts for reviews and the studio's life: people who say, press and read what was pushed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import OutboxSender
from handlers.core.types import Reply
from storage.models import Delegation, EntryStatus, LedgerEntry, LedgerKind, Person, RoleKind, Studio, Union, UnionLevel
from storage.repos import ledgers, org, people, persons
from tests.support import RecordingPusher, Transcript, make_bot

CHANNEL = "test"
# An expert rubric whose single sheet closes an evaluation (a World takes its file as expert_rubric_file).
ONE_EXPERT = """
name = "一位专家即可"
experts_needed = 1
pass_score = 60
[[criteria]]
key = "all"
zh = "总体评价"
en = "Overall"
max = 100
"""

OUTCOME_FIELDS: dict[str, Any] = {
    "title": "焊接夹具快换装置",
    "category": "小革新",
    "team": ["王建国", "李娟"],
    "recorded_on": date(2026, 2, 1),
    "applied": True,
    "applied_since": date(2025, 11, 1),
    "funding_amount": 30000,
    "funding_scheme": "上海职工(技师)创新项目资助",
}
ACTIVITY_FIELDS: dict[str, Any] = {
    "occurred_on": date(2026, 3, 5),
    "kind": "技术交流",
    "title": "数控车床刀具寿命攻关讨论",
    "place": "二号车间",
    "participants": ["王建国", "李娟"],
    "hours": 2,
    "content": "分析刀具磨损数据",
    "results": "形成改进方案一份",
}


class Party(Transcript):
    """One bound person talking on the test channel (a Transcript), who also reads what was pushed to them."""

    def __init__(self, world: World, person: Person, user: str) -> None:
        super().__init__(world.bot, user)
        self.world, self.person = world, person

    @property
    def name(self) -> str:
        return self.person.name

    @property
    def inbox(self) -> list[Reply]:
        """What the outbox pushed to this person so far (run world.deliver() first)."""
        return list(self.world.pusher.pushed.get(self.user, []))

    def pushed(self) -> str:
        """Everything pushed to this person, as one text."""
        return "\n".join(r.text for r in self.inbox)

    async def press_in(self, label: str, reply: Reply | None = None) -> list[Reply]:
        """Press a button of a pushed message (default: the newest one offering `label`)."""
        source = reply or next(
            (r for r in reversed(self.inbox) if any(label in b.label for b in r.all_buttons())), None
        )
        assert source is not None, f"{self.name} got no message with a button {label!r}:\n{self.pushed()}"
        button = next(b for b in source.all_buttons() if label in b.label)
        return await self.press_button(button)

    async def log_activity(self, title: str = "数控车床刀具寿命攻关讨论") -> list[Reply]:
        """Log an activity through the real 记录活动 conversation and submit it."""
        for text in ("记录活动", "今天", "技术交流", title, "跳过", self.name, "2", "分析刀具磨损数据", "跳过", "跳过"):
            await self.say(text)
        return await self.say("提交")


class World:
    """Unions, studios and bound people over one database, a bot with a settable clock, and the outbox."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], now: datetime, **config: Any) -> None:
        self.sessions = sessions
        self.now = now
        self.bot = make_bot(sessions, clock=lambda: self.now, **config)
        self.config = self.bot.config
        self.pusher = RecordingPusher(CHANNEL)
        self.sender = OutboxSender(sessions, {CHANNEL: self.pusher}, clock=lambda: self.now)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    async def deliver(self) -> int:
        return await self.sender.run_once()

    async def union(self, name: str, level: UnionLevel, parent: Union | None = None) -> Union:
        async with self.sessions() as s, s.begin():
            return await org.create_union(session=s, name=name, level=level, parent=parent)

    async def studio(self, name: str, union: Union, **kw: Any) -> Studio:
        async with self.sessions() as s, s.begin():
            return await org.create_studio(session=s, name=name, union=union, **kw)

    async def person(
        self,
        name: str,
        kind: RoleKind | None = None,
        *,
        studio: Studio | None = None,
        union: Union | None = None,
        grade: str | None = None,
        enterprise: str = "",
        locale: str = "zh_CN",
        bound: bool = True,
    ) -> Party:
        async with self.sessions() as s, s.begin():
            person = await persons.create_person(
                session=s, name=name, grade=grade, enterprise=enterprise, locale=locale
            )
            if kind is not None:
                await org.grant_role(session=s, person=person, kind=kind, studio=studio, union=union)
            user_id = f"u{person.id}"
            if bound:
                await people.bind_identity(
                    session=s,
                    person=person,
                    channel=CHANNEL,
                    external_id=user_id,
                    chat_id=f"chat-{user_id}",
                    now=self.now,
                )
        return Party(self, person, user_id)

    async def grant(
        self, party: Party, kind: RoleKind, *, studio: Studio | None = None, union: Union | None = None
    ) -> None:
        async with self.sessions() as s, s.begin():
            person = await s.get(Person, party.person.id)
            assert person is not None
            await org.grant_role(session=s, person=person, kind=kind, studio=studio, union=union)

    async def entry(self, studio: Studio, author: Party, kind: LedgerKind = LedgerKind.ACTIVITY, **fields: Any) -> int:
        """An entry written straight to storage (no notification): for fixtures that need history."""
        base = OUTCOME_FIELDS if kind is LedgerKind.OUTCOME else ACTIVITY_FIELDS
        async with self.sessions() as s, s.begin():
            entry = await ledgers.create_entry(
                session=s, studio_id=studio.id, kind=kind, author_id=author.person.id, fields={**base, **fields}
            )
            return entry.id


def at(text: str) -> datetime:
    """A Shanghai wall-clock moment ("2026-03-10 09:00") as an aware UTC datetime."""
    return (datetime.fromisoformat(text) - timedelta(hours=8)).replace(tzinfo=UTC)


@dataclass
class Cast:
    """Everybody a review or an application involves, bound on the test channel."""

    world: World
    city: Union
    district: Union
    other_district: Union
    enterprise_union: Union
    studio: Studio
    lead: Party
    members: list[Party]
    reviewer: Party  # of the studio's district union
    reviewer2: Party  # a second reviewer of the same union
    outsider: Party  # a reviewer of another district union
    association: Party  # the association officer (市职工技协)
    experts: list[Party]  # three of other enterprises
    conflicted: Party  # an expert of the studio's own enterprise
    admin: Party  # an admin of the studio's district union
    stranger: Party  # bound, with no role at all


async def make_cast(world: World, *, named_on: date | None = None) -> Cast:
    """The standard cast: a studio under an enterprise union under 浦东, and everyone around it."""
    city = await world.union("上海市职工技术协会", UnionLevel.MUNICIPAL)
    district = await world.union("浦东新区总工会", UnionLevel.DISTRICT, city)
    other = await world.union("徐汇区总工会", UnionLevel.DISTRICT, city)
    factory = await world.union("上海电气集团工会", UnionLevel.ENTERPRISE, district)
    studio = await world.studio("王建国技师创新工作室", factory, enterprise="上海电气", named_on=named_on)
    lead = await world.person("王建国", RoleKind.LEAD, studio=studio, grade="高级技师", enterprise="上海电气")
    members = [
        await world.person(name, RoleKind.MEMBER, studio=studio, grade="技师", enterprise="上海电气")
        for name in ("李娟", "赵磊", "孙强")
    ]
    return Cast(
        world=world,
        city=city,
        district=district,
        other_district=other,
        enterprise_union=factory,
        studio=studio,
        lead=lead,
        members=members,
        reviewer=await world.person("李四", RoleKind.REVIEWER, union=district),
        reviewer2=await world.person("钱七", RoleKind.REVIEWER, union=district),
        outsider=await world.person("王五", RoleKind.REVIEWER, union=other),
        association=await world.person("张三", RoleKind.ASSOCIATION, union=city),
        experts=[
            await world.person(name, RoleKind.EXPERT, union=city, enterprise=firm)
            for name, firm in (("陈教授", "上海交通大学"), ("刘总工", "宝钢"), ("周高工", "上海机床厂"))
        ],
        conflicted=await world.person("吴专家", RoleKind.EXPERT, union=city, enterprise="上海电气"),
        admin=await world.person("郑管理", RoleKind.ADMIN, union=district),
        stranger=await world.person("路人甲"),
    )


async def approve_all(world: World) -> None:
    """Mark every entry approved (fixture history, as if reviewed long ago)."""
    async with world.sessions() as s, s.begin():
        await s.execute(update(LedgerEntry).values(status=EntryStatus.APPROVED))


async def ready_to_apply(cast: Cast) -> int:
    """Give the cast's studio an approved outcome, applied in production and funded by the scheme, and the
    approved activities of the last 12 months that 第三条(4) asks (one a month before the world's day)."""
    entry_id = await cast.world.entry(cast.studio, cast.lead, LedgerKind.OUTCOME)
    await log_activities(cast.world, cast.studio, cast.lead, cast.world.config.application_min_activities)
    await approve_all(cast.world)
    return entry_id


async def log_activities(world: World, studio: Studio, author: Party, count: int) -> None:
    """`count` activities, one every 30 days back from the world's day (written straight to storage)."""
    today = (world.now + timedelta(hours=8)).date()
    for n in range(count):
        await world.entry(studio, author, occurred_on=today - timedelta(days=30 * n + 1))


async def recommend(
    reviewer: Party, card: Reply | None = None, opinion: str = "该工作室创新成效显著，同意推荐"
) -> list[Reply]:
    """The district's reviewer presses 推荐 on the card and gives the 推荐意见."""
    await reviewer.press_in("推荐", card)
    await reviewer.say(opinion)
    return await reviewer.press("提交")


async def apply(
    lead: Party, *, venue: str = "二号车间创新室，约 80 平方米", equipment: str = "数控车床 3 台"
) -> list[Reply]:
    """The lead goes through 申报 and submits."""
    await lead.say("申报")
    for answer in (venue, equipment):
        await (lead.say(answer) if answer else lead.say("跳过"))
    await lead.press("焊接夹具")
    await lead.press("完成")
    await lead.say("坚持每月开展技术交流和攻关活动，解决生产难题 12 项")
    await lead.say("跳过")
    return await lead.say("提交")


async def stranger_stands_in_for_march(sessions: async_sessionmaker[AsyncSession], cast: Cast) -> None:
    """The cast's stranger holds the reviewer's role from 2026-03-01 to 2026-03-31 (a delegation)."""
    async with sessions() as s, s.begin():
        s.add(
            Delegation(
                reviewer_id=cast.reviewer.person.id,
                delegate_id=cast.stranger.person.id,
                starts_on=date(2026, 3, 1),
                ends_on=date(2026, 3, 31),
            )
        )
