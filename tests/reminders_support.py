"""Helpers for the reminder tests: a small world of unions, studios and people, a clock, a recording pusher."""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import PushError, PushTarget
from handlers.core.config import HandlerConfig
from handlers.core.types import Reply
from storage.models import (
    ChannelIdentity,
    EntryStatus,
    LedgerEntry,
    LedgerKind,
    OutboxMessage,
    Person,
    RoleKind,
    Studio,
    Union,
    UnionLevel,
)
from storage.repos import org, persons

SHANGHAI = ZoneInfo("Asia/Shanghai")
CONFIG = HandlerConfig(secret_key=b"reminder-tests-secret")


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A Shanghai wall-clock moment as an aware UTC datetime."""
    return datetime.combine(day, time(hour, minute), SHANGHAI).astimezone(UTC)


@dataclass
class World:
    """The ids of a typical hierarchy: association → district → studio with a lead and reviewers."""

    association: Union
    district: Union
    studio: Studio
    lead: Person
    reviewer: Person
    officer: Person  # a reviewer at the association
    people: dict[str, Person] = field(default_factory=dict)


async def person(session: AsyncSession, name: str, *, channel: str = "telegram", locale: str = "zh_CN") -> Person:
    """A person bound to one channel."""
    p = await persons.create_person(session=session, name=name, locale=locale)
    session.add(ChannelIdentity(person_id=p.id, channel=channel, external_id=f"{channel}-{p.id}", chat_id=f"c{p.id}"))
    await session.flush()
    return p


async def build_world(session: AsyncSession, *, named_on: date, created: datetime | None = None) -> World:
    """Association, district union with a reviewer, a named studio with a lead; committed."""
    association = await org.create_union(session=session, name="市职工技协", level=UnionLevel.MUNICIPAL)
    district = await org.create_union(
        session=session, name="浦东新区总工会", level=UnionLevel.DISTRICT, parent=association
    )
    studio = await org.create_studio(session=session, name="王师傅工作室", union=district, named_on=named_on)
    if created is not None:
        studio.created_at = created
    lead = await person(session, "王师傅")
    reviewer = await person(session, "李审核")
    officer = await person(session, "张技协", locale="en")
    await org.grant_role(session=session, person=lead, kind=RoleKind.LEAD, studio=studio)
    await org.grant_role(session=session, person=reviewer, kind=RoleKind.REVIEWER, union=district)
    await org.grant_role(session=session, person=officer, kind=RoleKind.ASSOCIATION, union=association)
    await session.commit()
    return World(association, district, studio, lead, reviewer, officer)


async def add_entry(
    session: AsyncSession,
    world: World,
    *,
    created: datetime,
    status: EntryStatus = EntryStatus.APPROVED,
    kind: LedgerKind = LedgerKind.ACTIVITY,
    title: str = "技术交流会",
    changed: datetime | None = None,
) -> LedgerEntry:
    """A ledger entry of the world's studio, created and last changed at given moments."""
    entry = LedgerEntry(
        studio_id=world.studio.id,
        kind=kind,
        status=status,
        author_id=world.lead.id,
        occurred_on=created.date(),
        title=title,
        created_at=created,
        status_changed_at=changed or created,
    )
    session.add(entry)
    await session.flush()
    return entry


async def outbox_rows(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    """Every outbox row, oldest first, read in a transaction of its own (SQLite locks on BEGIN)."""
    async with sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


class Clock:
    """A controlled clock: `now()` for the code under test, `sleep()` that advances it instead of waiting."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, delta: timedelta) -> None:
        """Move time forward."""
        self.moment += delta

    async def sleep(self, seconds: float) -> None:
        """Wake `seconds` after now: time jumps there unless another sleeper already moved it further."""
        # rounded up to datetime's microsecond, or a sub-microsecond wait would never pass
        self.moment = max(self.moment, self.moment + timedelta(microseconds=math.ceil(max(seconds, 0.0) * 1e6)))
        await asyncio.sleep(0)


@dataclass
class Sent:
    """One push the recording pusher received."""

    at: datetime
    channel: str
    chat_id: str
    person_id: int
    text: str
    kind: str


class RecordingPusher:
    """A channel at our own protocol boundary: records what it is asked to push, can be told to fail."""

    def __init__(self, name: str, clock: Clock, *, fail_with: list[PushError] | None = None) -> None:
        self.name = name
        self.clock = clock
        self.sent: list[Sent] = []
        self.fail_with = list(fail_with or [])

    async def push(self, target: PushTarget, reply: Reply, *, kind: str) -> None:
        moment = self.clock()
        if self.fail_with:
            raise self.fail_with.pop(0)
        self.sent.append(Sent(moment, target.channel, target.chat_id, target.person_id, reply.text, kind))
        await asyncio.sleep(0)
