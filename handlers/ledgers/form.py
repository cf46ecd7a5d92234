"""The chat side of a ledger: the flow that logs it, the command that starts the flow, answers from stored fields."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from handlers.core.types import Reply
from handlers.engine.context import Context
from handlers.engine.dispatch import start_flow
from handlers.engine.flow import Values
from handlers.engine.router import Hook, Router, Routes
from storage.ledger_specs import LedgerSpec
from storage.models import LedgerKind


@dataclass(frozen=True)
class LedgerForm:
    """One ledger in chat, over its storage spec (model, fields, columns, catalogue prefix), never a copy of it."""

    spec: LedgerSpec
    router: Router  # the ledger's flow module's router: its flow and anything else it registers
    flow: str  # the flow's name, also the command's slash name
    words: tuple[str, ...]  # the command's words besides the slash name: 记录活动
    order: int  # the command's place in help and the menus
    values_of: Callable[[Mapping[str, Any]], Values]  # the flow's answers that reproduce a stored version

    @property
    def kind(self) -> LedgerKind:
        """The ledger this form writes."""
        return self.spec.kind

    @property
    def again_key(self) -> str:
        """The message id of the "log another" button."""
        return self.spec.message("again")

    @property
    def help_key(self) -> str:
        """The message id of the command's line in help and the menus."""
        return self.spec.message("help")


FORM_HOOK: Hook[LedgerForm] = Hook("ledger forms")


def forms(routes: Routes) -> dict[LedgerKind, LedgerForm]:
    """The ledgers a bot's routes have, by kind, as the included routers registered them."""
    return {form.kind: form for form in routes.all(FORM_HOOK)}


def ledger_router(form: LedgerForm) -> Router:
    """The ledger's flow module's router with the command that starts its flow, and the form for the ledger view."""
    router = Router(f"ledger {form.kind.value}").include(form.router)
    router.add(FORM_HOOK, form)

    async def start(ctx: Context, args: str) -> list[Reply]:
        return await start_flow(ctx, form.flow)

    router.command(form.flow, *form.words, help_key=form.help_key, order=form.order)(start)
    return router
