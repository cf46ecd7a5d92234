"""Domain events other features react to, without the flows knowing who listens."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.engine.context import Context
from handlers.engine.router import Hook, Router
from storage.models import LedgerEntry

EntryListener = Callable[[Context, LedgerEntry], Awaitable[None]]
ENTRY_SUBMITTED: Hook[EntryListener] = Hook("entry submitted")


def on_entry_submitted(router: Router) -> Callable[[EntryListener], EntryListener]:
    """Call the listener whenever a ledger entry (or a new version of one) is submitted."""

    def register(listener: EntryListener) -> EntryListener:
        return router.add(ENTRY_SUBMITTED, listener)

    return register


async def entry_submitted(ctx: Context, entry: LedgerEntry) -> None:
    """Tell every listener that `entry` now waits for review (same transaction as the write)."""
    for listener in ctx.routes.all(ENTRY_SUBMITTED):
        await listener(ctx, entry)
