"""Domain events other features react to, without the flows knowing who listens."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.context import Context
from storage.models import LedgerEntry

EntryListener = Callable[[Context, LedgerEntry], Awaitable[None]]
ENTRY_SUBMITTED: list[EntryListener] = []


def on_entry_submitted(listener: EntryListener) -> EntryListener:
    """Call `listener` whenever a ledger entry (or a new version of one) is submitted."""
    ENTRY_SUBMITTED.append(listener)
    return listener


async def entry_submitted(ctx: Context, entry: LedgerEntry) -> None:
    """Tell every listener that `entry` now waits for review (same transaction as the write)."""
    for listener in ENTRY_SUBMITTED:
        await listener(ctx, entry)
