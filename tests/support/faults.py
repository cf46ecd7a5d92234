"""What the fault scenarios share: many bound leads, the conversation they type, and how loss is counted.

A figure is tried / lost / duplicated / crashed: `tally` compares what each person received with what a person
who met no fault received, in order, so a reply that never came is lost and one that came twice is duplicated.
"""

from __future__ import annotations

import asyncio
import difflib
import itertools
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import httpx
from sqlalchemy import func, select

from handlers.core.types import Reply, reply_to_dict
from storage.base import utcnow
from storage.database import create_engine, session_factory
from storage.models import ChannelIdentity, LedgerEntry, OutboxMessage, RoleKind, UnionLevel
from storage.repos import org, outbox, people, persons
from tests.support.fake_telegram import text_update
from tests.support.serve_process import ServeProcess, ThreadedFakeTelegram, post_until_taken

CONTROL = 9000  # the control's user id: the same conversation as the others, and no fault
ERROR_TEXT = "抱歉，处理时出错了"
LEADS = "this process now runs the reminders"  # bot/scheduler/leader.py, when a process takes the lead
STALLED = (
    "目前没有可以处理的审核人"  # roles.stall.no_reviewer.note: the author's push when the district has no reviewer
)
TITLE = "五轴编程交流"
_WAKING_UPDATES = itertools.count(5_000_000)
# a whole 记录活动, typed (no button pressed), so that a client needs no reply to go on
SCRIPT = ("记录活动", "今天", "技术交流", TITLE, "1", "李明", "2", "交流宏程序", "跳过", "跳过", "提交")


@dataclass
class Figures:
    """One scenario's outcome, as bench/README.md reports it."""

    tried: int = 0
    lost: int = 0
    duplicated: int = 0
    crashed: int = 0
    notes: list[str] = field(default_factory=list)

    def line(self, scenario: str) -> str:
        """One line for the log and the README."""
        return f"{scenario}: tried {self.tried}, lost {self.lost}, duplicated {self.duplicated}, crashed {self.crashed}"


def tally(expected: Sequence[str], received: Sequence[str]) -> tuple[int, int]:
    """(lost, duplicated): replies of `expected` missing from `received`, and extra ones, matched in order."""
    lost = extra = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=expected, b=received, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            lost += i2 - i1
        if op in ("insert", "replace"):
            extra += j2 - j1
    return lost, extra


REVIEWER_ID = "8999"  # not one of the scenarios' lead ids


async def seed_leads(
    db_url: str, user_ids: Sequence[int], *, channel: str = "telegram", reviewer: bool = False
) -> None:
    """One named studio per user id, its lead bound on `channel` under that id (chat id the same); with `reviewer`,
    the district's reviewer too (entries logged then go to a reviewer, as in a district that has one)."""
    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as s, s.begin():
            district = await org.create_union(session=s, name="闵行区总工会", level=UnionLevel.DISTRICT)
            if reviewer:  # without one, every entry brings a stalled-stage push on top of the conversation
                officer = await persons.create_person(session=s, name="闵行复核人")
                await org.grant_role(session=s, person=officer, kind=RoleKind.REVIEWER, union=district)
                bound = {"external_id": REVIEWER_ID, "chat_id": REVIEWER_ID}
                await people.bind_identity(session=s, person=officer, channel=channel, now=utcnow(), **bound)
            for user_id in user_ids:
                studio = await org.create_studio(
                    session=s, name=f"数控技师创新工作室{user_id}", union=district, named_on=date(2025, 1, 6)
                )
                lead = await persons.create_person(session=s, name=f"领衔人{user_id}", grade="技师")
                await org.grant_role(session=s, person=lead, kind=RoleKind.LEAD, studio=studio)
                user = str(user_id)
                await people.bind_identity(
                    session=s, person=lead, channel=channel, external_id=user, chat_id=user, now=utcnow()
                )
    finally:
        await engine.dispose()


async def _notices(db_url: str, people_ids: dict[int, int], count: int) -> list[str]:
    texts = [f"通知第{n}条：请及时记录活动" for n in range(count)]
    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as s, s.begin():
            persons = list(people_ids.values())
            for n, text in enumerate(texts):
                person = persons[n % len(persons)]
                await outbox.enqueue(
                    session=s, key=f"fault:{n}", person_id=person, payload=reply_to_dict(Reply(text=text))
                )
    finally:
        await engine.dispose()
    return texts


async def _lead_ids(db_url: str) -> dict[int, int]:
    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as s:
            rows = await s.execute(select(ChannelIdentity.external_id, ChannelIdentity.person_id))
            return {int(external): person for external, person in rows}
    finally:
        await engine.dispose()


async def queue_notices(db_url: str, count: int) -> list[str]:
    """`count` notices, each with its own text, queued in the outbox for the bound people in turn; their texts."""
    return await _notices(db_url, await _lead_ids(db_url), count)


async def _count(db_url: str, what: str) -> dict[str, int]:
    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as s:
            if what == "entries":
                rows = await s.execute(
                    select(LedgerEntry.title, func.count()).group_by(LedgerEntry.studio_id, LedgerEntry.title)
                )
                counts: dict[str, int] = {}
                for title, n in rows:
                    counts[f"{title}:{n}"] = counts.get(f"{title}:{n}", 0) + 1
                return counts
            rows = await s.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
            return {str(status): int(n) for status, n in rows}
    finally:
        await engine.dispose()


async def entries_per_studio(db_url: str) -> dict[str, int]:
    """How many studios hold each (title, number of entries with it): {"五轴编程交流:1": 8} when all is well."""
    return await _count(db_url, "entries")


async def outbox_statuses(db_url: str) -> dict[str, int]:
    """The outbox rows by status."""
    return await _count(db_url, "outbox")


async def outbox_drained(db_url: str, *, within: float) -> None:
    """Wait until no outbox row is waiting or under way (what did not end sent is the caller's to count)."""
    deadline = time.monotonic() + within
    while set(await outbox_statuses(db_url)) & {"pending", "sending"}:
        if time.monotonic() > deadline:
            raise AssertionError(f"the outbox still sends after {within} s: {await outbox_statuses(db_url)}")
        await asyncio.sleep(0.5)


def more_than(telegram: ThreadedFakeTelegram, count: int) -> bool:
    """At least `count` messages reached the fake."""
    return len(telegram.all_texts()) >= count


def seconds(spans: list[float]) -> str:
    """Durations as the README gives them: 12.3 s, or 8.1–14.0 s."""
    low, high = min(spans), max(spans)
    return f"{low:.1f} s after the kill" if len(spans) == 1 else f"{low:.1f}–{high:.1f} s after a kill"


def normal(texts: list[str]) -> list[str]:
    """Replies with the entry number and the lead's name (each studio's own) blanked, so that all can be compared."""
    return [re.sub(r"领衔人\d+", "领衔人N", re.sub(r"#\d+", "#N", text)) for text in texts]


async def settled(telegram: ThreadedFakeTelegram, chats: list[int], *, quiet: float = 2.0, within: float = 60) -> None:
    """Wait until nothing new has reached these chats for `quiet` seconds."""
    deadline, last, since = time.monotonic() + within, -1, time.monotonic()
    while time.monotonic() < deadline:
        now = sum(len(telegram.texts_to(chat)) for chat in chats)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        await asyncio.sleep(0.2)


def led_since(server: ServeProcess, offset: int) -> bool:
    """Whether a process on this port took the lead after its log held `offset` characters."""
    return LEADS in server.log()[offset:]


async def wake_sender(server: ServeProcess, user: int) -> None:
    """A message from `user`: the process sends the outbox now if it leads, not at its next tick (10 s)."""
    async with httpx.AsyncClient(timeout=30) as http:
        await post_until_taken(http, server.url, text_update(next(_WAKING_UPDATES), user, "帮助"))
