"""The web console's pending queue, and deciding an entry there through the very code a chat press runs."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.decisions.reason import parse_reason
from handlers.engine.context import Context
from handlers.engine.flow import say_problem
from handlers.reviews import cards
from handlers.reviews.batch import waiting_for
from handlers.reviews.decide import DECISIONS, decide
from handlers.roles import checks
from handlers.web.pending_changes import page_changes
from handlers.web.studio import revision_text
from storage.models import DECIDING_ROLES, Attachment, Decision, LedgerEntry, Studio

SHOWN = 200


@dataclass(frozen=True)
class Waiting:
    """An entry waiting for the viewer: the entry, its studio, its header line, how many days it has waited."""

    entry: LedgerEntry
    studio: Studio
    header: str
    days: int
    revision: list[str]  # for a resubmission or an edit: its kind, the earlier reason, each change
    files: list[Attachment]  # the evidence, each opened at /web/attachments/<id>


async def is_reviewer(ctx: Context) -> bool:
    """Whether the viewer reviews entries (in their own name or as a stand-in)."""
    subject = await checks.subject_of(ctx)
    return any(g.kind in DECIDING_ROLES for g in subject.grants)


async def pending(ctx: Context) -> list[Waiting]:
    """The entries waiting for this person's decision, oldest first (the same list as 待审 in chat)."""
    subject = await checks.subject_of(ctx)
    waiting = await waiting_for(ctx, subject, limit=SHOWN)
    changes = await page_changes(ctx.session, [entry for entry, _ in waiting])  # the whole page at once
    out = []
    for entry, studio in waiting:
        days = max((ctx.today - ctx.local(entry.status_changed_at).date()).days, 0)
        revision = revision_text(ctx, entry, changes.revisions.get(entry.id))
        files = changes.files.get(entry.id, [])
        out.append(Waiting(entry, studio, cards.header(ctx.t, entry, studio), days, revision, files))
    return out


@dataclass(frozen=True)
class Outcome:
    """What a decision from the web did: the text to show, whether it landed, whether the form must be fixed."""

    text: str
    landed: bool
    invalid: bool = False


async def decide_from_web(ctx: Context, entry_id: int, version: int, action: str, reason: str) -> Outcome:
    """通过 / 退回 / 驳回 an entry version: the reason checked as chat checks it, then the chat press's decide()."""
    decision = DECISIONS.get(action)
    if decision is None:
        return Outcome(ctx.t("engine.bad_button"), landed=False, invalid=True)
    given: str | None = None
    if decision is not Decision.APPROVE:
        value, error = parse_reason(ctx, reason)
        if error is not None:
            return Outcome(say_problem(ctx, error), landed=False, invalid=True)
        given = str(value)
    reply, landed = await decide(ctx, entry_id, version, decision, given)
    return Outcome(reply.text, landed)
