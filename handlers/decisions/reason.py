"""The one-step conversation that asks a decider for a reason (return, reject, resolve an objection).

Features register what happens with the reason under a kind; the flow stays the same for all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from handlers.core.types import Reply
from handlers.engine.context import Context
from handlers.engine.dispatch import open_conversation, start_flow
from handlers.engine.flow import Flow, ParseResult, Step, Values
from handlers.engine.router import Hook, Router

router = Router(__name__)

ReasonHandler = Callable[[Context, Values, str], Awaitable[list[Reply]]]
REASON_HANDLERS: Hook[tuple[str, ReasonHandler]] = Hook("reason handlers")
MAX_REASON = 500


def reason_handler(router: Router, kind: str) -> Callable[[ReasonHandler], ReasonHandler]:
    """Register what to do with a reason given for a decision of this kind."""

    def register(handler: ReasonHandler) -> ReasonHandler:
        router.add(REASON_HANDLERS, (kind, handler))
        return handler

    return register


def parse_reason(ctx: Context, text: str) -> ParseResult:
    """A reason: some words, at most MAX_REASON characters."""
    value = text.strip()
    if len(value) < 2:
        return None, "reviews.error.reason_short"
    if len(value) > MAX_REASON:
        return None, "reviews.error.reason_long"
    return value, None


async def busy(ctx: Context) -> Reply | None:
    """A polite refusal if the speaker is in the middle of another conversation."""
    conv = await open_conversation(ctx)
    if conv is None or conv.expires_at <= ctx.now:
        return None
    flows = ctx.routes.flows
    title = ctx.t(flows[conv.flow].title) if conv.flow in flows else conv.flow
    return Reply(text=ctx.t("reviews.finish_current", flow=title))


def told(ctx: Context, text: str, reason: str | None) -> Reply:
    """The answer to a decider whose decision did not land; a typed reason is shown back, never dropped."""
    if reason:
        text += "\n" + ctx.t("reviews.reason_unused", reason=reason)
    return Reply(text=text, outcome_of_press=True)


async def ask_reason(ctx: Context, kind: str, context_text: str, **initial: Any) -> list[Reply]:
    """Start asking for the reason of a `kind` decision; `context_text` says what is being decided."""
    refusal = await busy(ctx)
    if refusal is not None:
        return [refusal]
    replies = await start_flow(ctx, "reason", {"_kind": kind, **initial})
    return [Reply(text=context_text), *replies]


async def submit(ctx: Context, values: Values) -> list[Reply]:
    """Hand the reason to the feature that asked for it."""
    handler = dict(ctx.routes.all(REASON_HANDLERS))[str(values["_kind"])]
    return await handler(ctx, values, str(values["reason"]))


REASON = router.flow(
    Flow(
        name="reason",
        title="reviews.reason_title",
        steps=(Step("reason", "reviews.ask_reason", "reviews.label.reason", parse=parse_reason, limit=MAX_REASON),),
        submit=submit,
        intro=None,  # one question, asked at once: "New reason." said nothing
    )
)
