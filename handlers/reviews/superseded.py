"""Queued review notices that no longer hold: their entry was decided (or changed) before they went out."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import EntryStatus, LedgerEntry, OutboxMessage

# the key `tell_reviewers` gives each reviewer's notice of a submitted entry version
NEW_ENTRY_KEY = re.compile(r"^rv:new:(\d+):v(\d+):\d+$")


async def superseded(*, session: AsyncSession, messages: Iterable[OutboxMessage]) -> set[int]:
    """Ids of the review notices among `messages` whose entry version is no longer waiting for a decision."""
    wanted: dict[int, tuple[int, int]] = {}
    for message in messages:
        found = NEW_ENTRY_KEY.match(message.idempotency_key)
        if found:
            wanted[message.id] = (int(found[1]), int(found[2]))
    if not wanted:
        return set()
    entry_ids = sorted({entry_id for entry_id, _ in wanted.values()})
    rows = await session.execute(
        select(LedgerEntry.id, LedgerEntry.version, LedgerEntry.status).where(LedgerEntry.id.in_(entry_ids))
    )
    waiting = {(eid, version) for eid, version, status in rows.all() if status is EntryStatus.SUBMITTED}
    return {message_id for message_id, entry in wanted.items() if entry not in waiting}
