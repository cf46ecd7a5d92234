"""What the outbox sender does besides sending: rows a stopped sender left behind, rows nobody can receive."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repos import sending

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(minutes=10)  # far longer than any push may take
STALE_NOTE = "sender stopped between sending and recording; check whether it arrived before resending"
ORPHAN_NOTE = "resent: the previous sender stopped mid-send, so this may arrive twice"
UNREACHABLE_WAIT = timedelta(days=14)  # as long as an invitation code lives by default (INVITE_TTL_DAYS)
UNREACHABLE_NOTE = "no channel reached this person within 14 days"
SUPERSEDED_NOTE = "the entry was decided before this notice went out"


async def set_aside(session: AsyncSession, *, now: datetime, stale_after: timedelta, channels: Collection[str]) -> int:
    """Rows `sending` for longer than `stale_after` become needs_look; rows unreachable too long fail."""
    stale = await sending.mark_stale(session=session, claimed_before=now - stale_after, note=STALE_NOTE)
    if stale:
        log.warning("%d outbox rows were left mid-send by a stopped sender; marked needs_look", stale)
    lapsed = await sending.expire_unreachable(
        session=session, due_before=now - UNREACHABLE_WAIT, channels=channels, note=UNREACHABLE_NOTE
    )
    if lapsed:
        log.warning("%d outbox rows failed: their people bound no channel in time", lapsed)
    return stale


async def adopt(session: AsyncSession, *, holder: str) -> int:
    """Rows any sender but `holder` left `sending` go back to pending, to be resent (the new leader's first act)."""
    count = await sending.adopt_orphans(session=session, holder=holder, note=ORPHAN_NOTE)
    if count:
        log.warning("%d outbox rows were left mid-send by the previous leader; resending them", count)
    return count
