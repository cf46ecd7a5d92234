"""What the outbox sender reads and writes besides claiming and finishing a row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import date, datetime

from sqlalchemy import ColumnElement, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChannelIdentity, OutboxMessage, OutboxStatus, Person

NOTICE = "notice"


def reachable(channels: Collection[str]) -> ColumnElement[bool]:
    """The row's person has an identity on one of `channels` (the row's own channel if it names one)."""
    return exists().where(
        ChannelIdentity.person_id == OutboxMessage.person_id,
        ChannelIdentity.channel.in_(sorted(channels)),
        or_(OutboxMessage.channel.is_(None), ChannelIdentity.channel == OutboxMessage.channel),
    )


async def due(
    *,
    session: AsyncSession,
    now: datetime,
    limit: int,
    notices_only: bool,
    channels: Collection[str] | None = None,
) -> list[OutboxMessage]:
    """Pending rows whose time has come (and whose person one of `channels` reaches), oldest first.

    Only notices when reminders must wait. Rows of people not bound yet stay pending, untouched.
    """
    query = select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.due_at <= now)
    if channels is not None:
        query = query.where(reachable(channels))
    if notices_only:
        query = query.where(OutboxMessage.kind == NOTICE)
    query = query.order_by(OutboxMessage.due_at, OutboxMessage.id).limit(limit)
    return list(await session.scalars(query))


async def identities_of(*, session: AsyncSession, person_ids: Iterable[int]) -> dict[int, list[ChannelIdentity]]:
    """Each person's channel identities, most recently used first."""
    wanted = sorted(set(person_ids))
    found: dict[int, list[ChannelIdentity]] = defaultdict(list)
    if not wanted:
        return found
    query = (
        select(ChannelIdentity)
        .where(ChannelIdentity.person_id.in_(wanted))
        .order_by(ChannelIdentity.last_inbound_at.desc().nulls_last(), ChannelIdentity.id.desc())
    )
    for identity in await session.scalars(query):
        found[identity.person_id].append(identity)
    return found


async def people_state(*, session: AsyncSession, person_ids: Iterable[int]) -> dict[int, tuple[str, date | None]]:
    """Each person's language and the last day of their paused reminders."""
    wanted = sorted(set(person_ids))
    if not wanted:
        return {}
    rows = await session.execute(
        select(Person.id, Person.locale, Person.reminders_paused_until).where(Person.id.in_(wanted))
    )
    return {pid: (locale, paused) for pid, locale, paused in rows.all()}


async def mark_stale(*, session: AsyncSession, claimed_before: datetime, note: str) -> int:
    """Rows left `sending` by a sender that stopped mid-send: set aside for a person to look at, never resent."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at <= claimed_before)
        .values(status=OutboxStatus.NEEDS_LOOK, last_error=note)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def adopt_orphans(*, session: AsyncSession, holder: str, note: str) -> int:
    """Rows left `sending` by any other sender (a previous leader, now gone) back to pending, to be resent."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.SENDING,
            or_(OutboxMessage.claimed_by.is_(None), OutboxMessage.claimed_by != holder),
        )
        .values(status=OutboxStatus.PENDING, last_error=note)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def expire_unreachable(
    *, session: AsyncSession, due_before: datetime, channels: Collection[str], note: str
) -> int:
    """Pending rows due before `due_before` whose person no channel has reached since: failed, visibly."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.due_at <= due_before,
            ~reachable(channels),
        )
        .values(status=OutboxStatus.FAILED, last_error=note)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def drop(*, session: AsyncSession, message_id: int, note: str) -> bool:
    """Cancel a pending row that no longer makes sense; False if it is no longer pending."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.CANCELLED, last_error=note)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def postpone(*, session: AsyncSession, message_id: int, until: datetime) -> bool:
    """Move a pending row's time to `until`; False if it is no longer pending."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(due_at=until)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def status_counts(*, session: AsyncSession) -> dict[str, int]:
    """How many outbox rows are in each status."""
    rows = await session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    return {str(getattr(status, "value", status)): int(n) for status, n in rows.all()}
