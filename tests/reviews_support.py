"""Multi-party transcripts for reviews and the studio's life: people who say, press and read what was pushed."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import PushTarget
from bot.delivery import OutboxSender
from handlers.bot import Bot
from handlers.config import HandlerConfig
from handlers.types import Incoming, Reply
from storage.models import LedgerKind, Person, RoleKind, Studio, Union, UnionLevel
from storage.repos import ledgers, org, people

CHANNEL = "test"
_delivery = itertools.count(1)

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


class Recorder:
    """A Pusher that keeps what each person was sent."""

    name = CHANNEL

    def __init__(self) -> None:
        self.got: dict[int, list[Reply]] = {}

    async def push(self, target: PushTarget, reply: Reply, *, kind: str) -> None:
        self.got.setdefault(target.person_id, []).append(reply)


@dataclass
class Party:
    """One person on the test channel."""

    world: World
    person: Person
    user_id: str
    replies: list[Reply] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.person.name

    @property
    def inbox(self) -> list[Reply]:
        """What the outbox pushed to this person so far (run world.deliver() first)."""
        return self.world.recorder.got.get(self.person.id, [])

    async def say(self, text: str) -> list[Reply]:
        return await self._send(text=text)

    async def press(self, label: str, reply: Reply | None = None) -> list[Reply]:
        """Press the first button whose label contains `label`, on `reply` (default: the last reply with buttons)."""
        source = reply or next((r for r in reversed(self.replies) if r.buttons), None)
        assert source is not None, f"{self.name} has no buttons to press"
        for button in source.all_buttons():
            if label in button.label:
                return await self._send(payload=button.payload)
        raise AssertionError(f"no button {label!r} in {[b.label for b in source.all_buttons()]}")

    async def press_payload(self, payload: str) -> list[Reply]:
        return await self._send(payload=payload)

    async def _send(self, **what: Any) -> list[Reply]:
        incoming = Incoming(
            channel=CHANNEL, user_id=self.user_id, chat_id=self.user_id, delivery_id=f"d{next(_delivery)}", **what
        )
        turn = await self.world.bot.handle(incoming)
        self.replies.extend(turn.replies)
        return turn.replies

    async def log_activity(self, title: str = "数控车床刀具寿命攻关讨论") -> list[Reply]:
        """Log an activity through the real 记录活动 conversation and submit it."""
        for text in ("记录活动", "今天", "技术交流", title, "跳过", self.name, "2", "分析刀具磨损数据", "跳过", "跳过"):
            await self.say(text)
        return await self.say("提交")

    @property
    def last(self) -> str:
        return self.replies[-1].text if self.replies else ""

    def said(self) -> str:
        return "\n".join(r.text for r in self.replies)


class World:
    """Unions, studios and bound people over one database, a bot with a settable clock, and the outbox."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], now: datetime, **config: Any) -> None:
        self.sessions = sessions
        self.now = now
        self.config = HandlerConfig(secret_key=b"test-secret-key-123456", **config)
        self.bot = Bot(sessions, self.config, clock=lambda: self.now)
        self.recorder = Recorder()
        self.sender = OutboxSender(sessions, {CHANNEL: self.recorder}, clock=lambda: self.now)

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
            person = await org.create_person(session=s, name=name, grade=grade, enterprise=enterprise, locale=locale)
            if kind is not None:
                await org.grant_role(session=s, person=person, kind=kind, studio=studio, union=union)
            user_id = f"u{person.id}"
            if bound:
                await people.bind_identity(
                    session=s, person=person, channel=CHANNEL, external_id=user_id, chat_id=user_id, now=self.now
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
