"""What every serving process tidies hourly: expired channel refs, delivery ids past their retention, unused files."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.runtime import Runtime
from storage import media
from storage.repos import attachments, channel_refs, deliveries

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tidied:
    """How much one pass forgot or removed."""

    refs: int
    deliveries: int
    files: int


async def housekeep(runtime: Runtime, *, now: datetime) -> Tidied:
    """One pass as of `now`: idempotent, so every process may run it."""
    settings = runtime.settings
    # a file can wait in an open conversation for as long as the conversation lives
    keep_files = max(
        timedelta(days=settings.unused_media_keep_days),
        timedelta(minutes=settings.conversation_ttl_minutes) + timedelta(hours=1),
    )
    async with runtime.sessions() as session, session.begin():
        refs = await channel_refs.purge_expired(session=session, now=now)
        seen = await deliveries.purge(session=session, before=now - timedelta(days=settings.seen_deliveries_keep_days))
        used = await attachments.stored_names(session=session)
    files = await asyncio.to_thread(media.remove_unused, settings.media_dir, used, older_than=now - keep_files)
    tidied = Tidied(refs, seen, files)
    if refs or seen or files:
        log.info("housekeeping: forgot %d channel refs and %d delivery ids, removed %d unused files", refs, seen, files)
    return tidied
