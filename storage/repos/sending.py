"""What the outbox sender reads and writes besides claiming and finishing a row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChannelIdentity, OutboxMessage, OutboxStatus, Person

NOTICE = "notice"


async def due(*, session: AsyncSession, now: datetime, limit: int, notices_only: bool) -> list[OutboxMessage]:
    """Pending rows whose time has come, oldest first; only notices when reminders must wait."""
    query = select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.due_at <= now)
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
